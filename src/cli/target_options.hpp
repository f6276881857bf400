// Options every database subcommand shares (--target, --threads) and how they resolve:
// flag > environment > dwh.cfg > default (config/settings.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.hpp"
#include "sparkify/common/error.hpp"
#include "sparkify/config/settings.hpp"
#include "sparkify/config/target.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/sql/dialect.hpp"

namespace sparkify::cli {

struct TargetOptions {
  std::optional<std::string> target;
  std::optional<std::string> threads;
  // Redshift: temporary database credentials from GetClusterCredentials (also the default for
  // `redshift:` when dwh.cfg [CLUSTER] DB_PASSWORD is empty).
  bool iam_auth = false;
};

// Adds --target and --threads to a subcommand.
void AddTargetOptions(CLI::App& command, TargetOptions& options);

// Loads dwh.cfg per the global options.
Result<config::SettingsResolver> LoadSettings(const GlobalOptions& global);
// Resolves the worker thread count (default: the machine's cores).
Result<int> ResolveThreads(const config::SettingsResolver& settings, const TargetOptions& options);
// Resolves the target, without connecting.
Result<config::Target> ResolveTarget(const config::SettingsResolver& settings,
                                     const TargetOptions& options);
// Resolves the target and returns its SQL dialect, without connecting (for --dry-run).
Result<sql::Dialect> ResolveDialect(const config::SettingsResolver& settings,
                                    const TargetOptions& options);
// DuckDB's memory limit as configured (env SPARKIFY_MEMORY_LIMIT, dwh.cfg [SPARKIFY]
// MEMORY_LIMIT), if it is.
std::optional<std::string> ConfiguredMemoryLimit(const config::SettingsResolver& settings);
// Resolves the target and opens its engine. `default_memory_limit`: DuckDB's memory limit when
// MEMORY_LIMIT is not configured (empty: DuckDB's own default, 80% of RAM).
Result<std::unique_ptr<engine::Engine>> OpenTarget(const config::SettingsResolver& settings,
                                                   const TargetOptions& options, int threads,
                                                   std::string_view default_memory_limit = {});

// The start of every database subcommand: dwh.cfg, the thread count, the open engine.
struct OpenedTarget {
  config::SettingsResolver settings;
  std::unique_ptr<engine::Engine> engine;
};
Result<OpenedTarget> OpenTargetFor(const GlobalOptions& global, const TargetOptions& options);

}  // namespace sparkify::cli
