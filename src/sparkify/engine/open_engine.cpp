#include "sparkify/engine/open_engine.hpp"

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/engine/postgres/postgres_engine.hpp"
#include "sparkify/engine/redshift/redshift_engine.hpp"

namespace sparkify::engine {

Result<std::unique_ptr<Engine>> OpenEngine(const config::Target& target,
                                           const EngineOptions& options) {
  switch (target.kind) {
    case config::Target::Kind::kDuckDb:
      return OpenDuckDb(DuckDbOptions{target.location, options.threads, options.memory_limit});
    case config::Target::Kind::kPostgres:
      if (target.from_cluster_section && target.location.empty()) {
        return Error::Internal("target postgresql: reached OpenEngine without [CLUSTER] settings");
      }
      return OpenPostgres(PostgresOptions{target.location, options.pg_copy_format});
    case config::Target::Kind::kRedshift:
      if (target.from_cluster_section && target.location.empty()) {
        return Error::Internal("target redshift: reached OpenEngine without [CLUSTER] settings");
      }
      return OpenRedshift(target.location);
  }
  return Error::Internal("unknown target kind");
}

}  // namespace sparkify::engine
