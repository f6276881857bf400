// Opens the engine a target names. The one place that knows every engine.
#pragma once

#include <memory>
#include <string>

#include "sparkify/common/error.hpp"
#include "sparkify/config/target.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/sql/bulk_load.hpp"

namespace sparkify::engine {

struct EngineOptions {
  int threads = 0;  // engine worker threads; 0 = the engine's default
  // PostgreSQL: the COPY format staging rows travel in (docs/POSTGRES.md).
  sql::CopyFormat pg_copy_format = sql::CopyFormat::kBinary;
  std::string memory_limit = {};  // DuckDB: DuckDbOptions::memory_limit
};

Result<std::unique_ptr<Engine>> OpenEngine(const config::Target& target,
                                           const EngineOptions& options);

}  // namespace sparkify::engine
