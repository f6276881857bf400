#include "sparkify/sql/dialect.hpp"

namespace sparkify::sql {

std::string_view DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kDuckDb:
      return "duckdb";
    case Dialect::kPostgres:
      return "postgres";
    case Dialect::kRedshift:
      return "redshift";
  }
  return "unknown";
}

}  // namespace sparkify::sql
