// A fake Amazon Redshift for tests: an engine::Engine whose dialect() is kRedshift, running on a
// PostgreSQL 15 database of the test server (PgTestDatabase) and reading S3 through sparkify's
// own S3 client (moto in the tests), so that pipeline::RunRedshiftEtl runs end to end on
// loopback. It is a RedshiftEngine (same connection handling, transactions, queries and
// OpenBulkLoader) whose Execute() translates what PostgreSQL lacks:
//
// Emulated:
//   - DDL: CREATE TABLE statements lose DISTSTYLE, DISTKEY, [COMPOUND|INTERLEAVED] SORTKEY
//     (table and column forms), and IDENTITY(seed, step) becomes PostgreSQL's identity
//     (RewriteRedshiftDdl). Every other statement reaches PostgreSQL unchanged.
//   - COPY <table> [(columns)] FROM 's3://...' FORMAT [AS] JSON 'auto' | 'auto ignorecase' |
//     's3://jsonpaths' [MANIFEST] [MAXERROR n], with IAM_ROLE / CREDENTIALS, REGION,
//     TIMEFORMAT, DATEFORMAT, COMPUPDATE and STATUPDATE accepted and ignored. Redshift's object
//     rule: without MANIFEST every object whose key starts with the FROM prefix is read (any
//     name, not only *.json, and not only "folder" children); with MANIFEST exactly the
//     manifest's entries ({"entries": [{"url": ..., "mandatory": ...}]}; a missing mandatory
//     entry fails the COPY, a missing optional one is skipped). No object under the prefix
//     fails the COPY, as on Redshift.
//   - Records are parsed by sparkify's own parsers (pipeline::StageFiles): the song-file parser
//     or the JSON-lines event parser, whichever record kind the target columns name (JSON
//     'auto' matches keys to column names; a JSONPaths file maps its top-level paths, in
//     order, onto the columns). A target column no key or path feeds is loaded as NULL.
//     Good rows go into the target table (any name, temporary tables included) over the
//     engine's own connection, so inside the caller's transaction; rejected records go to
//     sys_load_error_detail. More rejects than MAXERROR (default 0) fail the statement with
//     Redshift's "Load into table 'x' failed. Check 'sys_load_error_detail' system table for
//     details." and load nothing. Any failed COPY is raised by the server (SQLSTATE XX000), so
//     the open transaction is aborted as on Redshift.
//   - System objects, created once per database in the public schema (sparkify drops none):
//     sys_load_detail (one row per object read: full s3:// file_name, bytes_scanned,
//     lines_scanned = records read, file_etag, file_last_modified), sys_load_error_detail (one
//     row per rejected record: file_name, line_number, column_name and column_type when the
//     reason names a field, error_message = sparkify's reason), and pg_last_copy_id() (the
//     query_id of this session's last COPY, -1 before the first). Character columns are
//     blank-padded char(n) as on Redshift (readers trim()). Like Redshift's system tables they
//     are written outside the caller's transaction (over a second connection): a COPY that
//     failed, or whose transaction rolled back, still leaves its rows there.
//
// Not emulated (differences that matter when reading a test result):
//   - Redshift's own JSON reading: 'auto' key matching, type coercion, required fields and
//     what counts as a bad record are sparkify's parser's rules (parse/records.hpp), e.g. a
//     song object with a missing song_id is rejected here but loaded as NULL by Redshift, and
//     an object holding several song records is one rejected record here. lines_scanned counts
//     records (blank event lines left out); a rejected record's line_number is its first line.
//   - TIMEFORMAT/DATEFORMAT are not applied (sparkify's staging has no timestamp columns);
//     IAM_ROLE, REGION and CREDENTIALS are ignored: objects are read with the credentials,
//     region and endpoint the test environment gives sparkify's S3 client.
//   - Other COPY formats and options (CSV, GZIP, TRUNCATECOLUMNS, ...) fail with
//     kInvalidArgument; COPY into a schema-qualified or quoted table name likewise.
//   - Other Redshift-only SQL (ENCODE, BACKUP NO, Redshift functions) reaches PostgreSQL as it
//     is, and string literals keep their backslashes (Redshift reads '\\' as one backslash).
//   - PostgreSQL enforces the primary and foreign keys Redshift only records: stricter here.
//   - Isolation is PostgreSQL's (READ COMMITTED), not Redshift's serializable snapshots.
//   - Rows of one COPY are held in memory until its end: meant for test-sized data.
//
// Threads and lifetime: as engine::Engine; the engine must not outlive its PgTestDatabase.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/source/source.hpp"
#include "testing/pg_testing.hpp"

namespace sparkify::testing {

// Opens the fake on `db`: creates the system objects (once per database), connects twice
// (the session and the system-table writer), sets the session up as engine::OpenRedshift
// does, and prepares an S3 client from `s3` (endpoint, anonymous requests) plus the
// environment's credentials and region. Describe() is "fake-redshift:<database>".
Result<std::unique_ptr<engine::Engine>> OpenFakeRedshift(const PgTestDatabase& db,
                                                         const source::SourceOptions& s3);

// A COPY statement as the fake understands it.
struct RedshiftCopy {
  std::string table;                 // lower-cased
  std::vector<std::string> columns;  // the column list, lower-cased; empty: every column
  std::string from;                  // s3:// prefix, or the manifest object with `manifest`
  std::string json = "auto";         // "auto", "auto ignorecase", or an s3:// JSONPaths file
  bool manifest = false;
  uint64_t max_errors = 0;  // MAXERROR; Redshift's default is 0
};

// The COPY in `statement`, nullopt when it is not a COPY, kInvalidArgument for a COPY the fake
// does not emulate (a format or option not listed above) or cannot read.
Result<std::optional<RedshiftCopy>> ParseRedshiftCopy(std::string_view statement);

// `statement` with Redshift's table attributes rewritten for PostgreSQL when it is a CREATE
// TABLE (see above); any other statement unchanged.
std::string RewriteRedshiftDdl(std::string_view statement);

// Splits SQL text at the ';' that end statements (not those inside quotes, comments or dollar
// quotes); statements holding only blanks and comments are left out.
std::vector<std::string> SplitSqlStatements(std::string_view sql);

}  // namespace sparkify::testing
