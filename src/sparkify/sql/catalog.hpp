// Every SQL statement sparkify runs, in one place (SQL never appears elsewhere in the code).
//
// Each statement has one default text, written once, with a few dialect macros where engines
// spell the same thing differently (in the spirit of dbt's per-adapter macros):
//   {{text}}     a string column type          duckdb: varchar   postgres: text collate "C"
//   {{double}}   a float8 column type          duckdb: double    postgres: double precision
//   {{ts_to_timestamp}}  staging `ts` (epoch ms, UTC) as a UTC timestamp with ms precision
// A full per-dialect override exists only where a statement differs as a whole.
// Rendered text is lowercase SQL, CTEs named for their step.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "sparkify/common/error.hpp"
#include "sparkify/sql/dialect.hpp"

namespace sparkify::sql {

enum class Stmt {
  kDropTables,        // drop every sparkify table (fact first: it references the dimensions)
  kCreateStaging,     // staging_events, staging_songs
  kCreateStar,        // dimensions, then fact_songplay with its foreign keys
  kCreateLoadErrors,  // load_errors
  kInsertDimArtist,
  kInsertDimSong,
  kInsertDimUser,
  kInsertDimTime,
  kInsertFactSongplay,
  kTableRowCounts,   // one row per table: table_name, row_count
  kCreateFactLoad,   // direct transform: a constraint-free temporary table for the plays
  kPublishFactLoad,  // direct transform: move the plays into fact_songplay, drop the temp
  // Redshift only (server-side load); values via RenderOptions::values, each a literal made by
  // QuoteLiteral: songs, events, jsonpaths, iam_role, region, max_errors (a number), table.
  kCopyStagingSongs,
  kCopyStagingEvents,
  kInsertCopyErrors,  // sys_load_error_detail of the last COPY -> load_errors
  kSelectLoadErrors,  // table_name, file, line, reason, excerpt of every load error
  // Incremental loads (pipeline/manifest.hpp). The state tables hold what a run needs to
  // resume from: the load manifest, the runs, each user's latest event, the song matches.
  kDropRuns,              // create-tables only: the runs log survives etl --full-refresh
  kCreateManifest,        // load_manifest
  kDropManifest,          // load_manifest, to recreate it (a legacy manifest's conversion)
  kCreateLoadState,       // etl_user_latest, etl_song_match; runs if missing
  kLoadStateExists,       // count of the tables an incremental run needs (kLoadStateTables)
  kTryLockEtl,            // one etl per database: true if taken (PostgreSQL advisory lock)
  kMemoryLimit,           // DuckDB (BoundsEngineMemory): the engine's memory limit
  kSetMemoryLimit,        // DuckDB: set it (value)
  kKeyIndexBytes,         // DuckDB: bytes its key indexes take in memory
  kLockEtl,               // kTryLockEtl's lock, waiting for it
  kLockManifest,          // Redshift's etl lock: load_manifest, until the transaction ends
  kSelectManifest,        // kind, file, location, size_bytes, modified_at (epoch ms), etag,
                          // checksum, run_id, rows_loaded, rows_rejected
  kSelectLegacyManifest,  // the same of a manifest without `location` (file as location)
  kManifestHasLocation,   // 1 when load_manifest has the `location` column, else 0
  kCreateManifestMoves,   // etl_manifest_moves (kind, file, location), empty
  kApplyManifestMoves,    // etl_manifest_moves -> load_manifest.location; drops it
  kNextRunId,             // 1 + the largest run_id
  kMaxSongplayId,         // the largest songplay_id, 0 when there are no plays
  kSelectSongMatch,       // etl_song_match rows
  kSelectUserState,       // user_id, ts, session_id, item_in_session, level, first/last, gender
  kCreateUpsertLoads,     // etl_user_load and etl_time_load, empty
  kUpsertUsers,           // etl_user_load -> dim_user and etl_user_latest (insert or update)
  kInsertNewTimes,        // etl_time_load -> dim_time, times already there left alone
  kDropUpsertLoads,
  kInsertSongMatch,   // SQL transform: staging_songs -> etl_song_match
  kInsertUserLatest,  // SQL transform: staging_events -> etl_user_latest
  kSelectRecentRuns,  // the last runs, newest first
  kAddDeferredKeys,   // the primary keys a full load left out (RenderOptions::deferred_keys)
  // Redshift incremental loads (pipeline::RunRedshiftEtl): COPY the new files into
  // etl_events_new, then the transform with RenderOptions::append.
  kCreateCopiedFiles,     // etl_copied_files: the files each COPY read, for this run
  kRecordCopiedFiles,     // the last COPY's files (sys_load_detail); value kind
  kSelectCopiedFiles,     // kind, file, lines
  kCreateEventsNew,       // etl_events_new, shaped like staging_events
  kNewPlaysFollowLoaded,  // true when every new play sorts after every loaded one
  kFillUserLoad,          // etl_user_load: the users the new events change
  kKeepNewEvents,         // etl_events_new -> staging_events
  // Diagnostics (`sparkify debug`, `cluster status`): one row, the server's version string;
  // proves a connection runs statements.
  kServerVersion,
};

// How many tables kLoadStateExists counts when every one an incremental run needs exists.
inline constexpr int kLoadStateTables = 11;

struct RenderOptions {
  // Redshift table attributes (DISTSTYLE/DISTKEY/SORTKEY) replacing the defaults, by table.
  std::map<std::string, std::string> table_attributes;
  // {{$name}} values, already rendered as SQL (QuoteLiteral for strings).
  std::map<std::string, std::string> values;
  // kCreateStar without the primary keys of its two big tables (fact_songplay, dim_time) and
  // the fact's foreign keys, which kAddDeferredKeys adds once they are loaded: building an
  // index over loaded rows, or checking a key with one join, costs a fraction of checking each
  // appended row (docs/BENCHMARKS.md).
  bool deferred_keys = false;
  // Redshift's incremental transform (kInsertDimTime, kInsertFactSongplay, kCopyStagingEvents):
  // events from etl_events_new (the new files only) instead of staging_events, plays numbered
  // after the largest songplay_id, and only the start times dim_time lacks.
  bool append = false;
};

// The statement's text in `dialect`, macros expanded.
std::string Render(Stmt stmt, Dialect dialect);
std::string Render(Stmt stmt, Dialect dialect, const RenderOptions& options);

// `value` as a SQL string literal for PostgreSQL and Redshift: in single quotes, with every
// quote and (Redshift treats it as an escape) every backslash doubled. The one place that
// turns configuration values (S3 paths, role ARNs, regions) into SQL.
std::string QuoteLiteral(std::string_view value);

// Checks per-table Redshift attribute overrides (dwh.cfg [REDSHIFT] <TABLE>_DIST, table
// names lower-case): known tables, and only names, parentheses, commas and spaces.
Result<std::map<std::string, std::string>> RedshiftTableAttributes(
    const std::map<std::string, std::string>& overrides);
// A short name for logs and --dry-run ("insert_dim_user").
std::string_view StmtName(Stmt stmt);

// The transform from staging to the star, in dependency order.
std::span<const Stmt> TransformStatements();
// create-tables: drop everything (the runs log included), then create staging, star,
// load_errors and the load state tables.
std::span<const Stmt> CreateTablesStatements();
// etl's full load (first run, --full-refresh, or a rebuild): the same, keeping the runs log.
std::span<const Stmt> RebuildTablesStatements();

// Whether the dialect's DDL declares foreign keys. DuckDB's are left undeclared: it checks
// each inserted row against the referenced index, which costs more than the rest of the load;
// `sparkify check` verifies them there. When keys are declared, rows referencing a dimension
// can only be loaded after it.
bool DeclaresForeignKeys(Dialect dialect);

// Whether a full load defers the big tables' keys (RenderOptions::deferred_keys): PostgreSQL
// (the fact's foreign keys too). Not Redshift, whose keys are informational, nor DuckDB, where
// the primary keys of fact_songplay and dim_time are never enforced: DuckDB builds such an
// index at commit from the whole transaction, in memory (an 8 M-row dim_time key cost 300 MB
// and 6 s); the pipeline guarantees them by construction and `sparkify check` verifies them.
bool DefersKeys(Dialect dialect);

// Whether the engine's memory limit can be lowered while a full direct load streams rows in
// (kMemoryLimit, kSetMemoryLimit: DuckDB, whose buffer pool otherwise fills to its limit with
// blocks already written).
bool BoundsEngineMemory(Dialect dialect);

// The tables sparkify owns, in the order their row counts are reported.
std::span<const std::string_view> AllTables();

}  // namespace sparkify::sql
