// etl: stage the raw data, transform it into the star schema, record load errors, all in one
// transaction: on any failure (including too many bad records) nothing is committed and the
// database is as it was before the run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/parse/load_error.hpp"
#include "sparkify/pipeline/stage.hpp"

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
  bool keep_staging = false;  // kDirect: also fill the staging tables (kSql always does)
};

struct TableCount {
  std::string table;
  int64_t rows = 0;
};

struct PhaseTiming {
  std::string phase;  // list, stage_songs, stage_events, transform, commit
  double seconds = 0;
};

struct EtlReport {
  StageStats songs;
  StageStats events;
  std::vector<parse::LoadError> load_errors;  // sorted by table, file, line
  std::vector<TableCount> counts;             // after commit, every table
  std::vector<PhaseTiming> timings;
};

Result<EtlReport> RunEtl(engine::Engine& engine, const EtlOptions& options);

// Row counts of every sparkify table.
Result<std::vector<TableCount>> CountRows(engine::Engine& engine);

}  // namespace sparkify::pipeline
