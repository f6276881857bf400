// sparkify debug: every setting with its origin, then each check OK/FAIL/SKIP
// (diagnostics/debug.hpp). Exit 0 only when no check failed.
#include <cstdio>
#include <memory>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "sparkify/diagnostics/debug.hpp"

namespace sparkify::cli {
namespace {

struct DebugFlags {
  std::optional<std::string> target, songs, events;
  std::string endpoint_url;
  bool no_sign_request = false;
  std::string region;
  std::string format = "text";
  int timeout_s = 10;
};

int Run(const GlobalOptions& global, const DebugFlags& flags) {
  if (flags.format != "text" && flags.format != "json") {
    return ReportError(Error::InvalidArgument("unknown format \"" + flags.format +
                                              "\"; valid formats: text, json"));
  }
  diagnostics::DebugOptions o;
  o.config_path = global.config_path;
  o.target = flags.target;
  o.songs = flags.songs;
  o.events = flags.events;
  o.endpoint_url = flags.endpoint_url;
  o.no_sign_request = flags.no_sign_request;
  o.region = flags.region;
  o.timeout = std::chrono::seconds(flags.timeout_s);
  diagnostics::DebugReport report = diagnostics::RunDebug(o);
  std::string text =
      flags.format == "json" ? diagnostics::FormatJson(report) : diagnostics::FormatText(report);
  std::fputs(text.c_str(), stdout);
  return report.ok() ? kExitOk : kExitFailure;
}

}  // namespace

void AddDebugCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run) {
  auto flags = std::make_shared<DebugFlags>();
  auto* cmd = app.add_subcommand(
      "debug",
      "Show every setting and where it came from (secrets masked), then check each thing a run "
      "needs: dwh.cfg, the target's connection, the song and event locations, the AWS "
      "identity, the cluster. Exit 0 only when every check passes.\n"
      "Example: sparkify debug --format json");
  cmd->add_option("--target", flags->target, "Warehouse to check (as for etl)");
  cmd->add_option("--songs", flags->songs, "Song data location to check (as for etl)");
  cmd->add_option("--events", flags->events, "Event data location to check (as for etl)");
  cmd->add_option("--endpoint-url", flags->endpoint_url, "S3-compatible endpoint (as for etl)");
  cmd->add_flag("--no-sign-request", flags->no_sign_request,
                "List s3:// locations anonymously (public buckets)");
  cmd->add_option("--region", flags->region, "Region of the cluster and STS (as for cluster)");
  cmd->add_option("--format", flags->format, "Output: text or json")->capture_default_str();
  cmd->add_option("--timeout", flags->timeout_s, "Seconds each check may take (default 10)")
      ->check(CLI::Range(1, 600));
  cmd->callback(
      [&global, &run, flags] { run = [&global, flags]() -> int { return Run(global, *flags); }; });
}

}  // namespace sparkify::cli
