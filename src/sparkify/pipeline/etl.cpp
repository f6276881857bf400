#include "sparkify/pipeline/etl.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>

#include "sparkify/common/log.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/pipeline/manifest.hpp"
#include "sparkify/pipeline/run_support.hpp"
#include "sparkify/pipeline/star_builder.hpp"
#include "sparkify/source/checksum.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {
namespace {

const TableSchema& LoadErrorsSchema() {
  static const TableSchema schema{"load_errors",
                                  {{"table_name", ColumnType::kText},
                                   {"file", ColumnType::kText},
                                   {"line", ColumnType::kBigInt},
                                   {"byte_offset", ColumnType::kBigInt},
                                   {"reason", ColumnType::kText},
                                   {"excerpt", ColumnType::kText}}};
  return schema;
}

Status StoreLoadErrors(engine::Engine& engine, const std::vector<parse::LoadError>& errors) {
  return LoadRows(engine, LoadErrorsSchema(), [&](ColumnBatch& batch, auto& flush) {
    for (const parse::LoadError& e : errors) {
      const FieldValue row[] = {FieldValue::Text(e.table),
                                FieldValue::Text(e.file),
                                FieldValue::Int(static_cast<int64_t>(e.line)),
                                FieldValue::Int(static_cast<int64_t>(e.byte_offset)),
                                FieldValue::Text(e.reason),
                                FieldValue::Text(e.excerpt)};
      batch.AppendRow(row);
      if (batch.rows() >= 4096) flush();
    }
  });
}

// Bulk loads into several tables through one open loader at a time (a PostgreSQL connection
// runs one COPY at a time): switching tables finishes the current load and opens the next.
class LoaderSwitch {
 public:
  explicit LoaderSwitch(engine::Engine& engine) : engine_(engine) {}
  Status Append(const TableSchema& schema, const ColumnBatch& batch) {
    if (schema_ != &schema) {
      SPARKIFY_RETURN_IF_ERROR(Finish());
      SPARKIFY_ASSIGN_OR_RETURN(loader_, engine_.OpenBulkLoader(schema));
      schema_ = &schema;
    }
    return loader_->Append(batch);
  }
  Status Finish() {
    if (!loader_) return Status::Ok();
    Status s = loader_->Finish();
    loader_.reset();
    schema_ = nullptr;
    return s;
  }

