// Client-side bulk loading into PostgreSQL: COPY ... FROM STDIN, fed from ColumnBatches.
//
// Both COPY formats are implemented; binary is the default. Measured with
// bench/pg_copy_format_bench.cpp (staging_events from the public sample, 1,000,080 rows per
// load, PostgreSQL 15 on the same 2-core machine over its unix socket, median of 5):
//   binary: 1.5-2.6 s wall, client CPU 0.27-0.31 s, server CPU 1.08-1.11 s, 315 MB sent
//   text:   2.3-3.0 s wall, client CPU 0.52-0.55 s, server CPU 1.28-1.31 s, 255 MB sent
// Binary wins on both ends' CPU (no number formatting here, no number parsing there) and is
// exact by construction (the IEEE-754 bits of each double travel as they are); text sends
// about 19% fewer bytes, which matters only on a slow link, hence SPARKIFY_PG_COPY_FORMAT
// (docs/POSTGRES.md). Text is exact too: doubles go out as their shortest round-trip decimal.
// Rows are never sent one INSERT at a time. Memory is bounded: rows are encoded into one
// buffer that is handed to libpq every kCopyFlushBytes.
#pragma once

#include <memory>
#include <string>

#include "sparkify/common/column_batch.hpp"
#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/engine/postgres/pg_connection.hpp"
#include "sparkify/sql/bulk_load.hpp"

namespace sparkify::engine {

// Encodes rows in one COPY format (https://www.postgresql.org/docs/15/sql-copy.html).
// Stateless apart from the format; thread-compatible.
class CopyEncoder {
 public:
  explicit CopyEncoder(sql::CopyFormat format) : format_(format) {}

  // Binary: the 19-byte signature, flags and header extension. Text: nothing.
  void AppendHeader(std::string& out) const;
  // One row of `batch`. Text format escapes backslash, tab, newline and carriage return and
  // writes NULL as \N; binary writes int8 and float8 in network byte order.
  void AppendRow(const ColumnBatch& batch, size_t row, std::string& out) const;
  // Binary: the -1 file trailer. Text: nothing.
  void AppendTrailer(std::string& out) const;

 private:
  sql::CopyFormat format_;
};

inline constexpr size_t kCopyFlushBytes = 256 << 10;

// Starts COPY <table> (<columns>) FROM STDIN on `conn` and returns a loader for it.
// `conn` and `table` must outlive the loader, and `conn` runs nothing else until the loader
// is finished or destroyed. Finish() sends the rest, ends the COPY and checks that the server
// stored exactly the rows appended; destroying an unfinished loader abandons the COPY (the
// server then fails it, which aborts the surrounding transaction).
Result<std::unique_ptr<BulkLoader>> OpenCopyLoader(PgConnection& conn, const TableSchema& table,
                                                   sql::CopyFormat format);

}  // namespace sparkify::engine
