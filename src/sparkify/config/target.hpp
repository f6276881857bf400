// Where the warehouse lives, as a URI (SPEC section 4):
//   duckdb:PATH            embedded DuckDB file (default duckdb:sparkify.duckdb);
//                          duckdb::memory: for a throwaway in-memory database
//   postgresql://... | postgres://... | "key=value ..."   a PostgreSQL server (libpq rules)
//   postgresql:            (nothing after the colon) the PostgreSQL server that dwh.cfg's
//                          [CLUSTER] section names (HOST DB_PORT DB_NAME DB_USER DB_PASSWORD)
//   redshift://...         Amazon Redshift (libpq + server-side COPY)
#pragma once

#include <string>
#include <string_view>

#include "sparkify/common/error.hpp"
#include "sparkify/config/ini_file.hpp"

namespace sparkify::config {

inline constexpr std::string_view kDefaultTarget = "duckdb:sparkify.duckdb";

struct Target {
  enum class Kind { kDuckDb, kPostgres, kRedshift };
  Kind kind = Kind::kDuckDb;
  std::string location;  // DuckDB: file path; others: the connection string as given
  // "postgresql:": `location` is empty and must be built from dwh.cfg [CLUSTER]
  // (ClusterConnInfo) by whoever holds the configuration.
  bool from_cluster_section = false;
};

Result<Target> ParseTarget(std::string_view uri);

// The target with any password removed, safe to print.
std::string RedactTarget(std::string_view uri);

// A libpq key=value connection string from dwh.cfg's [CLUSTER] section: HOST -> host,
// DB_PORT -> port, DB_NAME -> dbname, DB_USER -> user, DB_PASSWORD -> password. A key whose
// PG* variable is set (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD) is left out so that
// the environment wins over dwh.cfg, as for every setting, and libpq reads it from there;
// missing keys are left to libpq too (~/.pgpass, defaults). kConfig when the section holds
// none of the five keys. The result may contain the password: never print it.
Result<std::string> ClusterConnInfo(const IniFile& cfg, std::string_view cfg_name);

}  // namespace sparkify::config
