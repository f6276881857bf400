// sparkify: raw Sparkify JSON -> staging -> star schema, on DuckDB, PostgreSQL or Redshift.
// This file only wires subcommands together; each lives in its own cmd_*.cpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/command.hpp"
#include "cli/credentials_prompt.hpp"
#include "cli/exit_codes.hpp"
#include "sparkify/common/log.hpp"

namespace sparkify::cli {

int ReportError(const Error& error) {
  log::Error(error.ToString());
  return ExitCodeFor(error);
}

}  // namespace sparkify::cli

int main(int argc, char** argv) {
  using namespace sparkify::cli;
  CLI::App app{
      "sparkify: turns raw Sparkify song and event JSON into an analytics-ready star "
      "schema on DuckDB (default), PostgreSQL or Redshift.",
      "sparkify"};
  app.set_version_flag("--version", "sparkify 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  app.add_option("--config", global.config_path,
                 "dwh.cfg to read (default: $SPARKIFY_CONFIG, else ./dwh.cfg if it exists)");
  app.add_flag("-v,--verbose", global.verbose, "More detail on stderr");
  app.add_flag("-q,--quiet", global.quiet, "Only errors on stderr");
  app.add_flag("--no-color", global.no_color, "No ANSI colours (also: NO_COLOR, TERM=dumb)");
  app.footer(
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 configuration, 4 too many load errors,\n"
      "5 check failed, 6 not found, 7 authentication, 130 interrupted (docs/CLI.md).");

  CommandRunner run;
  AddCreateTablesCommand(app, global, run);
  AddEtlCommand(app, global, run);
  AddStatusCommand(app, global, run);
  AddQueryCommand(app, global, run);
  AddGenerateCommand(app, global, run);
  AddReportCommand(app, global, run);
  AddCheckCommand(app, global, run);
  AddClusterCommand(app, global, run);
  AddDebugCommand(app, global, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  sparkify::log::Configure(
      {.verbose = global.verbose, .quiet = global.quiet, .no_color = global.no_color});
  if (!run) return kExitUsage;
  InstallCredentialsPrompt();
  try {
    return run();
  } catch (const std::exception& e) {
    sparkify::log::Error(std::string("internal error: ") + e.what());
    return kExitFailure;
  }
}
