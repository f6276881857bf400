// dim_time from the plays, range by range (pipeline/etl_stages.hpp InsertDimTimeFromPlays): the
// same rows however many ranges, at one thread (every range but the last inserted in whole
// vectors, the rest carried to the next range), at two (each range in parallel), and at two with
// serial_dim_time (as at one, on one engine thread, the engine's two restored after).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/pipeline/etl_stages.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {
namespace {

// A star whose fact_songplay holds `plays` plays over `distinct_times` start times (a prime),
// in scrambled order, each time played once or twice.
std::unique_ptr<engine::Engine> PlaysEngine(int threads, int plays, int distinct_times) {
  auto opened = engine::OpenDuckDb({":memory:", threads});
  EXPECT_TRUE(opened.ok()) << opened.error().message();
  std::unique_ptr<engine::Engine> e = std::move(opened).value();
  for (sql::Stmt stmt : sql::RebuildTablesStatements()) {
    Status s = e->Execute(sql::Render(stmt, e->dialect()));
    EXPECT_TRUE(s.ok()) << s.error().message();
  }
  Status s = e->Execute(
      "insert into fact_songplay (songplay_id, start_time) select i + 1, "
      "make_timestamp(1541030400000000 + ((i * 7919) % " +
      std::to_string(distinct_times) + ") * 1000 + (i % 3) * 17) from range(" +
      std::to_string(plays) + ") t(i)");
  EXPECT_TRUE(s.ok()) << s.error().message();
  return e;
}

std::vector<std::vector<engine::ResultValue>> Rows(engine::Engine& e, const std::string& sql) {
  auto r = e.Query(sql);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? r->rows : std::vector<std::vector<engine::ResultValue>>{};
}

const char* kDimTime = "select * from dim_time order by start_time";
const char* kEngineThreads = "select current_setting('threads')";

// The configurations a run inserts dim_time in: one thread, two in parallel, two serially.
std::vector<EtlOptions> EveryInsertMode() {
  std::vector<EtlOptions> modes(3);
  modes[0].threads = 1;
  modes[1].threads = 2;
  modes[2].threads = 2;
  modes[2].serial_dim_time = true;
  return modes;
}
const char* kDistinctTimes = "select count(distinct start_time) from fact_songplay";

TEST(DimTimeRangesTest, RangeCountFollowsThePlays) {
  EXPECT_EQ(DimTimeRanges(0, 100), 1u);
  EXPECT_EQ(DimTimeRanges(100, 100), 1u);
  EXPECT_EQ(DimTimeRanges(101, 100), 2u);
  EXPECT_EQ(DimTimeRanges(8'220'499), 28u);
  EXPECT_EQ(DimTimeRanges(5, 0), 5u);  // at least one play per range
}

TEST(DimTimeRangesTest, EveryRangeCountGivesTheSameDimTime) {
  for (const EtlOptions& options : EveryInsertMode()) {
    const int threads = options.threads;
    SCOPED_TRACE(std::to_string(threads) + " threads" +
                 (options.serial_dim_time ? ", serial_dim_time" : ""));
    // One range: the reference.
    auto whole = PlaysEngine(threads, 30'000, 20'011);
    ASSERT_TRUE(InsertDimTimeFromPlays(*whole, options, 30'000, 1'000'000).ok());
    const auto expected = Rows(*whole, kDimTime);
    // Each (i % 3) offset makes up to three times of one residue: more distinct than 20,011.
    ASSERT_EQ(Rows(*whole, "select count(*) from dim_time"), Rows(*whole, kDistinctTimes));
    ASSERT_GT(expected.size(), 20'011u);
    // Ranges of ~2,000 plays hold fewer than 2,048 times: every one is carried to the last
    // range; ~5,000 carries a part; ~13,000 inserts most of each range in its own statement.
    for (uint64_t per_range : {2'000u, 5'000u, 13'000u}) {
      auto ranged = PlaysEngine(threads, 30'000, 20'011);
      ASSERT_TRUE(InsertDimTimeFromPlays(*ranged, options, 30'000, per_range).ok());
      EXPECT_EQ(Rows(*ranged, kDimTime), expected) << per_range << " plays per range";
      EXPECT_EQ(Rows(*ranged, kEngineThreads),
                (std::vector<std::vector<engine::ResultValue>>{{std::to_string(threads)}}));
    }
  }
}

// With serial_dim_time the engine runs the ranges on one thread and gets its own count back,
// also when an insert fails.
TEST(DimTimeRangesTest, SerialRangesRestoreTheEngineThreadsOnFailure) {
  EtlOptions options;
  options.threads = 2;
  options.serial_dim_time = true;
  ASSERT_TRUE(InsertsDimTimeSerially(options));
  auto e = PlaysEngine(2, 30'000, 20'011);
  ASSERT_TRUE(e->Execute("drop table dim_time").ok());
  Status s = InsertDimTimeFromPlays(*e, options, 30'000, 5'000);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("dim_time"), std::string::npos) << s.error().message();
  EXPECT_EQ(Rows(*e, kEngineThreads), (std::vector<std::vector<engine::ResultValue>>{{"2"}}));
}

TEST(DimTimeRangesTest, NoPlaysAndOneTime) {
  for (const EtlOptions& options : EveryInsertMode()) {
    const int threads = options.threads;
    auto none = PlaysEngine(threads, 0, 7);
    ASSERT_TRUE(InsertDimTimeFromPlays(*none, options, 0, 10).ok());
    EXPECT_TRUE(Rows(*none, kDimTime).empty());
    auto one = PlaysEngine(threads, 0, 7);
    ASSERT_TRUE(one->Execute("insert into fact_songplay (songplay_id, start_time) select i, "
                             "make_timestamp(1541030400000000) from range(5000) t(i)")
                    .ok());
    ASSERT_TRUE(InsertDimTimeFromPlays(*one, options, 5000, 10).ok());
    EXPECT_EQ(Rows(*one, "select count(*), min(start_time) from dim_time"),
              (std::vector<std::vector<engine::ResultValue>>{{"1", "2018-11-01 00:00:00.000"}}));
  }
}

}  // namespace
}  // namespace sparkify::pipeline
