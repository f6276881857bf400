#include "sparkify/config/target.hpp"

#include <array>
#include <cstdlib>
#include <regex>

namespace sparkify::config {

Result<Target> ParseTarget(std::string_view uri) {
  if (uri.starts_with("duckdb:")) {
    std::string path(uri.substr(7));
    if (path.empty())
      return Error::InvalidArgument("target duckdb: needs a path, e.g. duckdb:sparkify.duckdb");
    return Target{Target::Kind::kDuckDb, path, false};
  }
  if (uri == "postgresql:" || uri == "postgres:") {
    return Target{Target::Kind::kPostgres, "", /*from_cluster_section=*/true};
  }
  if (uri.starts_with("postgresql://") || uri.starts_with("postgres://") ||
      (uri.find('=') != std::string_view::npos && uri.find("://") == std::string_view::npos)) {
    return Target{Target::Kind::kPostgres, std::string(uri), false};
  }
  if (uri == "redshift:") {
    return Target{Target::Kind::kRedshift, "", /*from_cluster_section=*/true};
  }
  if (uri.starts_with("redshift://")) {
    return Target{Target::Kind::kRedshift, std::string(uri), false};
  }
  return Error::InvalidArgument(
      "unknown target \"" + RedactTarget(uri) +
      "\": use duckdb:PATH, postgresql://USER@HOST:PORT/DB (or a libpq key=value string, or "
      "postgresql: for dwh.cfg [CLUSTER]), "
      "or redshift://USER@HOST:5439/DB");
}

std::string RedactTarget(std::string_view uri) {
  std::string s(uri);
  // scheme://user:password@host -> scheme://user:***@host
  static const std::regex kUserinfo(R"(^([a-z]+://[^:/@]*):[^@/]*@)");
  s = std::regex_replace(s, kUserinfo, "$1:***@");
  // password=secret (key=value strings and URI query parameters)
  static const std::regex kKeyValue(R"((password\s*=\s*)('([^'\\]|\\.)*'|[^\s&]*))",
                                    std::regex::icase);
  return std::regex_replace(s, kKeyValue, "$1***");
}

Result<std::string> ClusterConnInfo(const IniFile& cfg, std::string_view cfg_name) {
  struct Key {
    std::string_view cfg_key;
    std::string_view libpq_key;
    const char* env;
  };
  static constexpr std::array<Key, 5> kKeys{{{"HOST", "host", "PGHOST"},
                                             {"DB_PORT", "port", "PGPORT"},
                                             {"DB_NAME", "dbname", "PGDATABASE"},
                                             {"DB_USER", "user", "PGUSER"},
                                             {"DB_PASSWORD", "password", "PGPASSWORD"}}};
  std::string conninfo;
  bool any = false;
  for (const Key& key : kKeys) {
    std::optional<std::string> value = cfg.Get("CLUSTER", key.cfg_key);
    if (!value || value->empty()) continue;
    any = true;
    const char* env = std::getenv(key.env);
    if (env != nullptr && env[0] != '\0') continue;
    // libpq key=value syntax: single-quoted, with \ and ' escaped by a backslash.
    if (!conninfo.empty()) conninfo += ' ';
    conninfo.append(key.libpq_key).append("='");
    for (char c : *value) {
      if (c == '\\' || c == '\'') conninfo += '\\';
      conninfo += c;
    }
    conninfo += '\'';
  }
  if (!any) {
    return Error::Config("target postgresql: connects to the server in the [CLUSTER] section of " +
                         std::string(cfg_name) +
                         " (HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD), which has none of "
                         "them");
  }
  return conninfo;
}

}  // namespace sparkify::config
