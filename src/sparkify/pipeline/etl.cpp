#include "sparkify/pipeline/etl.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "sparkify/common/log.hpp"
#include "sparkify/pipeline/create_tables.hpp"
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

Status StoreLoadErrors(engine::Engine& engine, const std::vector<parse::LoadError>& errors) {
  const TableSchema& schema = LoadErrorsSchema();
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<engine::BulkLoader> loader,
                            engine.OpenBulkLoader(schema));
  ColumnBatch batch(schema);
  for (const parse::LoadError& e : errors) {
    const FieldValue row[] = {FieldValue::Text(e.table),
                              FieldValue::Text(e.file),
                              FieldValue::Int(static_cast<int64_t>(e.line)),
                              FieldValue::Int(static_cast<int64_t>(e.byte_offset)),
                              FieldValue::Text(e.reason),
                              FieldValue::Text(e.excerpt)};
    batch.AppendRow(row);
    if (batch.rows() >= 4096) {
      SPARKIFY_RETURN_IF_ERROR(loader->Append(batch));
      batch.Clear();
    }
  }
  if (!batch.empty()) SPARKIFY_RETURN_IF_ERROR(loader->Append(batch));
  return loader->Finish();
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

Result<EtlReport> RunInTransaction(engine::Engine& engine, const EtlOptions& options) {
  EtlReport report;
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<source::Source> song_source,
                            source::OpenSource(options.songs));
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<source::Source> event_source,
                            source::OpenSource(options.events));
  std::vector<source::SourceFile> song_files, event_files;
  {
    Phase phase(report.timings, "list");
    Result<std::vector<source::SourceFile>> songs = song_source->List();
    if (!songs.ok()) return songs.take_error().WithContext("listing song files");
    Result<std::vector<source::SourceFile>> events = event_source->List();
    if (!events.ok()) return events.take_error().WithContext("listing event files");
    song_files = std::move(songs).value();
    event_files = std::move(events).value();
  }
  if (song_files.empty()) log::Warn("no song files (*.json) under " + options.songs);
  if (event_files.empty()) log::Warn("no event files (*.json) under " + options.events);
  log::Info("found " + log::WithThousands(song_files.size()) + " song files and " +
            log::WithThousands(event_files.size()) + " event files");

  SPARKIFY_RETURN_IF_ERROR(CreateTablesInTransaction(engine));
  parse::CollectingSink sink;
  StageOptions stage_options;
  stage_options.threads = options.threads;
  {
    Phase phase(report.timings, "stage_songs");
    Result<StageStats> s =
        StageFiles(RawKind::kSongs, *song_source, song_files, engine, sink, stage_options);
    if (!s.ok()) return s.take_error().WithContext("staging songs");
    report.songs = *s;
  }
  {
    Phase phase(report.timings, "stage_events");
    Result<StageStats> s =
        StageFiles(RawKind::kEvents, *event_source, event_files, engine, sink, stage_options);
    if (!s.ok()) return s.take_error().WithContext("staging events");
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
    for (sql::Stmt stmt : sql::TransformStatements()) {
      log::Verbose("running " + std::string(sql::StmtName(stmt)));
      Status s = engine.Execute(sql::Render(stmt, engine.dialect()));
      if (!s.ok()) return s.take_error().WithContext(std::string(sql::StmtName(stmt)));
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
