// Where the warehouse lives, as a URI (SPEC section 4):
//   duckdb:PATH            embedded DuckDB file (default duckdb:sparkify.duckdb);
//                          duckdb::memory: for a throwaway in-memory database
//   postgresql://... | postgres://... | "key=value ..."   a PostgreSQL server (libpq rules)
//   redshift://...         Amazon Redshift (libpq + server-side COPY)
#pragma once

#include <string>
#include <string_view>

#include "sparkify/common/error.hpp"

namespace sparkify::config {

inline constexpr std::string_view kDefaultTarget = "duckdb:sparkify.duckdb";

struct Target {
  enum class Kind { kDuckDb, kPostgres, kRedshift };
  Kind kind = Kind::kDuckDb;
  std::string location;  // DuckDB: file path; others: the connection string as given
};

Result<Target> ParseTarget(std::string_view uri);

// The target with any password removed, safe to print.
std::string RedactTarget(std::string_view uri);

}  // namespace sparkify::config
