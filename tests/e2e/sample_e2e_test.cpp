// End to end on the public sample (../shared/data/sparkify), through the real binary.
#include <gtest/gtest.h>

#include "testing/test_util.hpp"

namespace sparkify {
namespace {

using testing::RunSparkify;
using testing::SampleDataDir;
using testing::TempDir;

std::string Csv(const std::string& target, const std::string& sql) {
  auto r = RunSparkify({"query", "--target", target, "--format", "csv", "--sql", sql});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// Every star table, each sorted by its key, in canonical CSV.
std::string StarDump(const std::string& target) {
  std::string dump;
  for (const char* q :
       {"select * from fact_songplay order by songplay_id",
        "select * from dim_user order by user_id", "select * from dim_song order by song_id",
        "select * from dim_artist order by artist_id",
        "select * from dim_time order by start_time"}) {
    dump += Csv(target, q);
  }
  return dump;
}

class SampleE2e : public ::testing::Test {
 protected:
  void RunEtl(const std::string& target,
              const std::vector<std::string>& extra = {"--keep-staging"}) {
    std::vector<std::string> args{"etl",
                                  "--target",
                                  target,
                                  "--songs",
                                  SampleDataDir() + "/song_data",
                                  "--events",
                                  SampleDataDir() + "/log_data",
                                  "--threads",
                                  "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunSparkify(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    etl_out_ = r.out;
    etl_err_ = r.err;
  }
  TempDir dir_;
  std::string target_ = "duckdb:" + dir_.path() + "/sample.duckdb";
  std::string etl_out_, etl_err_;
};

TEST_F(SampleE2e, LoadsTheExpectedCounts) {
  auto created = RunSparkify({"create-tables", "--target", target_});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  RunEtl(target_);
  EXPECT_EQ(Csv(target_, "select count(*) from staging_events"), "count_star()\r\n8056\r\n");
  EXPECT_EQ(Csv(target_, "select count(*) from staging_songs"), "count_star()\r\n71\r\n");
  EXPECT_EQ(Csv(target_, "select count(*) as n, count(song_id) as matched from fact_songplay"),
            "n,matched\r\n6820,1\r\n");
  EXPECT_EQ(Csv(target_, "select count(*) from load_errors"), "count_star()\r\n0\r\n");
  // The etl prints every table's row count on stdout.
  EXPECT_NE(etl_out_.find("fact_songplay  |      6820"), std::string::npos) << etl_out_;
  EXPECT_NE(etl_out_.find("staging_events |      8056"), std::string::npos) << etl_out_;
}

TEST_F(SampleE2e, EveryDimensionKeyIsUniqueAndFactKeysResolve) {
  RunEtl(target_);
  for (auto [table, key] : {std::pair{"dim_user", "user_id"},
                            {"dim_song", "song_id"},
                            {"dim_artist", "artist_id"},
                            {"dim_time", "start_time"},
                            {"fact_songplay", "songplay_id"}}) {
    std::string sql = std::string("select count(*) - count(distinct ") + key +
                      ") as dup, count(*) - count(" + key + ") as nulls from " + table;
    EXPECT_EQ(Csv(target_, sql), "dup,nulls\r\n0,0\r\n") << table;
  }
  EXPECT_EQ(Csv(target_,
                "select count(*) as n from fact_songplay f left join dim_time t using (start_time) "
                "where t.start_time is null"),
            "n\r\n0\r\n");
  EXPECT_EQ(Csv(target_, "select count(*) as n from dim_time"), "n\r\n6813\r\n");
  EXPECT_EQ(Csv(target_, "select count(*) as n from dim_user"), "n\r\n97\r\n");
}

TEST_F(SampleE2e, SecondRunAfterCreateTablesGivesTheIdenticalStar) {
  RunEtl(target_);
  std::string first = StarDump(target_);
  ASSERT_GT(first.size(), 100000u);
  auto created = RunSparkify({"create-tables", "--target", target_});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(Csv(target_, "select count(*) as n from fact_songplay"), "n\r\n0\r\n");
  RunEtl(target_);
  EXPECT_EQ(StarDump(target_), first);
  // And a plain re-run (no create-tables) duplicates nothing.
  RunEtl(target_);
  EXPECT_EQ(StarDump(target_), first);
}

TEST_F(SampleE2e, OneThreadAndTwoThreadsAgree) {
  RunEtl(target_);
  std::string two = StarDump(target_);
  TempDir other;
  std::string target1 = "duckdb:" + other.path() + "/one.duckdb";
  auto r = RunSparkify({"etl", "--target", target1, "--songs", SampleDataDir() + "/song_data",
                        "--events", SampleDataDir() + "/log_data", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StarDump(target1), two);
}

// The direct transform (C++ while parsing) and the SQL transform build the same star.
TEST_F(SampleE2e, DirectAndSqlTransformsBuildTheSameStar) {
  RunEtl(target_, {"--transform", "sql"});
  std::string sql = StarDump(target_);
  std::string staging = Csv(target_, "select * from staging_events order by event_seq");
  RunEtl(target_, {"--transform", "direct", "--keep-staging", "--full-refresh"});
  EXPECT_EQ(StarDump(target_), sql);
  EXPECT_EQ(Csv(target_, "select * from staging_events order by event_seq"), staging);
  RunEtl(target_, {"--transform", "direct", "--full-refresh"});
  EXPECT_EQ(StarDump(target_), sql);
  EXPECT_EQ(Csv(target_, "select count(*) as n from staging_events"), "n\r\n0\r\n");
}

TEST(CliE2e, MissingSourcesIsAUsageError) {
  TempDir dir;
  auto r = RunSparkify({"etl", "--target", "duckdb:" + dir.path() + "/x.duckdb"},
                       {"SPARKIFY_CONFIG=", "SPARKIFY_SONGS=", "SPARKIFY_EVENTS="});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--songs"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliE2e, SourcesComeFromDwhCfgWhenNoFlags) {
  TempDir dir;
  std::string cfg = dir.path() + "/dwh.cfg";
  testing::WriteFile(cfg, "[S3]\nLOG_DATA='" + SampleDataDir() + "/log_data'\nsong_data : \"" +
                              SampleDataDir() + "/song_data\"\n");
  auto r = RunSparkify({"--config", cfg, "etl", "--target", "duckdb:" + dir.path() + "/x.duckdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("6820"), std::string::npos);
}

TEST(CliE2e, EveryCommandHasHelp) {
  for (const char* cmd : {"create-tables", "etl", "query", "generate"}) {
    auto r = RunSparkify({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("--"), std::string::npos) << cmd;
  }
}

TEST(CliE2e, QueryFormatsAndErrors) {
  TempDir dir;
  std::string target = "duckdb:" + dir.path() + "/q.duckdb";
  ASSERT_EQ(RunSparkify({"create-tables", "--target", target}).exit_code, 0);
  auto json = RunSparkify({"query", "--target", target, "--format", "json", "--sql",
                           "select 1 as n, 'a,b' as s, null as z"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out, "[\n{\"n\":1,\"s\":\"a,b\",\"z\":null}\n]\n");
  auto bad_sql = RunSparkify({"query", "--target", target, "--sql", "select * from nowhere"});
  EXPECT_EQ(bad_sql.exit_code, 1);
  EXPECT_NE(bad_sql.err.find("nowhere"), std::string::npos);
  auto unknown = RunSparkify({"query", "no_such_query", "--target", target});
  EXPECT_EQ(unknown.exit_code, 2);
  auto bad_format = RunSparkify({"query", "top_songs", "--format", "xml", "--target", target});
  EXPECT_EQ(bad_format.exit_code, 2);
}

}  // namespace
}  // namespace sparkify
