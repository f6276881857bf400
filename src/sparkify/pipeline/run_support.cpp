#include "sparkify/pipeline/run_support.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "sparkify/source/checksum.hpp"

namespace sparkify::pipeline {
void SummariseLoadErrors(const std::vector<parse::LoadError>& errors) {
  if (errors.empty()) return;
  log::Warn(log::WithThousands(errors.size()) + " bad record" + (errors.size() == 1 ? "" : "s") +
            " rejected (every one is in the load_errors table):");
  constexpr size_t kShown = 5;
  for (size_t i = 0; i < errors.size() && i < kShown; ++i) {
    const parse::LoadError& e = errors[i];
    log::Warn("  " + e.file + ":" + std::to_string(e.line) + ": " + e.reason);
  }
  if (errors.size() > kShown)
    log::Warn("  ... and " + log::WithThousands(errors.size() - kShown) + " more");
}

Status RunStatement(engine::Engine& engine, sql::Stmt stmt, const sql::RenderOptions& render) {
  auto start = Clock::now();
  Status s = engine.Execute(sql::Render(stmt, engine.dialect(), render));
  if (!s.ok()) return s.take_error().WithContext(std::string(sql::StmtName(stmt)));
  log::Verbose(std::string(sql::StmtName(stmt)) + ": " +
               std::to_string(std::chrono::duration<double>(Clock::now() - start).count()) + " s");
  return Status::Ok();
}

Result<Sources> OpenAndList(const EtlOptions& options) {
  Sources s;
  Result<std::unique_ptr<source::Source>> songs = source::OpenSource(options.songs, options.source);
  if (!songs.ok()) return songs.take_error().WithContext("song files " + options.songs);
  Result<std::unique_ptr<source::Source>> events =
      source::OpenSource(options.events, options.source);
  if (!events.ok()) return events.take_error().WithContext("event files " + options.events);
  s.songs = std::move(songs).value();
  s.events = std::move(events).value();
  Result<std::vector<source::SourceFile>> song_files = s.songs->List();
  if (!song_files.ok()) return song_files.take_error().WithContext("listing song files");
  Result<std::vector<source::SourceFile>> event_files = s.events->List();
  if (!event_files.ok()) return event_files.take_error().WithContext("listing event files");
  s.song_files = std::move(song_files).value();
  s.event_files = std::move(event_files).value();
  if (s.song_files.empty()) log::Warn("no song files (*.json) under " + options.songs);
  if (s.event_files.empty()) log::Warn("no event files (*.json) under " + options.events);
  log::Info("found " + log::WithThousands(s.song_files.size()) + " song files and " +
            log::WithThousands(s.event_files.size()) + " event files");
  return s;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> QueryInt(engine::Engine& engine, sql::Stmt stmt, const sql::RenderOptions& render) {
  SPARKIFY_ASSIGN_OR_RETURN(engine::QueryResult r,
                            engine.Query(sql::Render(stmt, engine.dialect(), render)));
  if (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) return int64_t{0};
  const std::string& v = *r.rows[0][0];
  if (v == "true" || v == "t") return int64_t{1};
  if (v == "false" || v == "f") return int64_t{0};
  return static_cast<int64_t>(std::stoll(v));
}

Status StoreManifest(engine::Engine& engine, const std::vector<StagedFiles>& staged,
                     int64_t run_id) {
  const int64_t now = NowMicros();
  return LoadRows(engine, LoadManifestSchema(), [&](ColumnBatch& batch, auto& flush) {
    for (const StagedFiles& s : staged) {
      const std::string_view kind = FileKindName(s.kind);
      for (size_t i = 0; i < s.files->size(); ++i) {
        const source::SourceFile& f = (*s.files)[i];
        const FileStats* fs = i < s.stats->per_file.size() ? &s.stats->per_file[i] : nullptr;
        const std::string key = ManifestKey(f.uri);
        const FieldValue row[] = {
            FieldValue::Text(kind),
            FieldValue::Text(key),
            FieldValue::Int(static_cast<int64_t>(f.size)),
            f.mtime_ms ? FieldValue::Int(f.mtime_ms * 1000) : FieldValue::Null(),
            f.etag.empty() ? FieldValue::Null() : FieldValue::Text(f.etag),
            fs && !fs->checksum.empty() ? FieldValue::Text(fs->checksum) : FieldValue::Null(),
            FieldValue::Int(run_id),
            FieldValue::Int(fs ? static_cast<int64_t>(fs->rows) : 0),
            FieldValue::Int(fs ? static_cast<int64_t>(fs->rejected) : 0),
            FieldValue::Int(now)};
        batch.AppendRow(row);
        if (batch.rows() >= 4096) flush();
      }
    }
  });
}

Status StoreRun(engine::Engine& engine, const RunRecord& r) {
  return LoadRows(engine, RunsSchema(), [&](ColumnBatch& batch, auto&) {
    const FieldValue row[] = {FieldValue::Int(r.run_id),
                              FieldValue::Int(r.started_at),
                              FieldValue::Int(NowMicros()),
                              FieldValue::Text(r.status),
                              FieldValue::Text(LoadModeName(r.mode)),
                              FieldValue::Text(r.arguments),
                              FieldValue::Int(static_cast<int64_t>(r.files)),
                              FieldValue::Int(static_cast<int64_t>(r.rows)),
                              FieldValue::Int(static_cast<int64_t>(r.rejected)),
                              FieldValue::Int(static_cast<int64_t>(r.plays)),
                              r.message.empty() ? FieldValue::Null() : FieldValue::Text(r.message)};
    batch.AppendRow(row);
  });
}

std::string Plural(size_t n, const char* what) {
  return log::WithThousands(n) + " " + what + (n == 1 ? "" : "s");
}

Result<LoadPlan> PlanSources(const EtlOptions& options, Sources& sources,
                             const std::optional<std::vector<ManifestEntry>>& manifest) {
  PlanInputs in;
  in.songs = &sources.song_files;
  in.events = &sources.event_files;
  in.manifest = manifest ? &*manifest : nullptr;
  in.full_refresh = options.full_refresh;
  in.sql_transform = options.transform == Transform::kSql;
  in.checksum = [&](FileKind kind, const source::SourceFile& f) {
    return source::ChecksumOf(kind == FileKind::kSongs ? *sources.songs : *sources.events, f);
  };
  return PlanLoad(in);
}

void ReleaseFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

void RecordFailedRun(engine::Engine& engine, RunRecord run, const Error& error) {
  Result<bool> state = LoadStateExists(engine);
  if (!state.ok() || !*state) return;
  if (!engine.Begin().ok()) return;
  Result<int64_t> id = QueryInt(engine, sql::Stmt::kNextRunId);
  run.run_id = id.ok() ? *id : 0;
  run.status = "failed";
  run.message = error.ToString();
  if (id.ok() && StoreRun(engine, run).ok() && engine.Commit().ok()) return;
  (void)engine.Rollback();
}

Result<Sources> StartRun(engine::Engine& engine, const EtlOptions& options, bool lock_manifest,
                         EtlReport& report, RunRecord& run) {
  Sources sources;
  std::optional<std::vector<ManifestEntry>> manifest;
  {
    Phase phase(report.timings, "list");
    SPARKIFY_ASSIGN_OR_RETURN(sources, OpenAndList(options));
    SPARKIFY_ASSIGN_OR_RETURN(bool state, LoadStateExists(engine));
    if (state) {
      if (lock_manifest) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kLockManifest));
      SPARKIFY_ASSIGN_OR_RETURN(manifest, ReadManifest(engine));
    }
    SPARKIFY_ASSIGN_OR_RETURN(report.plan, PlanSources(options, sources, manifest));
  }
  if (manifest) {
    SPARKIFY_ASSIGN_OR_RETURN(run.run_id, QueryInt(engine, sql::Stmt::kNextRunId));
  } else {
    run.run_id = 1;
  }
  report.run_id = run.run_id;
  const LoadPlan& plan = report.plan;
  log::Info(plan.mode == LoadMode::kNothing
                ? plan.reason
                : std::string(LoadModeName(plan.mode)) + " load: " + plan.reason);
  SPARKIFY_RETURN_IF_ERROR(CheckGoneFiles(plan, plan.mode));
  return sources;
}

