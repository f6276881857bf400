#include "sparkify/pipeline/etl_stages.hpp"

#include <algorithm>
#include <tuple>

#include "sparkify/common/log.hpp"
#include "sparkify/parse/records.hpp"
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

}  // namespace

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

Status LoaderSwitch::Append(const TableSchema& schema, const ColumnBatch& batch) {
  if (schema_ != &schema) {
    SPARKIFY_RETURN_IF_ERROR(Finish());
    SPARKIFY_ASSIGN_OR_RETURN(loader_, engine_.OpenBulkLoader(schema));
    schema_ = &schema;
  }
  return loader_->Append(batch);
}

Status LoaderSwitch::Finish() {
  if (!loader_) return Status::Ok();
  Status s = loader_->Finish();
  loader_.reset();
  schema_ = nullptr;
  return s;
}

Status LockDatabase(engine::Engine& engine) {
  SPARKIFY_ASSIGN_OR_RETURN(int64_t taken, QueryInt(engine, sql::Stmt::kTryLockEtl));
  if (taken) return Status::Ok();
  log::Warn("another sparkify etl is loading " + engine.Describe() + "; waiting for it to finish");
  return RunStatement(engine, sql::Stmt::kLockEtl);
}

bool InsertsDimTimeSerially(const EtlOptions& options) {
  return options.threads <= 1 || options.serial_dim_time;
}

sql::RenderOptions DimTimeFromPlaysRender(const EtlOptions& options) {
  sql::RenderOptions render;
  render.serial_insert = InsertsDimTimeSerially(options);
  return render;
}

size_t DimTimeRanges(uint64_t plays, uint64_t plays_per_range) {
  plays_per_range = std::max<uint64_t>(plays_per_range, 1);
  return std::max<size_t>(1, static_cast<size_t>((plays + plays_per_range - 1) / plays_per_range));
}

Result<std::string> SwapEngineSetting(engine::Engine& engine, sql::Stmt read, sql::Stmt set,
                                      const std::string& value, std::string_view what) {
  SPARKIFY_ASSIGN_OR_RETURN(engine::QueryResult before,
                            engine.Query(sql::Render(read, engine.dialect())));
  if (before.rows.empty() || before.rows[0].empty() || !before.rows[0][0])
    return Error::Engine("the engine reported no " + std::string(what));
  sql::RenderOptions render;
  render.values["value"] = value;
  SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, set, render));
  return *before.rows[0][0];
}

namespace {

// Sets the engine's thread count to `threads` and returns the one it had.
Result<std::string> SwapEngineThreads(engine::Engine& engine, const std::string& threads) {
  return SwapEngineSetting(engine, sql::Stmt::kEngineThreads, sql::Stmt::kSetEngineThreads, threads,
                           "thread count");
}

// The ranges of InsertDimTimeFromPlays, rendered with `render`.
Status InsertDimTimeRanges(engine::Engine& engine, sql::RenderOptions render, uint64_t plays,
                           uint64_t plays_per_range) {
  const size_t ranges = DimTimeRanges(plays, plays_per_range);
  // Each range in parallel (two threads and more, MEMORY_LIMIT set): a parallel insert leaves
  // each statement's last row group per thread in memory until the commit (session 7,
  // docs/BENCHMARKS.md): under the engine's 128 MB XL (82 ranges) peaks at 296 MB, but under 32
  // or 64 MB it ran out of memory (with ranges of 900,000 plays too). The serial ranges load
  // XL under 40 MB, and L's transform at two threads in about the same time (session 12).
  sql::RenderOptions bounds_render;
  std::string fractions;
  for (size_t i = 1; i < ranges; ++i) {
    if (i > 1) fractions += ", ";
    fractions += std::to_string(static_cast<double>(i) / static_cast<double>(ranges));
  }
  bounds_render.values["fractions"] = fractions;
  SPARKIFY_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      engine.Query(sql::Render(sql::Stmt::kPlayTimeBounds, engine.dialect(), bounds_render)));
  std::vector<int64_t> bounds;
  for (const auto& row : r.rows) {
    if (!row.empty() && row[0]) bounds.push_back(std::stoll(*row[0]));
  }
  if (bounds.empty()) return Status::Ok();  // no plays
  // The quantiles lie between the first and the last time; sorted and without repeats, the
  // ranges [bounds[i], bounds[i + 1]) cover every play once, the last one included.
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  bounds.back() += 1;
  if (bounds.size() == 1) bounds.insert(bounds.begin(), bounds.back() - 1);
  int64_t from = bounds.front();
  for (size_t i = 1; i < bounds.size(); ++i) {
    const bool last = i + 1 == bounds.size();
    render.values["from"] = std::to_string(from);
    render.values["until"] = std::to_string(bounds[i]);
    // A serial insert keeps a 16 KB version array for every vector it fills only in part
    // (sql catalog, kInsertDimTimeFromPlays): a range that ended mid-vector would leave every
    // vector of the next ranges part-filled. So each range but the last inserts whole vectors
    // only, and the next range starts after the last time inserted.
    render.whole_vectors_only = render.serial_insert && !last;
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kInsertDimTimeFromPlays, render));
    if (!render.whole_vectors_only) {
      from = bounds[i];
      continue;
    }
    SPARKIFY_ASSIGN_OR_RETURN(
        engine::QueryResult next,
        engine.Query(sql::Render(sql::Stmt::kDimTimeResumeAfter, engine.dialect(), render)));
    if (!next.rows.empty() && !next.rows[0].empty() && next.rows[0][0])
      from = std::stoll(*next.rows[0][0]);  // else nothing was inserted: the range carries on
  }
  return Status::Ok();
}

}  // namespace

