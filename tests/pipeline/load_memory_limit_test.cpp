// EtlOptions::load_memory_limit: a full direct load on DuckDB stages the files under it, and the
// engine's own limit is back for the transform and after, whether the load succeeded or not;
// EtlOptions::transform_memory_limit, when set, is the transform's instead.
#include <gtest/gtest.h>

#include <string>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/pipeline/etl.hpp"
#include "sparkify/pipeline/etl_stages.hpp"
#include "testing/test_util.hpp"

namespace sparkify::pipeline {
namespace {

// DuckDB's memory limit in MiB, as it reports it ("95.3 MiB"): to a tenth of a MiB, so a limit
// set back from its report may read a tenth lower.
double MemoryLimitMiB(engine::Engine& e) {
  auto r = e.Query("select current_setting('memory_limit')");
  EXPECT_TRUE(r.ok()) << r.error().message();
  if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return 0;
  const std::string& text = *r->rows[0][0];
  EXPECT_NE(text.find(" MiB"), std::string::npos) << text;
  return std::stod(text);
}

EtlOptions SampleOptions() {
  EtlOptions o;
  o.songs = testing::SampleDataDir() + "/song_data";
  o.events = testing::SampleDataDir() + "/log_data";
  o.threads = 2;
  return o;
}

TEST(LoadMemoryLimitTest, TheLoadRunsUnderItAndTheEnginesOwnComesBack) {
  auto opened = engine::OpenDuckDb({":memory:", 2, "100MB"});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  engine::Engine& e = **opened;
  const double own = MemoryLimitMiB(e);
  ASSERT_NEAR(own, 95.3, 0.1);

  // A limit DuckDB refuses fails the run before anything is loaded: it was applied.
  EtlOptions bad = SampleOptions();
  bad.load_memory_limit = "lots";
  auto failed = RunEtl(e, bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message().find("memory"), std::string::npos) << failed.error().message();
  EXPECT_NEAR(MemoryLimitMiB(e), own, 0.15);

  EtlOptions good = SampleOptions();
  good.load_memory_limit = "32MB";
  auto loaded = RunEtl(e, good);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->plays_added, 6820u);
  EXPECT_NEAR(MemoryLimitMiB(e), own, 0.15);
}

TEST(LoadMemoryLimitTest, TheTransformRunsUnderItsOwnLimitWhenOneIsGiven) {
  auto opened = engine::OpenDuckDb({":memory:", 1, "100MB"});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  engine::Engine& e = **opened;
  const double own = MemoryLimitMiB(e);

  // A transform limit DuckDB refuses fails the run once the files are staged: it was applied,
  // and the engine's own limit is back.
  EtlOptions bad = SampleOptions();
  bad.threads = 1;
  bad.load_memory_limit = "32MB";
  bad.transform_memory_limit = "lots";
  auto failed = RunEtl(e, bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message().find("memory"), std::string::npos) << failed.error().message();
  EXPECT_NEAR(MemoryLimitMiB(e), own, 0.15);

  EtlOptions good = SampleOptions();
  good.threads = 1;
  good.load_memory_limit = "32MB";
  good.transform_memory_limit = "64MB";
  auto loaded = RunEtl(e, good);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->plays_added, 6820u);
  EXPECT_NEAR(MemoryLimitMiB(e), own, 0.25);  // two runs, each a tenth of a MiB off at most
}

// The commit of a full load runs under 24 MiB plus what the key indexes take, whatever they
// take: DuckDB cannot evict them, and a flat limit failed for 300,000 song files.
TEST(LoadMemoryLimitTest, TheCommitsLimitIsTheKeyIndexesAnd24MiB) {
  auto opened = engine::OpenDuckDb({":memory:", 1, "500MB"});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  engine::Engine& e = **opened;
  auto key_mib = [&] {
    auto r = e.Query(
        "select sum(memory_usage_bytes) / 1048576.0 from duckdb_memory() where tag = "
        "'ART_INDEX'");
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() && !r->rows.empty() && r->rows[0][0] ? std::stod(*r->rows[0][0]) : -1.0;
  };
  ASSERT_TRUE(e.Execute("create table keyed (k varchar primary key)").ok());
  ASSERT_TRUE(LimitMemoryForCommit(e).ok());
  EXPECT_NEAR(MemoryLimitMiB(e), 24.0 + key_mib(), 0.15);
  ASSERT_TRUE(e.Execute("set memory_limit = '500MB'").ok());
  ASSERT_TRUE(e.Execute("insert into keyed select 'key-' || i from range(400000) t(i)").ok());
  const double keys = key_mib();
  EXPECT_GT(keys, 4.0);  // enough keys that a limit ignoring them would be off
  ASSERT_TRUE(LimitMemoryForCommit(e).ok());
  EXPECT_NEAR(MemoryLimitMiB(e), 24.0 + keys, 0.15);
}

// The events run under the load's limit less the song index's match table, which they hold,
// so that the two share one budget; never under 16 MiB, and a limit this cannot read (or one
// already that low) as it was given.
TEST(LoadMemoryLimitTest, TheEventsLimitLeavesRoomForTheSongIndex) {
  EXPECT_EQ(EventsMemoryLimit("32MB", 0), "31250KiB");
  EXPECT_EQ(EventsMemoryLimit("32MB", 11'000'000), "20507KiB");  // 21,000,000 bytes
  EXPECT_EQ(EventsMemoryLimit("32 MiB", 1 << 20), "31744KiB");
  EXPECT_EQ(EventsMemoryLimit("1.5GiB", 1 << 20), "1571840KiB");
  EXPECT_EQ(EventsMemoryLimit("40000kib", 0), "40000KiB");
  EXPECT_EQ(EventsMemoryLimit("32MB", 30'000'000), "16384KiB");  // the floor
  EXPECT_EQ(EventsMemoryLimit("32MB", 64'000'000), "16384KiB");
  EXPECT_EQ(EventsMemoryLimit("16MB", 1'000'000), "16MB");
  EXPECT_EQ(EventsMemoryLimit("lots", 1'000'000), "lots");
  EXPECT_EQ(EventsMemoryLimit("MB", 0), "MB");
  EXPECT_EQ(EventsMemoryLimit("32 parsecs", 0), "32 parsecs");
}

}  // namespace
}  // namespace sparkify::pipeline
