#include "sparkify/pipeline/etl_stages.hpp"

#include <algorithm>
#include <span>
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

// dim_time rows per batch handed to the load: eight whole vectors.
constexpr size_t kTimeBatchRows = 16384;

Status LoadTimes(engine::Engine& engine, const TableSchema& schema, DistinctSpill& start_times) {
  const Clock::time_point start = Clock::now();
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<engine::BulkLoader> loader,
                            engine.OpenParallelLoader(schema));
  auto batch = std::make_unique<ColumnBatch>(schema);
  TimeRowAppender rows;
  Status s = start_times.ForEachDistinct([&](std::span<const int64_t> times) -> Status {
    for (int64_t t : times) {
      rows.Append(*batch, t);
      if (batch->rows() < kTimeBatchRows) continue;
      SPARKIFY_RETURN_IF_ERROR(loader->AppendOwned(std::move(batch)));
      batch = loader->TakeSpent();
      if (batch) {
        batch->Clear();
      } else {
        batch = std::make_unique<ColumnBatch>(schema);
      }
    }
    return Status::Ok();
  });
  if (s.ok() && !batch->empty()) s = loader->AppendOwned(std::move(batch));
  Status finished = loader->Finish();
  SPARKIFY_RETURN_IF_ERROR(s);
  SPARKIFY_RETURN_IF_ERROR(finished);
  LogLoadTime(schema.name, start);
  return Status::Ok();
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
    for (size_t r = 0; r < batch.rows(); ++r)
      SPARKIFY_RETURN_IF_ERROR(st.start_times.Add(batch.Int(1, r)));
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
