#include "sparkify/engine/open_engine.hpp"

#include "sparkify/engine/duckdb/duckdb_engine.hpp"

namespace sparkify::engine {

Result<std::unique_ptr<Engine>> OpenEngine(const config::Target& target,
                                           const EngineOptions& options) {
  switch (target.kind) {
    case config::Target::Kind::kDuckDb:
      return OpenDuckDb(DuckDbOptions{target.location, options.threads});
    case config::Target::Kind::kPostgres:
      return Error::InvalidArgument("the PostgreSQL engine is not built yet (see its issue)");
    case config::Target::Kind::kRedshift:
      return Error::InvalidArgument("the Redshift engine is not built yet (see its issue)");
  }
  return Error::Internal("unknown target kind");
}

}  // namespace sparkify::engine
