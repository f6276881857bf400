#include "cli/target_options.hpp"

#include <thread>

#include "sparkify/common/log.hpp"
#include "sparkify/config/target.hpp"
#include "sparkify/engine/open_engine.hpp"

namespace sparkify::cli {

void AddTargetOptions(CLI::App& command, TargetOptions& options) {
  command.add_option("--target", options.target,
                     "Warehouse: duckdb:PATH (default duckdb:sparkify.duckdb), postgresql://..., "
                     "redshift://... (env SPARKIFY_TARGET, dwh.cfg [SPARKIFY] TARGET)");
  command.add_option("--threads", options.threads,
                     "Worker threads (default: all cores; env SPARKIFY_THREADS)");
}

Result<config::SettingsResolver> LoadSettings(const GlobalOptions& global) {
  return config::SettingsResolver::Load(global.config_path);
}

Result<int> ResolveThreads(const config::SettingsResolver& settings, const TargetOptions& options) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  config::Resolved r = settings.Get(options.threads, "--threads", "SPARKIFY_THREADS", "SPARKIFY",
                                    "THREADS", std::to_string(cores));
  SPARKIFY_ASSIGN_OR_RETURN(int64_t n, config::ParseCount(r, "threads"));
  if (n < 1 || n > 256) {
    return Error::InvalidArgument("threads must be between 1 and 256 (from " + r.origin + ")");
  }
  return static_cast<int>(n);
}

Result<sql::Dialect> ResolveDialect(const config::SettingsResolver& settings,
                                    const TargetOptions& options) {
  config::Resolved r = settings.Get(options.target, "--target", "SPARKIFY_TARGET", "SPARKIFY",
                                    "TARGET", std::string(config::kDefaultTarget));
  Result<config::Target> target = config::ParseTarget(*r.value);
  if (!target.ok()) return target.take_error().WithContext("target from " + r.origin);
  switch (target->kind) {
    case config::Target::Kind::kDuckDb:
      return sql::Dialect::kDuckDb;
    case config::Target::Kind::kPostgres:
      return sql::Dialect::kPostgres;
    case config::Target::Kind::kRedshift:
      return sql::Dialect::kRedshift;
  }
  return Error::Internal("unknown target kind");
}

Result<std::unique_ptr<engine::Engine>> OpenTarget(const config::SettingsResolver& settings,
                                                   const TargetOptions& options, int threads) {
  config::Resolved r = settings.Get(options.target, "--target", "SPARKIFY_TARGET", "SPARKIFY",
                                    "TARGET", std::string(config::kDefaultTarget));
  Result<config::Target> target = config::ParseTarget(*r.value);
  if (!target.ok()) return target.take_error().WithContext("target from " + r.origin);
  log::Verbose("target " + config::RedactTarget(*r.value) + " (from " + r.origin + ")");
  return engine::OpenEngine(*target, engine::EngineOptions{threads});
}

}  // namespace sparkify::cli
