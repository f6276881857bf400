// `etl --timings`: every phase a regression could hide in, one `PHASE name seconds` line each
// on stderr, with numbers that fit together.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "cli/cli_fixture.hpp"

namespace sparkify::testing {
namespace {

std::map<std::string, double> Phases(const std::string& err) {
  std::map<std::string, double> phases;
  std::istringstream lines(err);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string tag, name;
    double seconds = -1;
    if (!(words >> tag >> name >> seconds) || tag != "PHASE") continue;
    EXPECT_EQ(phases.count(name), 0u) << "phase printed twice: " << name;
    phases[name] = seconds;
  }
  return phases;
}

class EtlTimingsCliTest : public CliTest, public ::testing::WithParamInterface<int> {};

TEST_P(EtlTimingsCliTest, FullLoadPrintsEveryPhase) {
  const std::string data = SampleDataDir();
  ASSERT_EQ(Sparkify("etl --full-refresh --timings --threads " + std::to_string(GetParam()) +
                     " --songs " + data + "/song_data --events " + data + "/log_data"),
            0)
      << err_;
  const std::map<std::string, double> phases = Phases(err_);
  for (const char* name : {"list", "stage_songs", "stage_events", "transform", "transform.dim_time",
                           "commit", "stage_songs.read_parse", "stage_songs.read",
                           "stage_songs.parse", "stage_songs.append", "stage_events.read_parse",
                           "stage_events.read", "stage_events.parse", "stage_events.append"}) {
    ASSERT_EQ(phases.count(name), 1u) << name << " missing from:\n" << err_;
    EXPECT_GE(phases.at(name), 0.0) << name;
  }
  // The songs are indexed on the consumer thread, not mapped by the workers; the events are
  // mapped as they are parsed (no raw rows are kept), which counts as parsing.
  EXPECT_EQ(phases.count("stage_songs.map"), 0u);
  EXPECT_EQ(phases.count("stage_events.map"), 0u);
  // Reading, parsing and mapping happen inside the workers' wall time: summed over the
  // workers they stay within threads x that wall time.
  for (const std::string stage : {"stage_songs", "stage_events"}) {
    const double inside = phases.at(stage + ".read") + phases.at(stage + ".parse") +
                          (phases.count(stage + ".map") ? phases.at(stage + ".map") : 0.0);
    EXPECT_LE(inside, GetParam() * phases.at(stage + ".read_parse") + 1e-3) << stage;
    EXPECT_LE(phases.at(stage + ".read_parse"), phases.at(stage) + 1e-3) << stage;
  }
  // dim_time's load is part of the transform.
  EXPECT_LE(phases.at("transform.dim_time"), phases.at("transform") + 1e-3);
  // The sample's 30 log files take measurable parsing.
  EXPECT_GT(phases.at("stage_events.parse"), 0.0);
}

// With --keep-staging the raw events are loaded too: they are parsed into batches, which are
// then mapped, and the mapping is its own phase.
TEST_P(EtlTimingsCliTest, KeepStagingMapsParsedBatchesAsItsOwnPhase) {
  const std::string data = SampleDataDir();
  ASSERT_EQ(Sparkify("etl --full-refresh --keep-staging --timings --threads " +
                     std::to_string(GetParam()) + " --songs " + data + "/song_data --events " +
                     data + "/log_data"),
            0)
      << err_;
  const std::map<std::string, double> phases = Phases(err_);
  ASSERT_EQ(phases.count("stage_events.map"), 1u) << err_;
  EXPECT_GT(phases.at("stage_events.map"), 0.0);
  EXPECT_LE(phases.at("stage_events.read") + phases.at("stage_events.parse") +
                phases.at("stage_events.map"),
            GetParam() * phases.at("stage_events.read_parse") + 1e-3);
}

// --dry-run shows dim_time as one load of the distinct times sparkify merges, at every thread
// count: no statement aggregates the loaded plays.
TEST_P(EtlTimingsCliTest, DryRunLoadsDimTimeFromTheMergedTimes) {
  const std::string data = SampleDataDir();
  ASSERT_EQ(Sparkify("etl --dry-run --threads " + std::to_string(GetParam()) + " --songs " + data +
                     "/song_data --events " + data + "/log_data"),
            0)
      << err_;
  EXPECT_NE(out_.find("-- load dim_time\n-- bulk load of the distinct play start times"),
            std::string::npos)
      << out_;
  EXPECT_EQ(out_.find("insert into dim_time"), std::string::npos) << out_;
}

// --dry-run lists the steps in the run's order: the song files' manifest rows go in right after
// the song tables (their listing is freed before the events), the event files' at the end.
TEST_F(CliTest, DryRunStoresTheSongManifestBeforeTheEvents) {
  const std::string data = SampleDataDir();
  ASSERT_EQ(Sparkify("etl --dry-run --songs " + data + "/song_data --events " + data + "/log_data"),
            0)
      << err_;
  const size_t song_matches = out_.find("-- load etl_song_match");
  const size_t song_manifest =
      out_.find("-- load load_manifest\n-- bulk load of one row per song file loaded");
  const size_t plays = out_.find("-- load fact_songplay");
  const size_t event_manifest =
      out_.find("-- load load_manifest\n-- bulk load of one row per event file loaded");
  const size_t run = out_.find("-- load runs");
  ASSERT_NE(song_manifest, std::string::npos) << out_;
  ASSERT_NE(event_manifest, std::string::npos) << out_;
  EXPECT_LT(song_matches, song_manifest);
  EXPECT_LT(song_manifest, plays);
  EXPECT_LT(plays, event_manifest);
  EXPECT_LT(event_manifest, run);
}

INSTANTIATE_TEST_SUITE_P(Threads, EtlTimingsCliTest, ::testing::Values(1, 2));

TEST_F(CliTest, EtlWithoutTimingsPrintsNoPhases) {
  const std::string data = SampleDataDir();
  ASSERT_EQ(
      Sparkify("etl --full-refresh --songs " + data + "/song_data --events " + data + "/log_data"),
      0)
      << err_;
  EXPECT_EQ(err_.find("PHASE"), std::string::npos) << err_;
}

}  // namespace
}  // namespace sparkify::testing
