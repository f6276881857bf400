// sparkify report: one self-contained HTML page with every catalog question as a chart.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/target_options.hpp"
#include "sparkify/analytics/report.hpp"
#include "sparkify/common/log.hpp"

namespace sparkify::cli {
namespace {

struct ReportFlags {
  TargetOptions target;
  std::string out = "report.html";
  std::optional<std::string> now;
};

// --now, else $SOURCE_DATE_EPOCH (the reproducible-builds convention), else the clock.
Result<std::string> ReportTime(const ReportFlags& flags) {
  if (flags.now) return analytics::ParseReportTime(*flags.now);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    Result<std::string> t = analytics::ParseReportTime(std::string("@") + epoch);
    if (!t.ok()) return Error::InvalidArgument("$SOURCE_DATE_EPOCH is not a number of seconds");
    return t;
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return analytics::FormatReportTime(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

// Writes next to the target and renames, so a reader never sees half a page.
Status WriteFileAtomically(const std::string& path, const std::string& content) {
  if (path == "-") {
    std::cout << content;
    std::cout.flush();
    if (!std::cout) return Error::Io("writing the report to stdout");
    return Status::Ok();
  }
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return Error::Io("cannot create " + temp);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return Error::Io("writing " + temp);
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return Error::Io("cannot write " + path);
  }
  return Status::Ok();
}

int RunReportCommand(const GlobalOptions& global, const ReportFlags& flags) {
  Result<std::string> generated_at = ReportTime(flags);
  if (!generated_at.ok()) return ReportError(generated_at.error());
  auto target = OpenTargetFor(global, flags.target);
  if (!target.ok()) return ReportError(target.error());
  Result<analytics::ReportData> data =
      analytics::CollectReportData(*target->engine, std::move(generated_at).value());
  if (!data.ok()) return ReportError(data.error());
  Status written = WriteFileAtomically(flags.out, analytics::RenderReportHtml(*data));
  if (!written.ok()) return ReportError(written.error());
  if (flags.out != "-") log::Info("wrote " + flags.out);
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "report",
      "Write one self-contained HTML page (no script, nothing from the network) with every "
      "analytics question as a chart and its numbers, row counts, the match rate and load "
      "errors.\nExample: sparkify report --out report.html");
  auto flags = std::make_shared<ReportFlags>();
  AddTargetOptions(*cmd, flags->target);
  cmd->add_option("--out", flags->out, "The HTML file to write; - for stdout")
      ->capture_default_str();
  cmd->add_option("--now", flags->now,
                  "The report's time, for reproducible output: YYYY-MM-DDTHH:MM:SSZ or "
                  "@EPOCH_SECONDS (default: $SOURCE_DATE_EPOCH, else the clock)");
  cmd->callback([&global, &run, flags] {
    run = [&global, flags] { return RunReportCommand(global, *flags); };
  });
}

}  // namespace sparkify::cli
