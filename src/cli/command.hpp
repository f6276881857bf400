// How subcommands plug into the thin CLI: each cmd_*.cpp defines one Add*Command that
// registers its CLI11 subcommand and, when that subcommand is chosen, sets `run` to a
// function returning the process exit code (cli/exit_codes.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "sparkify/common/error.hpp"

namespace sparkify::cli {

struct GlobalOptions {
  std::string config_path;  // --config; empty = $SPARKIFY_CONFIG or ./dwh.cfg if present
  bool verbose = false;
  bool quiet = false;
  bool no_color = false;
};

using CommandRunner = std::function<int()>;

// Prints an error to stderr in the one house style ("sparkify: error: ...") and returns
// the exit code for it.
int ReportError(const Error& error);

void AddCreateTablesCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run);
void AddEtlCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run);
void AddStatusCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run);
void AddQueryCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run);
void AddGenerateCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run);
void AddReportCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run);
void AddCheckCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run);
void AddClusterCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run);
void AddDebugCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run);

}  // namespace sparkify::cli
