#include "cli/check_options.hpp"

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "sparkify/analytics/check.hpp"
#include "sparkify/analytics/format.hpp"
#include "sparkify/common/log.hpp"

namespace sparkify::cli {

void AddCheckOptions(CLI::App& command, CheckFlags& flags) {
  command.add_option("--min-match-rate", flags.min_match_rate,
                     "Floor for the share of plays matched to a song, as 0.05 or 5% (default "
                     "1%; env SPARKIFY_MIN_MATCH_RATE, dwh.cfg [SPARKIFY] MIN_MATCH_RATE); "
                     "below it is a warning");
  command.add_flag("--fail-on-warn", flags.fail_on_warn,
                   "Exit 5 on warnings too (a match rate below the floor)");
  command.add_option("--checks-dir", flags.checks_dir,
                     "Also run every *.sql in DIR: one read-only query returning the rows that "
                     "break a rule; zero rows = pass (env SPARKIFY_CHECKS_DIR)");
}

int RunChecksCommand(engine::Engine& engine, const config::SettingsResolver& settings,
                     const CheckFlags& flags, CheckOutput output, std::ostream& out, bool color) {
  analytics::CheckOptions options;
  config::Resolved floor = settings.Get(flags.min_match_rate, "--min-match-rate",
                                        "SPARKIFY_MIN_MATCH_RATE", "SPARKIFY", "MIN_MATCH_RATE");
  if (floor.value) {
    Result<double> rate = analytics::ParseMatchRate(*floor.value);
    if (!rate.ok()) return ReportError(rate.take_error().WithContext("from " + floor.origin));
    options.min_match_rate = *rate;
  }
  config::Resolved dir = settings.Get(flags.checks_dir, "--checks-dir", "SPARKIFY_CHECKS_DIR",
                                      "SPARKIFY", "CHECKS_DIR");
  options.checks_dir = dir.value;

  Result<analytics::CheckReport> report = analytics::RunChecks(engine, options);
  if (!report.ok()) return ReportError(report.take_error().WithContext("check"));
  switch (output) {
    case CheckOutput::kLines:
      analytics::WriteCheckLines(out, *report, color);
      break;
    case CheckOutput::kTable:
      analytics::WriteTable(out, analytics::CheckReportAsResult(*report), {color});
      break;
    case CheckOutput::kCsv:
      analytics::WriteCsv(out, analytics::CheckReportAsResult(*report));
      break;
    case CheckOutput::kJson:
      analytics::WriteJson(out, analytics::CheckReportAsResult(*report));
      break;
  }
  out.flush();
  const int errors = report->Count(analytics::CheckStatus::kError);
  const int failed = report->Count(analytics::CheckStatus::kFail);
  const int warned = report->Count(analytics::CheckStatus::kWarn);
  if (errors > 0) {
    log::Error(fmt::format("{} check{} could not run on {}", errors, errors == 1 ? "" : "s",
                           engine.Describe()));
    return kExitFailure;
  }
  if (failed > 0 || (flags.fail_on_warn && warned > 0)) {
    const int bad = failed + (flags.fail_on_warn ? warned : 0);
    log::Error(
        fmt::format("{} of {} data-quality check{} failed{}", bad, report->outcomes.size(),
                    report->outcomes.size() == 1 ? "" : "s",
                    flags.fail_on_warn && warned > 0 ? " (warnings count: --fail-on-warn)" : ""));
    return kExitCheckFailed;
  }
  return kExitOk;
}

}  // namespace sparkify::cli