Status StoreSucceededRun(engine::Engine& engine, const std::vector<StagedFiles>& staged,
                         const EtlReport& report, RunRecord& run) {
  for (const StagedFiles& s : staged) {
    run.files += s.files->size();
    run.rows += s.stats->rows;
  }
  run.rejected = report.load_errors.size();
  run.plays = report.plays_added;
  SPARKIFY_RETURN_IF_ERROR(StoreManifest(engine, staged, run.run_id));
  run.status = "succeeded";
  run.message = report.plan.reason;
  return StoreRun(engine, run);
}

Status CheckGoneFiles(const LoadPlan& plan, LoadMode mode) {
  const size_t gone = plan.songs.gone.size() + plan.events.gone.size();
  if (gone == 0) return Status::Ok();
  const char* verb = gone == 1 ? "is" : "are";
  if (mode == LoadMode::kRebuild) {
    const std::string& first = plan.songs.gone.empty() ? plan.events.gone[0] : plan.songs.gone[0];
    return Error::InvalidArgument(
        Plural(gone, "file") + " loaded earlier " + verb + " no longer listed (first: " + first +
        "); rebuilding would drop their rows. Restore them, or run etl --full-refresh to "
        "rebuild from the files listed now");
  }
  if (mode == LoadMode::kFull) {
    log::Info(Plural(gone, "file") + " loaded earlier " + verb +
              " no longer listed; the full refresh drops their rows");
  } else {
    log::Warn(Plural(gone, "file") + " loaded earlier " + verb +
              " no longer listed; their rows stay");
  }
  return Status::Ok();
}

}  // namespace sparkify::pipeline
