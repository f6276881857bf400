// create-tables and etl on a real PostgreSQL server (issue #4): the same counts as DuckDB,
// re-runs, and failed runs that leave the previous star untouched.
#include <gtest/gtest.h>

#include <map>

#include "sparkify/pipeline/create_tables.hpp"
#include "sparkify/pipeline/etl.hpp"
#include "testing/pg_testing.hpp"

namespace sparkify::pipeline {
namespace {

using testing::PostgresTest;
using testing::QueryOrFail;
using testing::ScratchDir;
using testing::SharedSampleDir;
using testing::WriteTextFile;

EtlOptions KeptStagingOptions() {
  EtlOptions options;
  options.songs = SharedSampleDir() + "/song_data";
  options.events = SharedSampleDir() + "/log_data";
  options.threads = 2;
  options.keep_staging = true;
  return options;
}

std::map<std::string, int64_t> CountsOf(const std::vector<TableCount>& counts) {
  std::map<std::string, int64_t> out;
  for (const TableCount& c : counts) out[c.table] = c.rows;
  return out;
}

const std::map<std::string, int64_t> kSampleCounts{
    {"staging_events", 8056}, {"staging_songs", 71}, {"fact_songplay", 6820}, {"dim_user", 97},
    {"dim_song", 71},         {"dim_artist", 69},    {"dim_time", 6813},      {"load_errors", 0}};

class PostgresEtlTest : public PostgresTest {};

TEST_F(PostgresEtlTest, CreateTablesMakesEveryTableEmpty) {
  auto engine = db_->Open();
  ASSERT_TRUE(engine.ok()) << engine.error().ToString();
  ASSERT_TRUE(CreateTables(**engine).ok());
  auto counts = CountRows(**engine);
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  EXPECT_EQ(counts->size(), 8u);
  for (const TableCount& c : *counts) EXPECT_EQ(c.rows, 0) << c.table;
  // Dropping and creating again works on existing tables (foreign keys included).
  EXPECT_TRUE(CreateTables(**engine).ok());
}

TEST_F(PostgresEtlTest, SampleLoadsWithTheSameCountsAsDuckDb) {
  auto engine = db_->Open();
  ASSERT_TRUE(engine.ok()) << engine.error().ToString();
  auto report = RunEtl(**engine, KeptStagingOptions());
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_EQ(CountsOf(report->counts), kSampleCounts);
  EXPECT_EQ(report->songs.rows, 71u);
  EXPECT_EQ(report->events.rows, 8056u);
  auto matched =
      QueryOrFail(**engine, "select count(song_id), count(artist_id) from fact_songplay");
  ASSERT_EQ(matched.rows.size(), 1u);
  EXPECT_EQ(matched.rows[0][0], "1");
  EXPECT_EQ(matched.rows[0][1], "1");
}

TEST_F(PostgresEtlTest, RerunGivesTheSameStar) {
  auto engine = db_->Open();
  ASSERT_TRUE(engine.ok()) << engine.error().ToString();
  const std::string dump =
      "select songplay_id, start_time, user_id, level, song_id, artist_id, session_id, "
      "location, user_agent from fact_songplay order by songplay_id";
  auto first = RunEtl(**engine, KeptStagingOptions());
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  auto before = QueryOrFail(**engine, dump);
  auto second = RunEtl(**engine, KeptStagingOptions());
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(CountsOf(second->counts), kSampleCounts);
  EXPECT_EQ(QueryOrFail(**engine, dump).rows, before.rows);
}

TEST_F(PostgresEtlTest, FailedRunLeavesThePreviousStarUntouched) {
  auto engine = db_->Open();
  ASSERT_TRUE(engine.ok()) << engine.error().ToString();
  auto first = RunEtl(**engine, KeptStagingOptions());
  ASSERT_TRUE(first.ok()) << first.error().ToString();

  ScratchDir dir;
  WriteTextFile(dir / "songs/a.json",
                R"({"song_id":"S1","artist_id":"A1","title":"t","artist_name":"n",)"
                R"("duration":1.5,"year":2000})");
  WriteTextFile(dir / "events/e.json",
                "{\"ts\":1541903636796,\"page\":\"NextSong\",\"userId\":\"5\"}\n"
                "{\"ts\":\"yesterday\",\"page\":\"NextSong\"}\n");
  EtlOptions bad;
  bad.songs = dir / "songs";
  bad.events = dir / "events";
  bad.max_errors = 0;
  bad.keep_staging = true;
  bad.full_refresh = true;
  auto failed = RunEtl(**engine, bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kTooManyLoadErrors) << failed.error().ToString();

  auto counts = CountRows(**engine);
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  EXPECT_EQ(CountsOf(*counts), kSampleCounts);
}

TEST_F(PostgresEtlTest, BadRecordsAreLoadErrorsAndGoodOnesLoad) {
  auto engine = db_->Open();
  ASSERT_TRUE(engine.ok()) << engine.error().ToString();
  ScratchDir dir;
  WriteTextFile(dir / "songs/a.json",
                R"({"song_id":"S1","artist_id":"A1","title":"x\u0000y","duration":1.5})");
  WriteTextFile(dir / "songs/b.json", R"({"song_id":"S2","artist_id":"A1","title":"ok"})");
  WriteTextFile(dir / "events/e.json",
                "{\"ts\":1541903636796,\"page\":\"NextSong\",\"userId\":\"5\"}\n"
                "not json\n"
                "{\"ts\":1541903636797,\"page\":\"NextSong\",\"artist\":\"a\\u0000\"}\n");
  EtlOptions options;
  options.songs = dir / "songs";
  options.events = dir / "events";
  options.keep_staging = true;
  auto report = RunEtl(**engine, options);
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  auto counts = CountsOf(report->counts);
  EXPECT_EQ(counts["staging_songs"], 1);
  EXPECT_EQ(counts["staging_events"], 1);
  EXPECT_EQ(counts["load_errors"], 3);
  auto errors = QueryOrFail(**engine,
                            "select table_name, line, reason from load_errors "
                            "order by table_name, file, line");
  ASSERT_EQ(errors.rows.size(), 3u);
  EXPECT_EQ(errors.rows[0][1], "2");
  EXPECT_EQ(errors.rows[1][1], "3");
  EXPECT_EQ(errors.rows[1][2],
            "field \"artist\": contains a NUL character (\\u0000), which text columns cannot "
            "store");
  EXPECT_EQ(errors.rows[2][0], "staging_songs");
}

}  // namespace
}  // namespace sparkify::pipeline
