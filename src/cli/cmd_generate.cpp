// `sparkify generate`: deterministic synthetic raw data in the public layout, for demos,
// tests and benchmarks. All checking of the values lives in generate::Generate, so the
// library and the command line reject exactly the same input.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/generate/generator.hpp"

namespace sparkify::cli {
namespace {

int RunGenerate(const generate::GenerateOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  Result<generate::GenerateSummary> result = generate::Generate(options);
  if (!result.ok()) return ReportError(result.error());
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  const generate::GenerateSummary& s = result.value();
  std::string faults;
  if (s.malformed > 0) {
    faults = fmt::format(", {} injected faults (injected_faults.tsv)",
                         log::WithThousands(static_cast<uint64_t>(s.malformed)));
  }
  log::Info(fmt::format(
      "generated {} song files ({} artists), {} event files with {} events ({} plays, {} "
      "matching a song){}: {:.1f} MB in {:.1f} s into {}",
      log::WithThousands(static_cast<uint64_t>(s.song_files)),
      log::WithThousands(static_cast<uint64_t>(s.artists)),
      log::WithThousands(static_cast<uint64_t>(s.event_files)),
      log::WithThousands(static_cast<uint64_t>(s.events)),
      log::WithThousands(static_cast<uint64_t>(s.next_song_events)),
      log::WithThousands(static_cast<uint64_t>(s.matched_plays)), faults,
      static_cast<double>(s.bytes) / 1e6, elapsed.count(), options.out_dir));
  return kExitOk;
}

}  // namespace

void AddGenerateCommand(CLI::App& app, GlobalOptions& /*global*/, CommandRunner& run) {
  // Shared with the runner, which is called after parsing, when this function has returned.
  auto options = std::make_shared<generate::GenerateOptions>();
  options->threads = 0;  // one per core unless asked otherwise

  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Write deterministic synthetic song files and event logs in the public Sparkify layout");
  cmd->add_option("--out", options->out_dir,
                  "Folder to write song_data/, log_data/ and injected_faults.tsv into")
      ->required();
  cmd->add_option("--songs", options->songs, "Song files to write")->capture_default_str();
  cmd->add_option("--artists", options->artists,
                  "Distinct artists (0: two thirds of the songs; at most --songs)")
      ->capture_default_str();
  cmd->add_option("--events", options->events, "Well-formed events, spread over the days")
      ->capture_default_str();
  cmd->add_option("--users", options->users, "Distinct users (ids 1..N)")->capture_default_str();
  cmd->add_option("--days", options->days, "Days of events, one log file per day")
      ->capture_default_str();
  cmd->add_option("--start-date", options->start_date, "First day, YYYY-MM-DD (UTC)")
      ->capture_default_str();
  cmd->add_option("--match-rate", options->match_rate,
                  "Fraction of NextSong events whose (song, artist, length) match a song file")
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed; the same options give the same bytes")
      ->capture_default_str();
  cmd->add_option("--malformed", options->malformed,
                  "Bad lines/files to add at known places, listed in injected_faults.tsv")
      ->capture_default_str();
  cmd->add_option("--threads", options->threads,
                  "Worker threads (0: one per core); the output does not depend on it")
      ->capture_default_str();
  cmd->add_flag("--force", options->overwrite,
                "Delete song_data/ and log_data/ under --out first if they already hold data");

  cmd->callback([options, &run] { run = [options] { return RunGenerate(*options); }; });
}

}  // namespace sparkify::cli
