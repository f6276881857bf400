// The SQL dialects sparkify speaks. The catalog (sql/catalog.hpp) holds one default text per
// statement and an override only where a dialect differs.
#pragma once

#include <string_view>

namespace sparkify::sql {

enum class Dialect { kDuckDb, kPostgres, kRedshift };

std::string_view DialectName(Dialect dialect);

}  // namespace sparkify::sql
