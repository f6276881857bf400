// Client-side bulk loading into PostgreSQL: COPY ... FROM STDIN, fed from ColumnBatches.
//
// Both COPY formats are implemented; binary is the default (docs/POSTGRES.md has the
// measurement). Either way doubles arrive bit-exact (binary: the IEEE-754 bits; text: the
// shortest decimal that reads back to the same double) and rows are never sent one INSERT
// at a time. Memory is bounded: rows are encoded into one buffer that is handed to libpq
// every kFlushBytes.
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
