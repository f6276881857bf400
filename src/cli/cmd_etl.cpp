// sparkify etl: stage raw JSON, build the star schema, print every table's row count.
#include <fmt/format.h>

#include <iostream>

#include "cli/check_options.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/target_options.hpp"
#include "sparkify/analytics/format.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/pipeline/etl.hpp"

namespace sparkify::cli {
namespace {

struct EtlFlags {
  TargetOptions target;
  std::optional<std::string> songs;
  std::optional<std::string> events;
  std::optional<std::string> max_errors;
  std::string format = "table";
  bool timings = false;
  std::string transform = "direct";
  bool keep_staging = false;
  bool check = false;
  CheckFlags checks;
};

int RunEtlCommand(const GlobalOptions& global, const EtlFlags& flags) {
  auto settings = LoadSettings(global);
  if (!settings.ok()) return ReportError(settings.error());
  auto format = analytics::ParseOutputFormat(flags.format);
  if (!format.ok()) return ReportError(format.error());
  config::Resolved songs =
      settings->Get(flags.songs, "--songs", "SPARKIFY_SONGS", "S3", "SONG_DATA");
  config::Resolved events =
      settings->Get(flags.events, "--events", "SPARKIFY_EVENTS", "S3", "LOG_DATA");
  if (!songs.value || !events.value) {
    return ReportError(Error::InvalidArgument(
        std::string("no ") + (!songs.value ? "song" : "event") +
        " data given: pass --songs DIR and --events DIR, or set SONG_DATA and LOG_DATA in the "
        "[S3] section of dwh.cfg"));
  }
  pipeline::EtlOptions options;
  options.songs = *songs.value;
  options.events = *events.value;
  log::Verbose("songs from " + options.songs + " (" + songs.origin + "), events from " +
               options.events + " (" + events.origin + ")");
  config::Resolved max_errors = settings->Get(flags.max_errors, "--max-errors",
                                              "SPARKIFY_MAX_ERRORS", "SPARKIFY", "MAX_ERRORS");
  if (max_errors.value) {
    auto n = config::ParseCount(max_errors, "max-errors");
    if (!n.ok()) return ReportError(n.error());
    options.max_errors = static_cast<uint64_t>(*n);
  }
  if (flags.transform == "sql") {
    options.transform = pipeline::Transform::kSql;
  } else if (flags.transform != "direct") {
    return ReportError(Error::InvalidArgument("--transform must be direct or sql, got \"" +
                                              flags.transform + "\""));
  }
  options.keep_staging = flags.keep_staging;
  auto threads = ResolveThreads(*settings, flags.target);
  if (!threads.ok()) return ReportError(threads.error());
  options.threads = *threads;
  auto engine = OpenTarget(*settings, flags.target, *threads);
  if (!engine.ok()) return ReportError(engine.error());

  auto report = pipeline::RunEtl(**engine, options);
  if (!report.ok()) return ReportError(Error(report.error()).WithContext("etl"));
  log::Info(fmt::format(
      "loaded {} into {}: {} song rows, {} event rows, {} rejected", options.events,
      (*engine)->Describe(), log::WithThousands(report->songs.rows),
      log::WithThousands(report->events.rows), log::WithThousands(report->load_errors.size())));
  if (flags.timings) {
    for (const auto& t : report->timings)
      std::cerr << fmt::format("PHASE {} {:.3f}\n", t.phase, t.seconds);
  }
  engine::QueryResult counts;
  counts.columns = {{"table_name", engine::ValueKind::kText},
                    {"row_count", engine::ValueKind::kInteger}};
  for (const auto& c : report->counts) counts.rows.push_back({c.table, std::to_string(c.rows)});
  analytics::WriteResult(std::cout, counts, *format, {log::StdoutColorEnabled()});
  if (flags.check) {
    // The load is committed first: a failed check exits 5 and leaves the data for inspection.
    // Check lines go to stderr so stdout keeps only the row counts in --format.
    std::cout.flush();
    return RunChecksCommand(**engine, *settings, flags.checks, CheckOutput::kLines, std::cerr,
                            log::ColorEnabled());
  }
  return kExitOk;
}

}  // namespace

void AddEtlCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "etl",
      "Load song and event JSON into staging tables, build the star schema, and print every "
      "table's row count. The whole run is one transaction.\n"
      "Example: sparkify etl --songs data/song_data --events data/log_data");
  auto flags = std::make_shared<EtlFlags>();
  AddTargetOptions(*cmd, flags->target);
  cmd->add_option("--songs", flags->songs,
                  "Song files: a folder (searched recursively for *.json) or file "
                  "(env SPARKIFY_SONGS, dwh.cfg [S3] SONG_DATA)");
  cmd->add_option("--events", flags->events,
                  "Event log files (JSON Lines): a folder or file "
                  "(env SPARKIFY_EVENTS, dwh.cfg [S3] LOG_DATA)");
  cmd->add_option("--max-errors", flags->max_errors,
                  "Fail (exit 4, nothing committed) when more than N records are bad; "
                  "default: no limit, every bad record is kept in load_errors");
  cmd->add_option("--format", flags->format, "Row-count output: table, csv or json")
      ->capture_default_str();
  cmd->add_option("--transform", flags->transform,
                  "How the star is built: direct (in C++ while parsing; fastest) or sql (staging "
                  "tables, then the SQL transform). Both give the same star.")
      ->capture_default_str();
  cmd->add_flag("--keep-staging", flags->keep_staging,
                "With --transform direct, also fill staging_events and staging_songs "
                "(the sql transform always does)");
  cmd->add_flag("--timings", flags->timings,
                "Print per-phase timings (PHASE name seconds) on stderr");
  cmd->add_flag("--check", flags->check,
                "After loading, run `sparkify check` (lines on stderr; exit 5 when a check fails)");
  AddCheckOptions(*cmd, flags->checks);
  cmd->callback(
      [&global, &run, flags] { run = [&global, flags] { return RunEtlCommand(global, *flags); }; });
}

}  // namespace sparkify::cli
