#include "sparkify/config/target.hpp"

#include <regex>

namespace sparkify::config {

Result<Target> ParseTarget(std::string_view uri) {
  if (uri.starts_with("duckdb:")) {
    std::string path(uri.substr(7));
    if (path.empty())
      return Error::InvalidArgument("target duckdb: needs a path, e.g. duckdb:sparkify.duckdb");
    return Target{Target::Kind::kDuckDb, path};
  }
  if (uri.starts_with("postgresql://") || uri.starts_with("postgres://") ||
      (uri.find('=') != std::string_view::npos && uri.find("://") == std::string_view::npos)) {
    return Target{Target::Kind::kPostgres, std::string(uri)};
  }
  if (uri.starts_with("redshift://")) return Target{Target::Kind::kRedshift, std::string(uri)};
  return Error::InvalidArgument(
      "unknown target \"" + RedactTarget(uri) +
      "\": use duckdb:PATH, postgresql://USER@HOST:PORT/DB (or a libpq key=value string), "
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

}  // namespace sparkify::config
