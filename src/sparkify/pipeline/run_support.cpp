#include "sparkify/pipeline/run_support.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <unordered_set>

#include "sparkify/source/checksum.hpp"

namespace sparkify::pipeline {
namespace {

// Opens the listed files through the listing's source (which prefetches S3 objects in order)
// and the kept ones, at their last location, through an AnywhereSource.
class LoadSource final : public source::Source {
 public:
  LoadSource(source::Source& listing, const std::vector<ManifestEntry>& kept,
             source::AnywhereSource& anywhere)
      : listing_(listing), anywhere_(anywhere) {
    for (const ManifestEntry& e : kept) kept_.insert(e.location);
  }
  std::string Describe() const override { return listing_.Describe(); }
  Result<std::vector<source::SourceFile>> List() override { return listing_.List(); }
  Result<std::unique_ptr<source::ByteStream>> Open(const source::SourceFile& file) override {
    return kept_.count(file.uri) ? anywhere_.Open(file) : listing_.Open(file);
  }

 private:
  source::Source& listing_;
  source::AnywhereSource& anywhere_;
  std::unordered_set<std::string> kept_;
};

}  // namespace

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
  source::SourceOptions source_options = options.source;
  source_options.local_list_threads = std::max(1, options.threads);
  Result<std::unique_ptr<source::Source>> songs = source::OpenSource(options.songs, source_options);
  if (!songs.ok()) return songs.take_error().WithContext("song files " + options.songs);
  Result<std::unique_ptr<source::Source>> events =
      source::OpenSource(options.events, source_options);
  if (!events.ok()) return events.take_error().WithContext("event files " + options.events);
  s.songs = std::move(songs).value();
  s.events = std::move(events).value();
  s.anywhere = std::make_unique<source::AnywhereSource>(options.source);
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
      if (s.files == nullptr) continue;  // stored already
      for (size_t i = 0; i < s.files->size(); ++i) {
        const source::SourceFile& f = (*s.files)[i];
        const FileStats* fs = i < s.stats->per_file.size() ? &s.stats->per_file[i] : nullptr;
        ManifestEntry e;
        e.kind = s.kind;
        e.file = source::NameOf(f);
        e.location = ManifestKey(f.uri);
        e.size = f.size;
        e.mtime_ms = f.mtime_ms;
        e.etag = f.etag();
        if (fs) {
          e.checksum = fs->checksum.Hex();
          e.rows = fs->rows;
          e.rejected = fs->rejected;
        }
        e.run_id = run_id;
        AppendManifestRow(batch, e, now);
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

void LogLoadTime(const std::string& table, Clock::time_point start) {
  log::Verbose("loading " + table + ": " +
               std::to_string(std::chrono::duration<double>(Clock::now() - start).count()) + " s");
}

std::string Plural(size_t n, const char* what) {
  return log::WithThousands(n) + " " + what + (n == 1 ? "" : "s");
}

namespace {

PlanInputs SourceChecks(Sources& sources) {
  PlanInputs in;
  in.checksum = [&sources](const source::SourceFile& f) {
    return source::ChecksumOf(*sources.anywhere, f);
  };
  in.locate = [&sources](const std::string& location) {
    return sources.anywhere->Locate(location);
  };
  return in;
}

}  // namespace

Status SwitchToRebuild(LoadPlan& plan, Sources& sources) {
  plan.mode = LoadMode::kRebuild;
  SPARKIFY_RETURN_IF_ERROR(FindUnreadableKept(SourceChecks(sources), plan));
  SPARKIFY_RETURN_IF_ERROR(CheckKeptFiles(plan));
  PrepareFullLoad(plan, sources);
  return Status::Ok();
}

Result<LoadPlan> PlanSources(const EtlOptions& options, Sources& sources,
                             const std::optional<std::vector<ManifestEntry>>& manifest) {
  PlanInputs in = SourceChecks(sources);
  in.songs = &sources.song_files;
  in.events = &sources.event_files;
  in.manifest = manifest ? &*manifest : nullptr;
  in.full_refresh = options.full_refresh;
  in.sql_transform = options.transform == Transform::kSql;
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

// Reads the manifest; a legacy one is converted to names, and in a run (`convert`) rewritten.
Result<std::vector<ManifestEntry>> ReadCurrentManifest(engine::Engine& engine,
                                                       const Sources& sources, bool convert) {
  SPARKIFY_ASSIGN_OR_RETURN(bool legacy, ManifestIsLegacy(engine));
  if (!legacy) return ReadManifest(engine);
  SPARKIFY_ASSIGN_OR_RETURN(std::vector<ManifestEntry> old, ReadManifest(engine, true));
  std::vector<ManifestEntry> converted =
      ConvertLegacyManifest(std::move(old), sources.song_files, sources.event_files);
  if (!convert) {
    log::Info("the load manifest predates file names; the next etl converts it");
    return converted;
  }
  SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kDropManifest));
  SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateManifest));
  const int64_t now = NowMicros();
  SPARKIFY_RETURN_IF_ERROR(
      LoadRows(engine, LoadManifestSchema(), [&](ColumnBatch& batch, auto& flush) {
        for (const ManifestEntry& e : converted) {
          AppendManifestRow(batch, e, now);
          if (batch.rows() >= 4096) flush();
        }
      }));
  log::Info("converted the load manifest of an earlier version: " +
            Plural(converted.size(), "file") + " now known by their path below the location");
  return converted;
}

