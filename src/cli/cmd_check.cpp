// sparkify check: data-quality checks that fail the run (exit 5) when the data breaks a rule.
#include <iostream>

#include "cli/check_options.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/target_options.hpp"
#include "sparkify/common/log.hpp"

namespace sparkify::cli {
namespace {

struct CheckCommandFlags {
  TargetOptions target;
  CheckFlags checks;
  std::string format = "text";
};

int RunCheckCommand(const GlobalOptions& global, const CheckCommandFlags& flags) {
  CheckOutput output = CheckOutput::kLines;
  if (flags.format == "table") {
    output = CheckOutput::kTable;
  } else if (flags.format == "csv") {
    output = CheckOutput::kCsv;
  } else if (flags.format == "json") {
    output = CheckOutput::kJson;
  } else if (flags.format != "text") {
    return ReportError(Error::InvalidArgument("unknown --format \"" + flags.format +
                                              "\"; valid formats: text, table, csv, json"));
  }
  auto target = OpenTargetFor(global, flags.target);
  if (!target.ok()) return ReportError(target.error());
  return RunChecksCommand(*target->engine, target->settings, flags.checks, output, std::cout,
                          log::StdoutColorEnabled());
}

}  // namespace

void AddCheckCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "check",
      "Run data-quality checks on the warehouse: primary keys not NULL and unique, foreign keys "
      "resolve, tables not empty, no play counted twice (session, user, start time), fact rows = "
      "NextSong events, dim_time rows = distinct play times, the song match rate, and your own "
      "*.sql checks. Exit 5 when a check fails.\n"
      "Example: sparkify check --min-match-rate 5% --fail-on-warn --checks-dir checks/");
  auto flags = std::make_shared<CheckCommandFlags>();
  AddTargetOptions(*cmd, flags->target);
  AddCheckOptions(*cmd, flags->checks);
  cmd->add_option("--format", flags->format,
                  "Output: text (one line per check), table, csv or json")
      ->capture_default_str();
  cmd->callback([&global, &run, flags] {
    run = [&global, flags] { return RunCheckCommand(global, *flags); };
  });
}

}  // namespace sparkify::cli
