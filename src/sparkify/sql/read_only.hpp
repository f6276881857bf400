// The read-only guard for SQL a person types (`sparkify query --sql`) or keeps in a check
// folder (`sparkify check --checks-dir`).
//
// Two layers, because neither is enough alone:
//   1. This lexical guard: exactly one statement, and it must start with a reading keyword
//      (select, with, values, table, from, show, describe, summarize, explain). `explain` must
//      be followed (after analyze/verbose/an option list) by a reading keyword too, because
//      `explain analyze` runs its statement. String literals, quoted identifiers, dollar
//      quotes and comments are skipped, so a ';' or keyword inside them does not count.
//      It stops the statements a transaction cannot undo or a read-only transaction does not
//      cover: DuckDB's COPY ... TO a file, ATTACH, INSTALL/LOAD, SET, PRAGMA, CHECKPOINT,
//      and a second statement such as "select 1; commit; drop table ...".
//   2. The caller runs the statement inside Engine::BeginReadOnly() ... Rollback(), so a write
//      hidden in an allowed form (PostgreSQL's `with d as (delete ... returning *) select`,
//      a volatile function) is refused by the engine or undone.
// The guard is deliberately conservative: it may refuse an exotic read (then run it with the
// engine's own client), it must never let a write through on its own.
#pragma once

#include <string>
#include <string_view>

#include "sparkify/common/error.hpp"

namespace sparkify::sql {

// Ok when `sql` is one reading statement (a trailing ';' and comments are fine); otherwise
// kInvalidArgument saying why. Never touches a database.
Status CheckReadOnlyStatement(std::string_view sql);

// `sql` without trailing whitespace, comments and semicolons, so it can be nested as a
// subquery. Assumes CheckReadOnlyStatement(sql) is ok.
std::string StripStatementEnd(std::string_view sql);

}  // namespace sparkify::sql
