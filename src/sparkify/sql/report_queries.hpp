// The SQL the HTML report runs besides the named query catalog (sql/named_queries.hpp): the
// data's time range and the load errors summary. Same text on every engine.
#pragma once

#include <cstdint>
#include <string>

#include "sparkify/sql/dialect.hpp"

namespace sparkify::sql {

// One row: first_play, last_play (timestamps, NULL when there are no plays).
std::string PlayTimeRange(Dialect dialect);
// One row per (table_name, reason_class), most errors first: table_name, reason_class (the
// reason up to its first ": ", e.g. `malformed JSON` or `field "ts"`), errors.
std::string LoadErrorsByClass(Dialect dialect);
// The first `limit` load errors by table, file, line: table_name, file, line, reason, excerpt.
std::string FirstLoadErrors(Dialect dialect, int64_t limit);

}  // namespace sparkify::sql
