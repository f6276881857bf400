// Statements that engines use to move data in and to set up a session, built from a table
// schema rather than written out, because the parsers' schemas (parse/records.hpp) are the one
// source of truth for staging columns. Like every SQL text, they live here in sql/.
#pragma once

#include <string>
#include <string_view>

#include "sparkify/common/column_batch.hpp"

namespace sparkify::sql {

// PostgreSQL COPY data formats (https://www.postgresql.org/docs/15/sql-copy.html).
enum class CopyFormat { kBinary, kText };

std::string_view CopyFormatName(CopyFormat format);  // "binary", "text"

// "copy <table> (<col>, ...) from stdin with (format <format>)". Table and column names must
// be plain lowercase identifiers ([a-z_][a-z0-9_]*), as every sparkify name is; anything else
// is a bug and asserts.
std::string RenderCopyFromStdin(const TableSchema& table, CopyFormat format);

// "insert into <table> (<col>, ...) values (...), (...)" holding rows [begin, end) of `batch`
// as literals: for engines without a client-side bulk path (Redshift), and only for the small
// tables sparkify writes itself (load manifest, runs). Same identifier rule as above.
// DuckDB: `insert into table (cols) select * from <feed>(<feed_id>)`, the rows of a table
// function the engine registers (engine/duckdb), run with preserve_insertion_order off so that
// DuckDB inserts in parallel (row order in the table carries no meaning: every query orders).
std::string RenderInsertFromFeed(const TableSchema& table, std::string_view feed_function,
                                 int64_t feed_id);

std::string RenderInsertValues(const ColumnBatch& batch, size_t begin, size_t end);

// Run once on every new PostgreSQL session so that results read the same on every server,
// whatever its configuration: ISO dates, UTC, shortest-exact float output.
std::string_view PostgresSessionSetup();
// Redshift has no intervalstyle; otherwise as PostgresSessionSetup.
std::string_view RedshiftSessionSetup();

}  // namespace sparkify::sql
