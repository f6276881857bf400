// etl on Amazon Redshift: the cluster loads staging itself with COPY from S3 (with its IAM
// role), then the catalog's SQL transform builds the star. Like every etl, a run is one
// transaction and loads only what the manifest does not hold yet (pipeline/manifest.hpp):
//   - sparkify lists the S3 locations (with the caller's AWS credentials) and plans as on the
//     other engines;
//   - a full load or rebuild COPYs each location as a whole; an incremental run COPYs only the
//     new event files (CopyPrefixes: a few exact key prefixes) into etl_events_new, then
//     inserts their times and plays and MERGEs the users they change. Redshift numbers plays by
//     time (COPY keeps no load order), so appending is exact only when every new play is later
//     than every loaded one; otherwise the run rebuilds, in the same transaction;
//   - every COPY's files are read back from sys_load_detail: a COPY that read an object the
//     listing did not hold (not *.json, hidden, or written during the run) fails the run;
//   - the records COPY rejected come from sys_load_error_detail into load_errors; the manifest
//     holds, per file, the lines COPY scanned less those rejected.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/pipeline/etl.hpp"
#include "sparkify/source/source.hpp"

namespace sparkify::pipeline {

struct RedshiftLoadOptions {
  std::string songs;         // s3:// location of the song files ([S3] SONG_DATA)
  std::string events;        // s3:// location of the event files ([S3] LOG_DATA)
  std::string jsonpaths;     // s3:// JSONPaths file for the events ([S3] LOG_JSONPATH)
  std::string iam_role_arn;  // [IAM_ROLE] ARN
  std::string region;        // the bucket's region
  uint64_t max_errors = 0;   // COPY MAXERROR per COPY, and the limit for the whole run
  std::map<std::string, std::string> table_attributes;  // sql::RedshiftTableAttributes
  source::SourceOptions source;                         // how this machine lists the locations
  bool full_refresh = false;                            // rebuild from every listed file
  std::string arguments;  // the command line, secrets removed, for the runs table
};

// The steps of a first (full) load, in order, inside one transaction, for etl --dry-run;
// nothing is listed (the cluster reads S3).
std::vector<EtlStep> PlanRedshiftEtl(const RedshiftLoadOptions& options);

// Runs a load on `engine` (a RedshiftEngine) as described above; on failure rolls back and
// records the failed run.
Result<EtlReport> RunRedshiftEtl(engine::Engine& engine, const RedshiftLoadOptions& options);

// The listing side of a Redshift load, for status / etl --plan (InspectLoad).
EtlOptions RedshiftListing(const RedshiftLoadOptions& options);

}  // namespace sparkify::pipeline