 private:
  engine::Engine& engine_;
  const TableSchema* schema_ = nullptr;
  std::unique_ptr<engine::BulkLoader> loader_;
};

// One etl per database at a time; a second run waits (PostgreSQL advisory lock, released by
// the server when a killed run's connection dies).
Status LockDatabase(engine::Engine& engine) {
  SPARKIFY_ASSIGN_OR_RETURN(int64_t taken, QueryInt(engine, sql::Stmt::kTryLockEtl));
  if (taken) return Status::Ok();
  log::Warn("another sparkify etl is loading " + engine.Describe() + "; waiting for it to finish");
  return RunStatement(engine, sql::Stmt::kLockEtl);
}

Status LoadTimes(engine::Engine& engine, const TableSchema& schema,
                 std::vector<int64_t>& start_times) {
  std::sort(start_times.begin(), start_times.end());
  start_times.erase(std::unique(start_times.begin(), start_times.end()), start_times.end());
  Status s = LoadRows(engine, schema, [&](ColumnBatch& b, auto& flush) {
    for (int64_t t : start_times) {
      TimeParts p = SplitTimestamp(t);
      const FieldValue row[] = {FieldValue::Int(t),        FieldValue::Int(p.hour),
                                FieldValue::Int(p.day),    FieldValue::Int(p.week),
                                FieldValue::Int(p.month),  FieldValue::Int(p.year),
                                FieldValue::Int(p.weekday)};
      b.AppendRow(row);
      if (b.rows() >= 16384) flush();
    }
  });
  std::vector<int64_t>().swap(start_times);
  return s;
}

// Stages event files, numbering their plays from `first_songplay_id` in load order; the plays
// go to `plays` (fact_songplay, or the temporary table they wait in), the raw rows to
// staging_events when `stage_raw`. Fills `mappers` (users) and `start_times`.
Result<StageStats> StageEvents(engine::Engine& engine, source::Source& source,
                               const std::vector<source::SourceFile>& files, bool direct,
                               bool stage_raw, const TableSchema& plays, int64_t first_songplay_id,
                               const SongIndex& songs, StageOptions stage_options,
                               parse::LoadErrorSink& sink, std::vector<PlayMapper>& mappers,
                               std::vector<int64_t>& start_times, uint64_t& plays_added) {
  const int workers = StageWorkers(stage_options, files.size());
  if (direct) {
    mappers.reserve(static_cast<size_t>(workers));
    for (int w = 0; w < workers; ++w) mappers.emplace_back(songs);
  }
  LoaderSwitch loads(engine);
  int64_t next_songplay_id = first_songplay_id;
  StageHooks hooks;
  hooks.ordered = direct;
  if (direct) {
    hooks.mapper_for = [&](int w) -> RowMapper* { return &mappers[static_cast<size_t>(w)]; };
    hooks.derived_schema = &FactLoadSchema();
  }
  hooks.consume = [&](Chunk& chunk) -> Status {
    if (stage_raw && chunk.raw) {
      SPARKIFY_RETURN_IF_ERROR(loads.Append(parse::StagingEventsSchema(), *chunk.raw));
    }
    if (!direct || !chunk.derived) return Status::Ok();
    ColumnBatch& batch = *chunk.derived;
    for (size_t r = 0; r < batch.rows(); ++r) {
      batch.SetInt(0, r, next_songplay_id++);
      start_times.push_back(batch.Int(1, r));
    }
    return loads.Append(plays, batch);
  };
  Result<StageStats> s = StageFiles(RawKind::kEvents, source, files, sink, stage_options, hooks);
  if (!s.ok()) return s.take_error().WithContext("staging events");
  SPARKIFY_RETURN_IF_ERROR(loads.Finish());
  plays_added = static_cast<uint64_t>(next_songplay_id - first_songplay_id);
  return s;
}

Status CheckLoadErrors(EtlReport& report, const EtlOptions& options, parse::CollectingSink& sink) {
  report.load_errors = sink.Take();
  std::sort(report.load_errors.begin(), report.load_errors.end(),
            [](const parse::LoadError& a, const parse::LoadError& b) {
              return std::tie(a.table, a.file, a.line, a.byte_offset) <
                     std::tie(b.table, b.file, b.line, b.byte_offset);
            });
  SummariseLoadErrors(report.load_errors);
  if (options.max_errors && report.load_errors.size() > *options.max_errors) {
    return Error(ErrorCode::kTooManyLoadErrors, log::WithThousands(report.load_errors.size()) +
                                                    " bad records exceed --max-errors " +
                                                    std::to_string(*options.max_errors) +
                                                    "; nothing was committed");
  }
  return Status::Ok();
}

// A rebuild read the kept files again from where they were last read: their content must be
// what was loaded (PlanLoad verified their size or checksum before; this sees a change made
// while the run read them, or a file that could not be read at all).
Status VerifyKeptChecksums(const LoadPlan& plan, const Sources& sources, const EtlReport& report) {
  if (plan.mode != LoadMode::kRebuild) return Status::Ok();
  for (FileKind kind : {FileKind::kSongs, FileKind::kEvents}) {
    const bool songs = kind == FileKind::kSongs;
    const std::vector<source::SourceFile>& files =
        songs ? sources.load_song_files : sources.load_event_files;
    const StageStats& stats = songs ? report.songs : report.events;
    std::map<std::string, const ManifestEntry*> kept;
    for (const ManifestEntry& e : (songs ? plan.songs : plan.events).kept) kept[e.location] = &e;
    for (size_t i = 0; i < files.size() && i < stats.per_file.size(); ++i) {
      auto it = kept.find(files[i].uri);
      if (it == kept.end() || it->second->checksum.empty()) continue;
      if (stats.per_file[i].checksum != it->second->checksum) {
        return Error::NotFound(files[i].uri + ", loaded earlier and read again for the rebuild, " +
                               (stats.per_file[i].checksum.empty()
                                    ? std::string("could not be read")
                                    : std::string("no longer holds what was loaded")) +
                               "; nothing was changed. Restore it, or run etl --full-refresh to "
                               "rebuild from the files listed now and drop its rows");
      }
    }
  }
  return Status::Ok();
}

// Creates the tables and loads every listed file (LoadMode kFull and kRebuild).
Status LoadEverything(engine::Engine& engine, const EtlOptions& options, Sources& sources,
                      EtlReport& report, std::vector<StagedFiles>& staged) {
  const bool direct = options.transform == Transform::kDirect;
  const bool stage_raw = !direct || options.keep_staging;
  sql::RenderOptions ddl;
  ddl.deferred_keys = sql::DefersKeys(engine.dialect());
  for (sql::Stmt stmt : sql::RebuildTablesStatements())
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, stmt, ddl));
  // Plays are known before the users and times they reference. Without foreign keys declared
  // yet they go straight into fact_songplay; with them they wait in a temporary table.
  const bool plays_wait =
      direct && sql::DeclaresForeignKeys(engine.dialect()) && !ddl.deferred_keys;
  if (plays_wait) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateFactLoad));
  parse::CollectingSink sink;
  StageOptions stage_options;
  stage_options.threads = options.threads;

  // Songs: staged and/or indexed for the direct transform.
  SongIndex songs;
  {
    Phase phase(report.timings, "stage_songs");
    LoaderSwitch staging(engine);
    StageHooks hooks;
    hooks.consume = [&](Chunk& chunk) -> Status {
      if (direct) songs.Add(*chunk.raw);
      return stage_raw ? staging.Append(parse::StagingSongsSchema(), *chunk.raw) : Status::Ok();
    };
    Result<StageStats> s = StageFiles(RawKind::kSongs, *sources.load_songs, sources.load_song_files,
                                      sink, stage_options, hooks);
    if (!s.ok()) return s.take_error().WithContext("staging songs");
    SPARKIFY_RETURN_IF_ERROR(staging.Finish());
    report.songs = *s;
    if (direct) {  // artists before songs: dim_song.artist_id references dim_artist
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, DimArtistSchema(),
                                        [&](ColumnBatch& b, auto&) { songs.AppendArtists(b); }));
      SPARKIFY_RETURN_IF_ERROR(
          LoadRows(engine, DimSongSchema(), [&](ColumnBatch& b, auto&) { songs.AppendSongs(b); }));
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, SongMatchSchema(),
                                        [&](ColumnBatch& b, auto&) { songs.AppendMatches(b); }));
    }
  }

  // Events: staged and/or mapped to plays, in load order so plays are numbered 1..n by it.
  std::vector<PlayMapper> mappers;
  std::vector<int64_t> start_times;
  {
    Phase phase(report.timings, "stage_events");
    const TableSchema& plays = plays_wait ? FactLoadSchema() : FactSongplaySchema();
    SPARKIFY_ASSIGN_OR_RETURN(
        report.events, StageEvents(engine, *sources.load_events, sources.load_event_files, direct,
                                   stage_raw, plays, 1, songs, stage_options, sink, mappers,
                                   start_times, report.plays_added));
  }
  SPARKIFY_RETURN_IF_ERROR(CheckLoadErrors(report, options, sink));
  SPARKIFY_RETURN_IF_ERROR(StoreLoadErrors(engine, report.load_errors));
  {
    Phase phase(report.timings, "transform");
    if (!direct) {
      for (sql::Stmt stmt : sql::TransformStatements())
        SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, stmt));
      SPARKIFY_ASSIGN_OR_RETURN(int64_t plays, QueryInt(engine, sql::Stmt::kMaxSongplayId));
      report.plays_added = static_cast<uint64_t>(plays);
    } else {
      UserTable users;
      for (PlayMapper& m : mappers) users.Merge(std::move(m.users()));
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, DimUserSchema(), [&](ColumnBatch& b, auto& flush) {
        users.AppendUsers(b);
        flush();
      }));
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, UserStateSchema(),
                                        [&](ColumnBatch& b, auto&) { users.AppendState(b); }));
      SPARKIFY_RETURN_IF_ERROR(LoadTimes(engine, DimTimeSchema(), start_times));
      if (plays_wait) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kPublishFactLoad));
    }
    if (ddl.deferred_keys)
      SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kAddDeferredKeys));
  }
  SPARKIFY_RETURN_IF_ERROR(VerifyKeptChecksums(report.plan, sources, report));
  staged.push_back({FileKind::kSongs, &sources.load_song_files, &report.songs});
  staged.push_back({FileKind::kEvents, &sources.load_event_files, &report.events});
  return Status::Ok();
}

