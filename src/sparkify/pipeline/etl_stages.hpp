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

// Sets the engine's memory limit to `limit` ("32MB"); returns the limit it had, as the engine
// reports it (DuckDB: to a tenth of a MiB).
Result<std::string> SwapMemoryLimit(engine::Engine& engine, const std::string& limit);
// Creates the tables and loads every file of the run's load lists (LoadMode kFull and
// kRebuild; etl_full.cpp). When it bounds the engine's memory (the direct transform with a
// load_memory_limit, on DuckDB: sql::BoundsEngineMemory), the song tables go in under limits of
// a few MiB (etl_full.cpp), the events under load_memory_limit less what the song index's match
// table holds (at least 16 MiB; the events hold that table), the transform under
// transform_memory_limit, and the engine's own is back in place afterwards; `engine_limit` is
// then set to the engine's own, as it reported it before the load, else left alone.
Status LoadEverything(engine::Engine& engine, const EtlOptions& options, Sources& sources,
                      EtlReport& report, std::vector<StagedFiles>& staged,
                      std::string& engine_limit);
// The events' memory limit in a full load whose song index holds `song_index_bytes` (its match
// table, which the events need): `load_limit` less those bytes, so that the index and DuckDB
// share one budget (L's 100,000 songs: 11 MB; its events plateau at one thread fell from 101 to
// 91 MB, docs/BENCHMARKS.md, session 17), but not under 16 MiB. `load_limit` itself when it is
// 16 MiB or less, or not a size this reads ("32MB", "1.5GiB", "40000KiB"; DuckDB judges it).
std::string EventsMemoryLimit(const std::string& load_limit, uint64_t song_index_bytes);
// For a full load's commit, after a LoadEverything that bounded memory: lowers the limit to
// 24 MiB plus what DuckDB's key indexes take (they cannot be evicted); the caller sets the
// engine's own back once the transaction has ended. The commit writes what the transaction
// holds and frees those pages as it goes: under the engine's own 128 MB L's commit peaked at
// 122 MB, under 33.5 at ~100, while 300,000 song files failed to commit under a flat 32 MB
// (docs/BENCHMARKS.md, session 16).
Status LimitMemoryForCommit(engine::Engine& engine);
// Appends the plays of new event files (LoadMode kAppend; etl_append.cpp).
Status AppendEvents(engine::Engine& engine, const EtlOptions& options,
                    const std::vector<source::SourceFile>& files, uint64_t file_index_base,
                    source::Source& source, EtlReport& report, std::vector<StagedFiles>& staged,
                    std::vector<source::SourceFile>& staged_files);

}  // namespace sparkify::pipeline
