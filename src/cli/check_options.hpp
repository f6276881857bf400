// Options of the data-quality checks, shared by `sparkify check` and `sparkify etl --check`,
// and the one function that runs the checks, prints them and picks the exit code:
//   0  every check passed (warnings allowed unless --fail-on-warn)
//   5  kExitCheckFailed: a check failed, or warned with --fail-on-warn
//   1  kExitFailure: a check could not run (bad SQL, missing table), so the verdict is unknown
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "cli/command.hpp"
#include "sparkify/config/settings.hpp"
#include "sparkify/engine/engine.hpp"

namespace sparkify::cli {

struct CheckFlags {
  std::optional<std::string> min_match_rate;
  bool fail_on_warn = false;
  std::optional<std::string> checks_dir;
};

// Adds --min-match-rate, --fail-on-warn and --checks-dir.
void AddCheckOptions(CLI::App& command, CheckFlags& flags);

enum class CheckOutput { kLines, kTable, kCsv, kJson };

// Runs every check on `engine`, writes the outcome to `out` and returns the exit code above
// (or the usage/not-found code when the options or the checks folder are wrong).
int RunChecksCommand(engine::Engine& engine, const config::SettingsResolver& settings,
                     const CheckFlags& flags, CheckOutput output, std::ostream& out, bool color);

}  // namespace sparkify::cli