Status InsertDimTimeFromPlays(engine::Engine& engine, const EtlOptions& options, uint64_t plays,
                              uint64_t plays_per_range) {
  const sql::RenderOptions render = DimTimeFromPlaysRender(options);
  if (!render.serial_insert || options.threads <= 1)
    return InsertDimTimeRanges(engine, render, plays, plays_per_range);
  // A serial insert with more threads: the engine runs on one for these statements, and has its
  // own count back after them, whether they succeed or not.
  SPARKIFY_ASSIGN_OR_RETURN(std::string own_threads, SwapEngineThreads(engine, "1"));
  Status inserted = InsertDimTimeRanges(engine, render, plays, plays_per_range);
  Status restored = SwapEngineThreads(engine, own_threads).status();
  return inserted.ok() ? restored : inserted;
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

Result<StageStats> StageEvents(EventStaging& st) {
  const int workers = StageWorkers(st.options, st.files->size());
  if (st.direct) {
    st.mappers.reserve(static_cast<size_t>(workers));
    for (int w = 0; w < workers; ++w) st.mappers.emplace_back(*st.songs);
  }
  LoaderSwitch loads(*st.engine);
  // Plays alone (no raw rows interleaved) go through one parallel load: on DuckDB an
  // `insert … select` whose threads convert and write the batches (engine.hpp).
  std::unique_ptr<engine::BulkLoader> plays;
  if (st.direct && !st.stage_raw) {
    SPARKIFY_ASSIGN_OR_RETURN(plays, st.engine->OpenParallelLoader(*st.plays));
  }
  int64_t next_songplay_id = st.first_songplay_id;
  StageHooks hooks;
  hooks.ordered = st.direct;
  hooks.hand_over_raw = st.stage_raw;
  if (st.direct) {
    hooks.mapper_for = [&](int w) -> RowMapper* { return &st.mappers[static_cast<size_t>(w)]; };
    hooks.derived_schema = &FactLoadSchema();
  }
  hooks.consume = [&](Chunk& chunk) -> Status {
    if (st.stage_raw && chunk.raw) {
      SPARKIFY_RETURN_IF_ERROR(loads.Append(parse::StagingEventsSchema(), *chunk.raw));
    }
    if (!st.direct || !chunk.derived) return Status::Ok();
    ColumnBatch& batch = *chunk.derived;
    for (size_t r = 0; r < batch.rows(); ++r) batch.SetInt(0, r, next_songplay_id++);
    if (st.collect_start_times) {
      for (size_t r = 0; r < batch.rows(); ++r) st.start_times.push_back(batch.Int(1, r));
    }
    if (plays) {
      SPARKIFY_RETURN_IF_ERROR(plays->AppendOwned(std::move(chunk.derived)));
      chunk.derived = plays->TakeSpent();  // StageFiles recycles it to the workers
      return Status::Ok();
    }
    return loads.Append(*st.plays, batch);
  };
  Result<StageStats> s =
      StageFiles(RawKind::kEvents, *st.source, *st.files, *st.sink, st.options, hooks);
  if (!s.ok()) return s.take_error().WithContext("staging events");
  if (plays) SPARKIFY_RETURN_IF_ERROR(plays->Finish());
  SPARKIFY_RETURN_IF_ERROR(loads.Finish());
  st.plays_added = static_cast<uint64_t>(next_songplay_id - st.first_songplay_id);
  return s;
}

Status StageEventsOfRun(EventStaging& staging, const EtlOptions& options, EtlReport& report,
                        parse::CollectingSink& sink) {
  {
    Phase phase(report.timings, "stage_events");
    SPARKIFY_ASSIGN_OR_RETURN(report.events, StageEvents(staging));
    report.plays_added = staging.plays_added;
  }
  SPARKIFY_RETURN_IF_ERROR(CheckLoadErrors(report, options, sink));
  return StoreLoadErrors(*staging.engine, report.load_errors);
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

}  // namespace sparkify::pipeline