// Appends the plays of new event files (LoadMode kAppend): the song matches and each user's
// latest event come from the state tables, plays are numbered after the largest songplay_id,
// changed users are upserted and new start times inserted.
Status AppendEvents(engine::Engine& engine, const EtlOptions& options,
                    const std::vector<source::SourceFile>& files, uint64_t file_index_base,
                    source::Source& source, EtlReport& report, std::vector<StagedFiles>& staged,
                    std::vector<source::SourceFile>& staged_files) {
  const bool plays_wait = sql::DeclaresForeignKeys(engine.dialect());
  SongIndex songs;
  UserTable users;
  int64_t max_songplay_id = 0;
  {
    Phase phase(report.timings, "read_state");
    SPARKIFY_ASSIGN_OR_RETURN(
        engine::QueryResult matches,
        engine.Query(sql::Render(sql::Stmt::kSelectSongMatch, engine.dialect())));
    for (const auto& row : matches.rows) {
      songs.AddMatch(row[0].value_or(""), row[1].value_or(""), std::stod(row[2].value_or("0")),
                     SongIndex::Match{row[3].value_or(""), row[4].value_or("")});
    }
    SPARKIFY_ASSIGN_OR_RETURN(
        engine::QueryResult state,
        engine.Query(sql::Render(sql::Stmt::kSelectUserState, engine.dialect())));
    auto int_at = [](const std::optional<std::string>& v) -> std::optional<int64_t> {
      if (!v) return std::nullopt;
      return static_cast<int64_t>(std::stoll(*v));
    };
    for (const auto& row : state.rows) {
      users.Offer(row[0].value_or(""),
                  UserTable::Candidate{int_at(row[1]).value_or(0), int_at(row[2]), int_at(row[3]),
                                       row[4], row[5], row[6], row[7]});
    }
    SPARKIFY_ASSIGN_OR_RETURN(max_songplay_id, QueryInt(engine, sql::Stmt::kMaxSongplayId));
  }
  if (plays_wait) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateFactLoad));
  SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateUpsertLoads));
  parse::CollectingSink sink;
  StageOptions stage_options;
  stage_options.threads = options.threads;
  stage_options.file_index_base = file_index_base;
  std::vector<PlayMapper> mappers;
  std::vector<int64_t> start_times;
  staged_files = files;
  {
    Phase phase(report.timings, "stage_events");
    const TableSchema& plays = plays_wait ? FactLoadSchema() : FactSongplaySchema();
    SPARKIFY_ASSIGN_OR_RETURN(
        report.events, StageEvents(engine, source, staged_files, /*direct=*/true,
                                   options.keep_staging, plays, max_songplay_id + 1, songs,
                                   stage_options, sink, mappers, start_times, report.plays_added));
  }
  SPARKIFY_RETURN_IF_ERROR(CheckLoadErrors(report, options, sink));
  SPARKIFY_RETURN_IF_ERROR(StoreLoadErrors(engine, report.load_errors));
  {
    Phase phase(report.timings, "transform");
    UserTable fresh;
    for (PlayMapper& m : mappers) fresh.Merge(std::move(m.users()));
    const std::vector<std::string> changed = users.MergeChanged(std::move(fresh));
    SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, UserLoadSchema(), [&](ColumnBatch& b, auto& flush) {
      users.AppendUserLoad(b, changed);
      flush();
    }));
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kUpsertUsers));
    SPARKIFY_RETURN_IF_ERROR(LoadTimes(engine, TimeLoadSchema(), start_times));
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kInsertNewTimes));
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kDropUpsertLoads));
    if (plays_wait) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kPublishFactLoad));
    log::Verbose(std::to_string(changed.size()) + " users added or updated, " +
                 std::to_string(report.plays_added) + " plays appended");
  }
  staged.push_back({FileKind::kEvents, &staged_files, &report.events});
  return Status::Ok();
}

