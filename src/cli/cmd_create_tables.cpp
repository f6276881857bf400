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
      auto target = OpenTargetFor(global, *options);
      if (!target.ok()) return ReportError(target.error());
      Status s = pipeline::CreateTables(*target->engine);
      if (!s.ok()) return ReportError(s.error());
      log::Info("created staging tables, star schema, load_errors and the load state in " +
                target->engine->Describe());
      return kExitOk;
    };
  });
}

}  // namespace sparkify::cli
