// The parts of an etl run that the full load (etl_full.cpp) and the incremental append
// (etl_append.cpp) share: staging the event files into plays, the dimension loads, load errors
// and the database lock. Internal to pipeline/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/common/column_batch.hpp"
#include "sparkify/common/distinct_spill.hpp"
#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/parse/load_error.hpp"
#include "sparkify/pipeline/etl.hpp"
#include "sparkify/pipeline/run_support.hpp"
#include "sparkify/pipeline/stage.hpp"
#include "sparkify/pipeline/star_builder.hpp"
#include "sparkify/source/source.hpp"

namespace sparkify::pipeline {

// Bulk loads into several tables through one open loader at a time (a PostgreSQL connection
// runs one COPY at a time): switching tables finishes the current load and opens the next.
class LoaderSwitch {
 public:
  explicit LoaderSwitch(engine::Engine& engine) : engine_(engine) {}
  Status Append(const TableSchema& schema, const ColumnBatch& batch);
  Status Finish();

 private:
  engine::Engine& engine_;
  const TableSchema* schema_ = nullptr;
  std::unique_ptr<engine::BulkLoader> loader_;
};

// Staging event files: what it reads and where the rows go, and what it gives back.
struct EventStaging {
  engine::Engine* engine = nullptr;
  source::Source* source = nullptr;
  const std::vector<source::SourceFile>* files = nullptr;  // in load order
  bool direct = true;                  // map events to plays (the direct transform)
  bool stage_raw = false;              // also load staging_events
  const TableSchema* plays = nullptr;  // fact_songplay, or the temporary table plays wait in
  int64_t first_songplay_id = 1;       // plays are numbered from it in load order
  const SongIndex* songs = nullptr;    // what plays match
  StageOptions options;
  parse::LoadErrorSink* sink = nullptr;
  // Filled: each worker's mapper (its users), every play's start time, the plays numbered.
  std::vector<PlayMapper> mappers;
  DistinctSpill start_times;
  uint64_t plays_added = 0;
};
Result<StageStats> StageEvents(EventStaging& staging);
// A run's event stage: StageEvents timed as the phase "stage_events" into report.events and
// report.plays_added, then the run's bad records checked (CheckLoadErrors) and stored.
Status StageEventsOfRun(EventStaging& staging, const EtlOptions& options, EtlReport& report,
                        parse::CollectingSink& sink);

// Sets the engine setting that `read` reads and `set` sets (its {{$value}}: `value`, rendered as
// SQL) and returns the value it had, as the engine reports it; `what` names it in errors.
Result<std::string> SwapEngineSetting(engine::Engine& engine, sql::Stmt read, sql::Stmt set,
                                      const std::string& value, std::string_view what);

// Loads the distinct `start_times`, ascending, with their calendar fields into `schema`
// (dim_time, or the incremental run's etl_time_load) through one parallel load; the spill is
// empty afterwards.
Status LoadTimes(engine::Engine& engine, const TableSchema& schema, DistinctSpill& start_times);
// The run's bad records, sorted, summarised on stderr and into report.load_errors; kTooMany-
// LoadErrors past --max-errors.
Status CheckLoadErrors(EtlReport& report, const EtlOptions& options, parse::CollectingSink& sink);
Status StoreLoadErrors(engine::Engine& engine, const std::vector<parse::LoadError>& errors);
// One etl per database at a time; a second run waits (PostgreSQL advisory lock, released by
// the server when a killed run's connection dies).
Status LockDatabase(engine::Engine& engine);

// Creates the tables and loads every file of the run's load lists (LoadMode kFull and
// kRebuild; etl_full.cpp).
Status LoadEverything(engine::Engine& engine, const EtlOptions& options, Sources& sources,
                      EtlReport& report, std::vector<StagedFiles>& staged);
// Appends the plays of new event files (LoadMode kAppend; etl_append.cpp).
Status AppendEvents(engine::Engine& engine, const EtlOptions& options,
                    const std::vector<source::SourceFile>& files, uint64_t file_index_base,
                    source::Source& source, EtlReport& report, std::vector<StagedFiles>& staged,
                    std::vector<source::SourceFile>& staged_files);

}  // namespace sparkify::pipeline