Result<EtlReport> RunInTransaction(engine::Engine& engine, const EtlOptions& options,
                                   RunRecord& run) {
  EtlReport report;
  SPARKIFY_RETURN_IF_ERROR(LockDatabase(engine));
  SPARKIFY_ASSIGN_OR_RETURN(Sources sources,
                            StartRun(engine, options, /*lock_manifest=*/false, report, run));
  run.mode = report.plan.mode;
  const LoadPlan& plan = report.plan;
  std::vector<StagedFiles> staged;
  std::vector<source::SourceFile> new_files;
  switch (plan.mode) {
    case LoadMode::kNothing:
      break;
    case LoadMode::kFull:
    case LoadMode::kRebuild:
      SPARKIFY_RETURN_IF_ERROR(LoadEverything(engine, options, sources, report, staged));
      break;
    case LoadMode::kAppend: {
      std::vector<source::SourceFile> files;
      for (size_t i : plan.events.fresh) files.push_back(sources.event_files[i]);
      const uint64_t base = plan.events.unchanged.size() + plan.events.kept.size();
      SPARKIFY_RETURN_IF_ERROR(
          AppendEvents(engine, options, files, base, *sources.events, report, staged, new_files));
      break;
    }
  }
  SPARKIFY_RETURN_IF_ERROR(StoreSucceededRun(engine, staged, report, sources, run));
  return report;
}

}  // namespace

