// The embedded DuckDB engine (C API). Only this folder includes duckdb.h.
#pragma once

#include <memory>
#include <string>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"

namespace sparkify::engine {

struct DuckDbOptions {
  std::string path;  // database file; ":memory:" for an in-memory database
  int threads = 0;   // 0 = DuckDB's default (all cores)
  // DuckDB's memory_limit ("512MB", "2GB"): past it DuckDB writes to the database file or
  // spills to temporary files instead of growing. Empty: DuckDB's default, 80% of RAM.
  std::string memory_limit = {};
};

// Opens (creating if needed) a DuckDB database file and one connection to it.
Result<std::unique_ptr<Engine>> OpenDuckDb(const DuckDbOptions& options);

}  // namespace sparkify::engine