void PrepareFullLoad(const LoadPlan& plan, Sources& sources) {
  sources.merged_song_files = FilesToLoad(sources.song_files, plan.songs, plan.mode);
  sources.merged_event_files = FilesToLoad(sources.event_files, plan.events, plan.mode);
  sources.load_songs =
      std::make_unique<LoadSource>(*sources.songs, plan.songs.kept, *sources.anywhere);
  sources.load_events =
      std::make_unique<LoadSource>(*sources.events, plan.events.kept, *sources.anywhere);
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
      SPARKIFY_ASSIGN_OR_RETURN(manifest, ReadCurrentManifest(engine, sources, /*convert=*/true));
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
  SPARKIFY_RETURN_IF_ERROR(CheckKeptFiles(plan));
  if (plan.mode == LoadMode::kFull || plan.mode == LoadMode::kRebuild)
    PrepareFullLoad(plan, sources);
  return sources;
}

// The manifest's location of each unchanged file listed at another location now.
Status StoreMoves(engine::Engine& engine, const LoadPlan& plan, const Sources& sources) {
  if (plan.songs.moved.empty() && plan.events.moved.empty()) return Status::Ok();
  SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateManifestMoves));
  static const TableSchema kMoves{
      "etl_manifest_moves",
      {{"kind", ColumnType::kText}, {"file", ColumnType::kText}, {"location", ColumnType::kText}}};
  SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, kMoves, [&](ColumnBatch& batch, auto& flush) {
    for (FileKind kind : {FileKind::kSongs, FileKind::kEvents}) {
      const bool songs = kind == FileKind::kSongs;
      const FileChanges& changes = songs ? plan.songs : plan.events;
      const std::vector<source::SourceFile>& listed =
          songs ? sources.song_files : sources.event_files;
      for (size_t i : changes.moved) {
        const std::string location = ManifestKey(listed[i].uri);
        const FieldValue row[] = {FieldValue::Text(FileKindName(kind)),
                                  FieldValue::Text(source::NameOf(listed[i])),
                                  FieldValue::Text(location)};
        batch.AppendRow(row);
        if (batch.rows() >= 4096) flush();
      }
    }
  }));
  log::Info(Plural(plan.songs.moved.size() + plan.events.moved.size(), "loaded file") +
            " listed at a new location: the manifest follows them");
  return RunStatement(engine, sql::Stmt::kApplyManifestMoves);
}

Status StoreSucceededRun(engine::Engine& engine, const std::vector<StagedFiles>& staged,
                         const EtlReport& report, const Sources& sources, RunRecord& run) {
  for (const StagedFiles& s : staged) {
    run.files += s.stats->files;
    run.rows += s.stats->rows;
  }
  run.rejected = report.load_errors.size();
  run.plays = report.plays_added;
  if (report.plan.mode == LoadMode::kAppend || report.plan.mode == LoadMode::kNothing)
    SPARKIFY_RETURN_IF_ERROR(StoreMoves(engine, report.plan, sources));
  SPARKIFY_RETURN_IF_ERROR(StoreManifest(engine, staged, run.run_id));
  run.status = "succeeded";
  run.message = report.plan.reason;
  return StoreRun(engine, run);
}

Status CheckKeptFiles(const LoadPlan& plan) {
  const size_t same = plan.songs.same_content.size() + plan.events.same_content.size();
  if (same > 0 && plan.mode != LoadMode::kFull) {
    const FileChanges& c = plan.songs.same_content.empty() ? plan.events : plan.songs;
    log::Info(Plural(same, "listed file") + " already loaded under another name, not loaded " +
              "again (first: " + c.same_content[0].loaded_as + ")");
  }
  const size_t kept = plan.songs.kept.size() + plan.events.kept.size();
  if (kept == 0) return Status::Ok();
  const char* verb = kept == 1 ? "is" : "are";
  const ManifestEntry& first_kept =
      plan.songs.kept.empty() ? plan.events.kept[0] : plan.songs.kept[0];
  if (plan.mode == LoadMode::kFull) {
    log::Info(Plural(kept, "file") + " loaded earlier " + verb +
              " not listed now; the full refresh drops their rows (first: " + first_kept.file +
              ")");
    return Status::Ok();
  }
  const size_t unreadable = plan.songs.unreadable.size() + plan.events.unreadable.size();
  if (unreadable > 0) {
    std::string which;
    size_t shown = 0;
    for (const FileChanges* c : {&plan.songs, &plan.events}) {
      for (const Unreadable& u : c->unreadable) {
        if (shown++ == 5) break;
        which += "\n  " + u.entry.location + ": " + u.reason;
      }
    }
    if (unreadable > 5) which += "\n  ... and " + log::WithThousands(unreadable - 5) + " more";
    return Error::NotFound(
        "the star must be rebuilt (" + plan.reason + "), but " + Plural(unreadable, "file") +
        " loaded earlier and not listed now can no longer be " + "read where " +
        (unreadable == 1 ? "it was" : "they were") + " last read:" + which +
        "\nNothing was changed. Restore " + (unreadable == 1 ? "it" : "them") + " there, list " +
        (unreadable == 1 ? "it" : "them") +
        " again, or run etl --full-refresh, which rebuilds from the files listed now and " +
        "drops the rows of the " + Plural(kept, "file") + " loaded earlier and not listed");
  }
  if (plan.mode == LoadMode::kRebuild) {
    log::Info(Plural(kept, "file") + " loaded earlier " + verb +
              " not listed now; the rebuild reads them again from where they were last read");
  } else {
    log::Info(Plural(kept, "file") + " loaded earlier " + verb +
              " not listed now; their rows stay");
  }
  return Status::Ok();
}

}  // namespace sparkify::pipeline
