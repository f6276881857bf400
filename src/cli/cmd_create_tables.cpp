// sparkify create-tables: drop and recreate the blank staging and star schema.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/target_options.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/pipeline/create_tables.hpp"

namespace sparkify::cli {

void AddCreateTablesCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "create-tables",
      "Drop every sparkify table that exists and create blank staging tables, star schema and "
      "load_errors.\nExample: sparkify create-tables --target duckdb:sparkify.duckdb");
  auto options = std::make_shared<TargetOptions>();
  AddTargetOptions(*cmd, *options);
  cmd->callback([&global, &run, options] {
    run = [&global, options]() -> int {
      auto settings = LoadSettings(global);
      if (!settings.ok()) return ReportError(settings.error());
      auto threads = ResolveThreads(*settings, *options);
      if (!threads.ok()) return ReportError(threads.error());
      auto engine = OpenTarget(*settings, *options, *threads);
      if (!engine.ok()) return ReportError(engine.error());
      Status s = pipeline::CreateTables(**engine);
      if (!s.ok()) return ReportError(s.error());
      log::Info("created staging tables, star schema and load_errors in " + (*engine)->Describe());
      return kExitOk;
    };
  });
}

}  // namespace sparkify::cli