Result<EtlReport> RunEtl(engine::Engine& engine, const EtlOptions& options) {
  Result<EtlReport> report = RunAtomically(engine, options.arguments, [&](RunRecord& run) {
    return RunInTransaction(engine, options, run);
  });
  if (!report.ok()) return report;
  // Inside the staging phases: the workers' read + parse (wall time until the last file was
  // parsed), of it the time the workers spent reading, parsing and mapping rows to plays (each
  // summed over the workers), and the engine thread's appends or COPY. They overlap, so they
  // do not add up.
  for (const auto& [name, stats] :
       {std::pair{"stage_songs", &report->songs}, std::pair{"stage_events", &report->events}}) {
    if (stats->files == 0) continue;
    report->timings.push_back({std::string(name) + ".read_parse", stats->read_parse_seconds});
    report->timings.push_back({std::string(name) + ".read", stats->read_seconds});
    report->timings.push_back({std::string(name) + ".parse", stats->parse_seconds});
    if (stats->map_seconds > 0)
      report->timings.push_back({std::string(name) + ".map", stats->map_seconds});
    report->timings.push_back({std::string(name) + ".append", stats->consume_seconds});
  }
  SPARKIFY_ASSIGN_OR_RETURN(report->counts, CountRows(engine));
  return report;
}

