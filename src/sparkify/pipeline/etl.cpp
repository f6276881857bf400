#include "sparkify/pipeline/etl.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "sparkify/common/log.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/pipeline/create_tables.hpp"
#include "sparkify/pipeline/star_builder.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

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

// Loads `fill`'s rows into `schema`'s table through one bulk loader, in batches.
template <typename Fill>
Status LoadRows(engine::Engine& engine, const TableSchema& schema, Fill fill) {
  auto start = Clock::now();
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<engine::BulkLoader> loader,
                            engine.OpenBulkLoader(schema));
  ColumnBatch batch(schema);
  Status status;
  auto flush = [&]() {
    if (status.ok() && !batch.empty()) status = loader->Append(batch);
    batch.Clear();
  };
  fill(batch, flush);
  flush();
  SPARKIFY_RETURN_IF_ERROR(status);
  SPARKIFY_RETURN_IF_ERROR(loader->Finish());
  log::Verbose("loading " + schema.name + ": " +
               std::to_string(std::chrono::duration<double>(Clock::now() - start).count()) + " s");
  return Status::Ok();
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

class Phase {
 public:
  Phase(std::vector<PhaseTiming>& timings, std::string name)
      : timings_(timings), name_(std::move(name)), start_(Clock::now()) {}
  ~Phase() {
    timings_.push_back({name_, std::chrono::duration<double>(Clock::now() - start_).count()});
  }

 private:
  std::vector<PhaseTiming>& timings_;
  std::string name_;
  Clock::time_point start_;
};

Status RunStatement(engine::Engine& engine, sql::Stmt stmt) {
  auto start = Clock::now();
  Status s = engine.Execute(sql::Render(stmt, engine.dialect()));
  if (!s.ok()) return s.take_error().WithContext(std::string(sql::StmtName(stmt)));
  log::Verbose(std::string(sql::StmtName(stmt)) + ": " +
               std::to_string(std::chrono::duration<double>(Clock::now() - start).count()) + " s");
  return Status::Ok();
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

struct Sources {
  std::unique_ptr<source::Source> songs;
  std::unique_ptr<source::Source> events;
  std::vector<source::SourceFile> song_files;
  std::vector<source::SourceFile> event_files;
};

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

Result<EtlReport> RunInTransaction(engine::Engine& engine, const EtlOptions& options) {
  EtlReport report;
  const bool direct = options.transform == Transform::kDirect;
  const bool stage_raw = !direct || options.keep_staging;
  Sources sources;
  {
    Phase phase(report.timings, "list");
    SPARKIFY_ASSIGN_OR_RETURN(sources, OpenAndList(options));
  }
  std::unique_ptr<source::Source>& song_source = sources.songs;
  std::unique_ptr<source::Source>& event_source = sources.events;
  const std::vector<source::SourceFile>& song_files = sources.song_files;
  const std::vector<source::SourceFile>& event_files = sources.event_files;

  SPARKIFY_RETURN_IF_ERROR(CreateTablesInTransaction(engine));
  // Plays are known before the users and times they reference. Without declared foreign keys
  // they go straight into fact_songplay; with them they wait in a temporary table.
  const bool plays_wait = direct && sql::DeclaresForeignKeys(engine.dialect());
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
    Result<StageStats> s =
        StageFiles(RawKind::kSongs, *song_source, song_files, sink, stage_options, hooks);
    if (!s.ok()) return s.take_error().WithContext("staging songs");
    SPARKIFY_RETURN_IF_ERROR(staging.Finish());
    report.songs = *s;
    if (direct) {  // artists before songs: dim_song.artist_id references dim_artist
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, DimArtistSchema(),
                                        [&](ColumnBatch& b, auto&) { songs.AppendArtists(b); }));
      SPARKIFY_RETURN_IF_ERROR(
          LoadRows(engine, DimSongSchema(), [&](ColumnBatch& b, auto&) { songs.AppendSongs(b); }));
    }
  }

  // Events: staged and/or mapped to plays, in load order so plays are numbered 1..n by it.
  std::vector<PlayMapper> mappers;
  std::vector<int64_t> start_times;
  {
    Phase phase(report.timings, "stage_events");
    const int workers = StageWorkers(stage_options, event_files.size());
    if (direct) {
      mappers.reserve(static_cast<size_t>(workers));
      for (int w = 0; w < workers; ++w) mappers.emplace_back(songs);
    }
    LoaderSwitch loads(engine);
    const TableSchema& plays = plays_wait ? FactLoadSchema() : FactSongplaySchema();
    int64_t next_songplay_id = 1;
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
    Result<StageStats> s =
        StageFiles(RawKind::kEvents, *event_source, event_files, sink, stage_options, hooks);
    if (!s.ok()) return s.take_error().WithContext("staging events");
    SPARKIFY_RETURN_IF_ERROR(loads.Finish());
    report.events = *s;
  }

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
  SPARKIFY_RETURN_IF_ERROR(StoreLoadErrors(engine, report.load_errors));
  {
    Phase phase(report.timings, "transform");
    if (!direct) {
      for (sql::Stmt stmt : sql::TransformStatements())
        SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, stmt));
    } else {
      UserTable users;
      for (PlayMapper& m : mappers) users.Merge(std::move(m.users()));
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, DimUserSchema(), [&](ColumnBatch& b, auto& flush) {
        users.AppendUsers(b);
        flush();
      }));
      std::sort(start_times.begin(), start_times.end());
      start_times.erase(std::unique(start_times.begin(), start_times.end()), start_times.end());
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, DimTimeSchema(), [&](ColumnBatch& b, auto& flush) {
        for (int64_t t : start_times) {
          TimeParts p = SplitTimestamp(t);
          const FieldValue row[] = {FieldValue::Int(t),        FieldValue::Int(p.hour),
                                    FieldValue::Int(p.day),    FieldValue::Int(p.week),
                                    FieldValue::Int(p.month),  FieldValue::Int(p.year),
                                    FieldValue::Int(p.weekday)};
          b.AppendRow(row);
          if (b.rows() >= 16384) flush();
        }
      }));
      std::vector<int64_t>().swap(start_times);
      if (plays_wait) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kPublishFactLoad));
    }
  }
  return report;
}

}  // namespace

