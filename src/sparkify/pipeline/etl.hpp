// etl: stage the raw data, transform it into the star schema, record load errors, the load
// manifest and the run, all in one transaction: on any failure (including too many bad
// records) nothing is committed and the database is as it was before the run. By default a
// run loads only what the manifest does not hold yet (pipeline/manifest.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/parse/load_error.hpp"
#include "sparkify/pipeline/manifest.hpp"
#include "sparkify/pipeline/stage.hpp"
#include "sparkify/source/source.hpp"
#include "sparkify/sql/dialect.hpp"

namespace sparkify::pipeline {

// How the star is built from the raw records. Both give the same star row for row (tested).
enum class Transform {
  kDirect,  // computed in C++ while parsing (pipeline/star_builder.hpp); staging only if kept
  kSql,     // staging tables loaded, then the SQL transform of the catalog
};

struct EtlOptions {
  std::string songs;   // location of song files (folder, file or s3://)
  std::string events;  // location of event files
  int threads = 1;
  std::optional<uint64_t> max_errors;  // fail when more bad records than this; none = no limit
  Transform transform = Transform::kDirect;
  bool keep_staging = false;     // kDirect: also fill the staging tables (kSql always does)
  source::SourceOptions source;  // how to reach s3:// locations
  bool full_refresh = false;     // rebuild from every listed file, whatever the manifest says
  std::string arguments;         // the command line, secrets removed, for the runs table
  // DuckDB (sql::BoundsEngineMemory): its memory limit while a full direct load streams the
  // event files in ("32MB"); the transform then runs under transform_memory_limit, or the
  // engine's own, and the engine's own is restored after. The song tables and the commit run
  // under limits of their own that follow what DuckDB cannot evict (etl_stages.hpp). Empty:
  // unchanged. Streaming needs little; a higher limit only lets the buffer pool keep blocks it
  // has written (docs/BENCHMARKS.md).
  std::string load_memory_limit;
  // With load_memory_limit: the limit for the transform that follows ("24MB"); empty: the
  // engine's own. The engine's own is restored after the transform either way.
  std::string transform_memory_limit;
};

struct TableCount {
  std::string table;
  int64_t rows = 0;
};

struct PhaseTiming {
  // list, stage_songs, stage_events, transform, commit; then sub-phases of the staging phases
  // (name.read_parse, name.append), which overlap each other.
  std::string phase;
  double seconds = 0;
};

struct EtlReport {
  LoadPlan plan;       // what the run found to load, and how (pipeline/manifest.hpp)
  int64_t run_id = 0;  // its row in the runs table
  uint64_t plays_added = 0;
  StageStats songs;
  StageStats events;
  std::vector<parse::LoadError> load_errors;  // sorted by table, file, line
  std::vector<TableCount> counts;             // after commit, every table
  std::vector<PhaseTiming> timings;
};

Result<EtlReport> RunEtl(engine::Engine& engine, const EtlOptions& options);

// What a run would do, for `etl --dry-run`: the files it would read and every step in order
// (SQL text rendered for `dialect`, or a description for a bulk load, which is not SQL).
struct EtlStep {
  std::string name;         // "drop_tables", "load staging_songs", "insert_dim_user"
  std::string sql;          // empty for bulk loads
  std::string description;  // for bulk loads: what is loaded and how; else a note, or empty
};
struct EtlPlan {
  std::vector<source::SourceFile> song_files;
  std::vector<source::SourceFile> event_files;
  std::vector<EtlStep> steps;  // all inside one transaction
};

// Lists both locations (S3 listings are requests, but nothing is downloaded) and renders the
// statements; touches no database.
Result<EtlPlan> PlanEtl(const EtlOptions& options, sql::Dialect dialect);

// What the next etl would load (`sparkify status`, `etl --plan`): lists the sources, reads the
// manifest in a read-only transaction (checksumming files whose modification time changed)
// and the last runs. Changes nothing.
struct LoadStatus {
  LoadPlan plan;
  std::vector<source::SourceFile> song_files;
  std::vector<source::SourceFile> event_files;
  bool loaded_before = false;       // the database holds a load manifest
  engine::QueryResult recent_runs;  // newest first; empty before the first run
};
Result<LoadStatus> InspectLoad(engine::Engine& engine, const EtlOptions& options);

// Row counts of every sparkify table.
Result<std::vector<TableCount>> CountRows(engine::Engine& engine);

}  // namespace sparkify::pipeline