Result<LoadStatus> InspectLoad(engine::Engine& engine, const EtlOptions& options) {
  SPARKIFY_ASSIGN_OR_RETURN(Sources sources, OpenAndList(options));
  LoadStatus status;
  SPARKIFY_RETURN_IF_ERROR(engine.BeginReadOnly());
  auto inspect = [&]() -> Status {
    SPARKIFY_ASSIGN_OR_RETURN(status.loaded_before, LoadStateExists(engine));
    std::optional<std::vector<ManifestEntry>> manifest;
    if (status.loaded_before) {
      SPARKIFY_ASSIGN_OR_RETURN(manifest, ReadCurrentManifest(engine, sources, /*convert=*/false));
      SPARKIFY_ASSIGN_OR_RETURN(
          status.recent_runs,
          engine.Query(sql::Render(sql::Stmt::kSelectRecentRuns, engine.dialect())));
    }
    SPARKIFY_ASSIGN_OR_RETURN(status.plan, PlanSources(options, sources, manifest));
    return Status::Ok();
  };
  Status s = inspect();
  Status end = engine.Rollback();
  SPARKIFY_RETURN_IF_ERROR(s);
  SPARKIFY_RETURN_IF_ERROR(end);
  status.song_files = std::move(sources.song_files);
  status.event_files = std::move(sources.event_files);
  return status;
}

Result<EtlPlan> PlanEtl(const EtlOptions& options, sql::Dialect dialect) {
  SPARKIFY_ASSIGN_OR_RETURN(Sources sources, OpenAndList(options));
  EtlPlan plan;
  plan.song_files = std::move(sources.song_files);
  plan.event_files = std::move(sources.event_files);
  const bool direct = options.transform == Transform::kDirect;
  const bool stage_raw = !direct || options.keep_staging;
  const bool plays_wait = direct && sql::DeclaresForeignKeys(dialect) && !sql::DefersKeys(dialect);
  sql::RenderOptions ddl;
  ddl.deferred_keys = sql::DefersKeys(dialect);
  auto statement = [&](sql::Stmt stmt) {
    plan.steps.push_back({std::string(sql::StmtName(stmt)), sql::Render(stmt, dialect, ddl), ""});
  };
  auto load = [&](const std::string& table, std::string what) {
    plan.steps.push_back({"load " + table, "", "bulk load of " + std::move(what)});
  };
  const std::string songs = log::WithThousands(plan.song_files.size()) + " song files";
  const std::string events = log::WithThousands(plan.event_files.size()) + " event files";
  // The same steps, in the same order, as RunInTransaction.
  for (sql::Stmt stmt : sql::RebuildTablesStatements()) statement(stmt);
  if (plays_wait) statement(sql::Stmt::kCreateFactLoad);
  if (stage_raw) load("staging_songs", "the " + songs + " listed above, parsed by sparkify");
  if (direct) {
    load(DimArtistSchema().name, "the artists of the " + songs + ", computed by sparkify");
    load(DimSongSchema().name, "the songs of the " + songs + ", computed by sparkify");
    load(SongMatchSchema().name, "the song each (title, artist, duration) matches");
  }
  if (stage_raw) load("staging_events", "the " + events + " listed above, parsed by sparkify");
  if (direct) {
    load(plays_wait ? FactLoadSchema().name : FactSongplaySchema().name,
         "the NextSong plays of the " + events + ", matched to songs by sparkify");
  }
  load("load_errors", "the records that failed to parse, if any");
  if (direct) {
    load(DimUserSchema().name, "each user's latest event, computed by sparkify");
    load(UserStateSchema().name, "the ordering fields of each user's latest event");
    load(DimTimeSchema().name, "the distinct play start times, computed by sparkify");
    if (plays_wait) statement(sql::Stmt::kPublishFactLoad);
  } else {
    for (sql::Stmt stmt : sql::TransformStatements()) statement(stmt);
  }
  if (ddl.deferred_keys) statement(sql::Stmt::kAddDeferredKeys);
  load(LoadManifestSchema().name, "one row per file loaded");
  load(RunsSchema().name, "this run");
  return plan;
}

Result<std::vector<TableCount>> CountRows(engine::Engine& engine) {
  SPARKIFY_ASSIGN_OR_RETURN(
      engine::QueryResult result,
      engine.Query(sql::Render(sql::Stmt::kTableRowCounts, engine.dialect())));
  std::vector<TableCount> counts;
  for (const auto& row : result.rows) {
    counts.push_back({row[0].value_or(""), row[1] ? std::stoll(*row[1]) : 0});
  }
  return counts;
}

}  // namespace sparkify::pipeline
