// End to end on generated data with injected faults, through the real binary.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "testing/test_util.hpp"

namespace sparkify {
namespace {

using testing::RunSparkify;
using testing::TempDir;

class GeneratedE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = RunSparkify({"generate", "--out", data_, "--songs", "300", "--events", "20000",
                          "--users", "50", "--days", "7", "--match-rate", "0.2", "--seed", "11",
                          "--malformed", "40", "--threads", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  testing::CommandResult Etl(const std::vector<std::string>& extra = {},
                             const std::string& threads = "2") {
    std::vector<std::string> args{
        "etl",      "--target",          target_,     "--songs", data_ + "/song_data",
        "--events", data_ + "/log_data", "--threads", threads,   "--keep-staging"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSparkify(args);
  }
  std::string Csv(const std::string& sql) {
    auto r = RunSparkify({"query", "--target", target_, "--format", "csv", "--sql", sql});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  TempDir dir_;
  std::string data_ = dir_.path() + "/data";
  std::string target_ = "duckdb:" + dir_.path() + "/g.duckdb";
};

TEST_F(GeneratedE2e, EveryInjectedFaultIsALoadErrorAtItsFileAndLine) {
  auto r = Etl();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> expected;
  std::istringstream faults(testing::ReadFile(data_ + "/injected_faults.tsv"));
  std::string line;
  std::getline(faults, line);  // header
  while (std::getline(faults, line)) {
    std::string file = line.substr(0, line.find('\t'));
    std::string rest = line.substr(line.find('\t') + 1);
    expected.insert(data_ + "/" + file + "," + rest.substr(0, rest.find('\t')));
  }
  ASSERT_EQ(expected.size(), 40u);
  std::istringstream got_csv(Csv("select file, line from load_errors order by file, line"));
  std::set<std::string> got;
  std::getline(got_csv, line);
  while (std::getline(got_csv, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    got.insert(line);
  }
  EXPECT_EQ(got, expected);
  // Every good record loaded: the generator writes exactly --events good events and --songs
  // good song files besides the faults.
  EXPECT_EQ(Csv("select count(*) as n from staging_events"), "n\r\n20000\r\n");
  EXPECT_EQ(Csv("select count(*) as n from staging_songs"), "n\r\n300\r\n");
  EXPECT_EQ(Csv("select count(*) as n from load_errors where reason = '' or excerpt is null"),
            "n\r\n0\r\n");
  // Nothing malformed became an all-NULL row.
  EXPECT_EQ(Csv("select count(*) as n from staging_events where ts is null or page is null"),
            "n\r\n0\r\n");
  EXPECT_NE(r.err.find("40 bad records rejected"), std::string::npos) << r.err;
}

TEST_F(GeneratedE2e, DirectAndSqlTransformsBuildTheSameStar) {
  auto dump = [&]() {
    std::string d;
    for (const char* q :
         {"select * from fact_songplay order by songplay_id",
          "select * from dim_user order by user_id", "select * from dim_song order by song_id",
          "select * from dim_artist order by artist_id",
          "select * from dim_time order by start_time",
          "select * from load_errors order by file, line"}) {
      d += Csv(q);
    }
    return d;
  };
  ASSERT_EQ(Etl({"--transform", "sql"}, "1").exit_code, 0);
  std::string sql = dump();
  ASSERT_GT(sql.size(), 100000u);
  ASSERT_EQ(Etl({"--transform", "direct"}, "3").exit_code, 0);
  EXPECT_EQ(dump(), sql);
  EXPECT_NE(Csv("select count(*) as n from fact_songplay where song_id is not null"), "n\r\n0\r\n");
}

TEST_F(GeneratedE2e, TooManyErrorsFailsAndLeavesThePreviousStarUntouched) {
  ASSERT_EQ(Etl().exit_code, 0);
  std::string before = Csv("select count(*), sum(session_id), count(song_id) from fact_songplay") +
                       Csv("select count(*) from load_errors");
  // Add a bad line to a copy of the events, then fail the run on it.
  testing::WriteFile(data_ + "/log_data/2099/01/2099-01-01-events.json", "{\"ts\": oops}\n");
  // --max-errors counts the bad records of the files a run reads: all of them here.
  auto failed = Etl({"--max-errors", "40", "--full-refresh"});
  EXPECT_EQ(failed.exit_code, 4) << failed.err;
  EXPECT_NE(failed.err.find("exceed --max-errors 40"), std::string::npos) << failed.err;
  EXPECT_TRUE(failed.out.empty());
  std::string after = Csv("select count(*), sum(session_id), count(song_id) from fact_songplay") +
                      Csv("select count(*) from load_errors");
  EXPECT_EQ(after, before);
  // Within the budget the same data loads.
  auto ok = Etl({"--max-errors", "41", "--full-refresh"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(Csv("select count(*) as n from load_errors"), "n\r\n41\r\n");
}

TEST_F(GeneratedE2e, EngineFailureMidRunLeavesThePreviousStarUntouched) {
  ASSERT_EQ(Etl().exit_code, 0);
  std::string before = Csv("select count(*), sum(songplay_id) from fact_songplay");
  // A folder that cannot be listed fails the run after it began.
  auto failed = RunSparkify({"etl", "--target", target_, "--songs", data_ + "/song_data",
                             "--events", data_ + "/missing"});
  EXPECT_EQ(failed.exit_code, 6) << failed.err;
  EXPECT_NE(failed.err.find("missing"), std::string::npos);
  EXPECT_EQ(Csv("select count(*), sum(songplay_id) from fact_songplay"), before);
}

}  // namespace
}  // namespace sparkify
