// Opens the engine a target names. The one place that knows every engine.
#pragma once

#include <memory>

#include "sparkify/common/error.hpp"
#include "sparkify/config/target.hpp"
#include "sparkify/engine/engine.hpp"

namespace sparkify::engine {

struct EngineOptions {
  int threads = 0;  // engine worker threads; 0 = the engine's default
};

Result<std::unique_ptr<Engine>> OpenEngine(const config::Target& target,
                                           const EngineOptions& options);

}  // namespace sparkify::engine