Result<EtlReport> RunEtl(engine::Engine& engine, const EtlOptions& options) {
  SPARKIFY_RETURN_IF_ERROR(engine.Begin());
  Result<EtlReport> report = RunInTransaction(engine, options);
  if (!report.ok()) {
    Status rollback = engine.Rollback();
    if (!rollback.ok()) log::Warn("rollback failed: " + rollback.error().ToString());
    return report;
  }
  {
    Phase phase(report->timings, "commit");
    SPARKIFY_RETURN_IF_ERROR(engine.Commit());
  }
  SPARKIFY_ASSIGN_OR_RETURN(report->counts, CountRows(engine));
  return report;
}

Result<EtlPlan> PlanEtl(const EtlOptions& options, sql::Dialect dialect) {
  SPARKIFY_ASSIGN_OR_RETURN(Sources sources, OpenAndList(options));
  EtlPlan plan;
  plan.song_files = std::move(sources.song_files);
  plan.event_files = std::move(sources.event_files);
  const bool direct = options.transform == Transform::kDirect;
  const bool stage_raw = !direct || options.keep_staging;
  const bool plays_wait = direct && sql::DeclaresForeignKeys(dialect);
  auto statement = [&](sql::Stmt stmt) {
    plan.steps.push_back({std::string(sql::StmtName(stmt)), sql::Render(stmt, dialect), ""});
  };
  auto load = [&](const std::string& table, std::string what) {
    plan.steps.push_back({"load " + table, "", "bulk load of " + std::move(what)});
  };
  const std::string songs = log::WithThousands(plan.song_files.size()) + " song files";
  const std::string events = log::WithThousands(plan.event_files.size()) + " event files";
  // The same steps, in the same order, as RunInTransaction.
  for (sql::Stmt stmt : sql::CreateTablesStatements()) statement(stmt);
  if (plays_wait) statement(sql::Stmt::kCreateFactLoad);
  if (stage_raw) load("staging_songs", "the " + songs + " listed above, parsed by sparkify");
  if (direct) {
    load(DimArtistSchema().name, "the artists of the " + songs + ", computed by sparkify");
    load(DimSongSchema().name, "the songs of the " + songs + ", computed by sparkify");
  }
  if (stage_raw) load("staging_events", "the " + events + " listed above, parsed by sparkify");
  if (direct) {
    load(plays_wait ? FactLoadSchema().name : FactSongplaySchema().name,
         "the NextSong plays of the " + events + ", matched to songs by sparkify");
  }
  load("load_errors", "the records that failed to parse, if any");
  if (direct) {
    load(DimUserSchema().name, "each user's latest event, computed by sparkify");
    load(DimTimeSchema().name, "the distinct play start times, computed by sparkify");
    if (plays_wait) statement(sql::Stmt::kPublishFactLoad);
  } else {
    for (sql::Stmt stmt : sql::TransformStatements()) statement(stmt);
  }
  return plan;
}

