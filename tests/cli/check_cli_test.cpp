#include <gtest/gtest.h>

#include <fstream>

#include "cli/cli_fixture.hpp"
#include "sparkify/engine/duckdb/duckdb_engine.hpp"

namespace sparkify::testing {
namespace {

class CheckCliTest : public CliTest {
 protected:
  // Changes the sample database in-process, then closes it for the binary.
  void Corrupt(const std::vector<std::string>& statements) {
    auto engine = engine::OpenDuckDb({db_, 1});
    ASSERT_TRUE(engine.ok()) << engine.error().ToString();
    for (const std::string& s : statements) {
      Status status = (*engine)->Execute(s);
      ASSERT_TRUE(status.ok()) << s << ": " << status.error().ToString();
    }
  }
};

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST_F(CheckCliTest, CleanLoadExitsZeroWithOneLinePerCheck) {
  ASSERT_EQ(Sparkify("check"), 0) << err_;
  EXPECT_EQ(Lines(out_), 28);  // 27 checks and the summary
  EXPECT_NE(out_.find("\nPASS  unique.dim_user.user_id "), std::string::npos) << out_;
  EXPECT_NE(out_.find("\nWARN  match_rate "), std::string::npos) << out_;
  EXPECT_NE(out_.find("checks: 26 passed, 1 warning, 0 failed, 0 errors\n"), std::string::npos);
  EXPECT_EQ(err_, "");
}

TEST_F(CheckCliTest, StagingRulesAreSkippedAfterALoadWithoutStaging) {
  const std::string data = SampleDataDir();
  ASSERT_EQ(RunCommand(Bin() + " etl --full-refresh" + target_ + " --songs " + data +
                           "/song_data --events " + data + "/log_data",
                       nullptr, &err_),
            0)
      << err_;
  ASSERT_EQ(Sparkify("check --min-match-rate 0"), 0) << out_;
  EXPECT_NE(out_.find("\nSKIP  fact_rows_match_staging "), std::string::npos) << out_;
  EXPECT_NE(out_.find("checks: 24 passed, 3 skipped, 0 warnings, 0 failed, 0 errors\n"),
            std::string::npos)
      << out_;
}

TEST_F(CheckCliTest, WarningsFailTheRunWithFailOnWarn) {
  EXPECT_EQ(Sparkify("check --fail-on-warn"), 5);
  EXPECT_NE(err_.find("1 of 27 data-quality checks failed (warnings count: "
                      "--fail-on-warn)"),
            std::string::npos)
      << err_;
}

TEST_F(CheckCliTest, MatchRateFloorComesFromTheFlagOrTheEnvironment) {
  EXPECT_EQ(Sparkify("check --fail-on-warn --min-match-rate 0.01%"), 0) << out_;
  EXPECT_EQ(
      RunCommand("SPARKIFY_MIN_MATCH_RATE=0.0001 " + Bin() + " check --fail-on-warn" + target_,
                 &out_, &err_),
      0)
      << out_;
  EXPECT_EQ(Sparkify("check --min-match-rate lots"), 2);
  EXPECT_NE(err_.find("--min-match-rate \"lots\" is not a number"), std::string::npos) << err_;
}

TEST_F(CheckCliTest, DanglingForeignKeyExitsFiveNamingTheCheck) {
  Corrupt({"create table f as select * from fact_songplay", "drop table fact_songplay",
           "alter table f rename to fact_songplay",
           "update fact_songplay set user_id = 'ghost' where songplay_id = 7"});
  EXPECT_EQ(Sparkify("check"), 5);
  const size_t line = out_.find("\nFAIL  relationship.fact_songplay.user_id ");
  ASSERT_NE(line, std::string::npos) << out_;
  EXPECT_EQ(
      out_.substr(out_.find("every", line), out_.find('\n', line + 1) - out_.find("every", line)),
      "every fact_songplay.user_id that is not NULL is in "
      "dim_user.user_id: 1 failing row: "
      "(songplay_id=7, user_id='ghost')");
  EXPECT_NE(err_.find("1 of 27 data-quality checks failed"), std::string::npos) << err_;
}

TEST_F(CheckCliTest, DuplicatedPlayExitsFiveNamingTheCheckAndThePlay) {
  Corrupt(
      {"insert into fact_songplay (songplay_id, start_time, user_id, level, song_id, "
       "artist_id, session_id, location, user_agent) "
       "select 6821, start_time, user_id, level, song_id, artist_id, session_id, location, "
       "user_agent from fact_songplay where songplay_id = 1"});
  EXPECT_EQ(Sparkify("check"), 5);
  const size_t line = out_.find("\nFAIL  unique_play.fact_songplay ");
  ASSERT_NE(line, std::string::npos) << out_;
  EXPECT_EQ(
      out_.substr(out_.find("no two", line), out_.find('\n', line + 1) - out_.find("no two", line)),
      "no two plays in fact_songplay share session_id, user_id and start_time: 1 failing "
      "row: (session_id=139, user_id='8', start_time='2018-11-01 21:01:46.796', plays=2, "
      "first_songplay_id=1, last_songplay_id=6821)");
  // The fact also outgrew the NextSong events in staging.
  EXPECT_NE(out_.find("\nFAIL  fact_rows_match_staging "), std::string::npos) << out_;
  EXPECT_NE(err_.find("2 of 27 data-quality checks failed"), std::string::npos) << err_;
}

TEST_F(CheckCliTest, EmptyTableExitsFive) {
  Corrupt({"delete from load_errors", "delete from staging_songs"});
  EXPECT_EQ(Sparkify("check"), 5);
  EXPECT_NE(out_.find("\nFAIL  not_empty.staging_songs "), std::string::npos) << out_;
}

TEST_F(CheckCliTest, JsonOutputIsOneObjectPerCheck) {
  ASSERT_EQ(Sparkify("check --format json"), 0) << err_;
  EXPECT_EQ(out_.rfind("[\n{\"check\":\"not_null.fact_songplay.songplay_id\","
                       "\"status\":\"PASS\","
                       "\"failing_rows\":0,",
                       0),
            0u)
      << out_;
  EXPECT_NE(out_.find("{\"check\":\"match_rate\",\"status\":\"WARN\",\"failing_"
                      "rows\":null,"),
            std::string::npos);
  EXPECT_EQ(Lines(out_), 29);
}

TEST_F(CheckCliTest, UserChecksFolder) {
  std::ofstream(dir_.path() + "/paid.sql") << "-- nobody pays\nselect user_id from dim_user "
                                              "where level = 'paid'";
  EXPECT_EQ(Sparkify("check --checks-dir " + dir_.path()), 5);
  const size_t line = out_.find("\nFAIL  custom.paid ");
  ASSERT_NE(line, std::string::npos) << out_;
  EXPECT_NE(out_.find(" nobody pays: 22 failing rows, e.g. (user_id='", line), std::string::npos)
      << out_;
}

TEST_F(CheckCliTest, CheckThatCannotRunExitsOne) {
  std::ofstream(dir_.path() + "/broken.sql") << "select * from no_such_table";
  EXPECT_EQ(Sparkify("check --checks-dir " + dir_.path()), 1);
  EXPECT_NE(out_.find("\nERROR custom.broken"), std::string::npos) << out_;
  EXPECT_NE(err_.find("1 check could not run"), std::string::npos) << err_;
}

TEST_F(CheckCliTest, MissingChecksFolderExitsNotFound) {
  EXPECT_EQ(Sparkify("check --checks-dir " + dir_.path() + "/nope"), 6);
  EXPECT_NE(err_.find("is not a folder"), std::string::npos) << err_;
}

TEST_F(CheckCliTest, EtlCheckRunsTheChecksAfterLoadingWithLinesOnStderr) {
  const std::string data = SampleDataDir();
  const std::string etl = " etl --keep-staging --check --songs " + data + "/song_data --events " +
                          data + "/log_data --format csv";
  ASSERT_EQ(RunCommand(Bin() + etl + target_, &out_, &err_), 0) << err_;
  EXPECT_EQ(out_.rfind("table_name,row_count\r\n", 0), 0u) << out_;
  EXPECT_EQ(out_.find("PASS"), std::string::npos) << "check lines belong on stderr";
  EXPECT_NE(err_.find("WARN  match_rate"), std::string::npos) << err_;
  EXPECT_EQ(RunCommand(Bin() + etl + " --fail-on-warn" + target_, &out_, &err_), 5) << err_;
}

}  // namespace
}  // namespace sparkify::testing