std::vector<EtlStep> PlanRedshiftEtl(const RedshiftLoadOptions& options) {
  sql::RenderOptions render;
  render.table_attributes = options.table_attributes;
  render.values = {{"songs", sql::QuoteLiteral(options.songs)},
                   {"events", sql::QuoteLiteral(options.events)},
                   {"jsonpaths", sql::QuoteLiteral(options.jsonpaths)},
                   {"iam_role", sql::QuoteLiteral(options.iam_role_arn)},
                   {"region", sql::QuoteLiteral(options.region)},
                   {"max_errors", std::to_string(options.max_errors)}};
  std::vector<EtlStep> steps;
  auto statement = [&](sql::Stmt stmt, std::string name = "") {
    steps.push_back({name.empty() ? std::string(sql::StmtName(stmt)) : std::move(name),
                     sql::Render(stmt, sql::Dialect::kRedshift, render), ""});
  };
  for (sql::Stmt stmt : sql::CreateTablesStatements()) statement(stmt);
  statement(sql::Stmt::kCopyStagingSongs);
  render.values["table"] = sql::QuoteLiteral("staging_songs");
  statement(sql::Stmt::kInsertCopyErrors, "insert_copy_errors staging_songs");
  statement(sql::Stmt::kCopyStagingEvents);
  render.values["table"] = sql::QuoteLiteral("staging_events");
  statement(sql::Stmt::kInsertCopyErrors, "insert_copy_errors staging_events");
  for (sql::Stmt stmt : sql::TransformStatements()) statement(stmt);
  return steps;
}

Result<EtlReport> RunRedshiftEtl(engine::Engine& engine, const RedshiftLoadOptions& options) {
  EtlReport report;
  SPARKIFY_RETURN_IF_ERROR(engine.Begin());
  auto run = [&]() -> Status {
    for (const EtlStep& step : PlanRedshiftEtl(options)) {
      Phase phase(report.timings, step.name);
      log::Verbose("redshift: " + step.name);
      Status s = engine.Execute(step.sql);
      if (s.ok()) continue;
      // COPY fails as a whole when more records than MAXERROR are bad; Redshift then points
      // at its load-error tables ("Check 'sys_load_error_detail'", formerly stl_load_errors).
      const std::string& m = s.error().message();
      if (step.name.starts_with("copy_") && (m.find("sys_load_error_detail") != std::string::npos ||
                                             m.find("stl_load_errors") != std::string::npos)) {
        Error e(ErrorCode::kTooManyLoadErrors,
                "more than " + std::to_string(options.max_errors) +
                    " bad records (--max-errors; COPY MAXERROR); nothing was committed. "
                    "Redshift says: " +
                    m);
        return e.WithContext(step.name);
      }
      return s.take_error().WithContext(step.name);
    }
    SPARKIFY_ASSIGN_OR_RETURN(
        engine::QueryResult errors,
        engine.Query(sql::Render(sql::Stmt::kSelectLoadErrors, sql::Dialect::kRedshift)));
    for (const auto& row : errors.rows) {
      parse::LoadError e;
      e.table = row[0].value_or("");
      e.file = row[1].value_or("");
      e.line = row[2] ? std::stoull(*row[2]) : 0;
      e.reason = row[3].value_or("");
      e.excerpt = row[4].value_or("");
      report.load_errors.push_back(std::move(e));
    }
    SummariseLoadErrors(report.load_errors);
    return engine.Commit();
  };
  Status s = run();
  if (!s.ok()) {
    (void)engine.Rollback();
    return s.take_error();
  }
  SPARKIFY_ASSIGN_OR_RETURN(report.counts, CountRows(engine));
  for (const TableCount& c : report.counts) {
    if (c.table == "staging_songs") report.songs.rows = static_cast<uint64_t>(c.rows);
    if (c.table == "staging_events") report.events.rows = static_cast<uint64_t>(c.rows);
  }
  return report;
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
