// EtlOptions::load_memory_limit: a full direct load on DuckDB stages the files under it, and the
// engine's own limit is back for the transform and the commit, and after, whether the load
// succeeded or not; EtlOptions::transform_memory_limit, when set, is the transform's and the
// commit's instead.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/pipeline/etl.hpp"
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

// Passes everything to `inner`, and reads its memory limit when the run commits.
class CommitWatcher final : public engine::Engine {
 public:
  explicit CommitWatcher(engine::Engine& inner) : inner_(inner) {}
  sql::Dialect dialect() const override { return inner_.dialect(); }
  std::string Describe() const override { return inner_.Describe(); }
  Status Execute(std::string_view sql) override { return inner_.Execute(sql); }
  Result<engine::QueryResult> Query(std::string_view sql) override { return inner_.Query(sql); }
  Result<std::unique_ptr<engine::BulkLoader>> OpenBulkLoader(const TableSchema& table) override {
    return inner_.OpenBulkLoader(table);
  }
  Result<std::unique_ptr<engine::BulkLoader>> OpenParallelLoader(
      const TableSchema& table) override {
    return inner_.OpenParallelLoader(table);
  }
  Status Begin() override { return inner_.Begin(); }
  Status Commit() override {
    limit_at_commit = MemoryLimitMiB(inner_);
    return inner_.Commit();
  }
  Status Rollback() override { return inner_.Rollback(); }
  Status BeginReadOnly() override { return inner_.BeginReadOnly(); }

  std::optional<double> limit_at_commit;

 private:
  engine::Engine& inner_;
};

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

// The commit stays under the transform's limit (L's commit peaked 10 MB lower than under the
// engine's own); the engine's own is back once it is done.
TEST(LoadMemoryLimitTest, TheCommitRunsUnderTheTransformsLimit) {
  auto opened = engine::OpenDuckDb({":memory:", 1, "100MB"});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  CommitWatcher e(**opened);
  const double own = MemoryLimitMiB(e);

  EtlOptions options = SampleOptions();
  options.load_memory_limit = "32MB";
  options.transform_memory_limit = "64MB";  // 61.0 MiB
  auto loaded = RunEtl(e, options);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->plays_added, 6820u);
  ASSERT_TRUE(e.limit_at_commit.has_value());
  EXPECT_NEAR(*e.limit_at_commit, 61.0, 0.15);
  EXPECT_NEAR(MemoryLimitMiB(e), own, 0.15);

  // Without a transform limit the commit runs under the engine's own, as the transform does.
  e.limit_at_commit.reset();
  options.full_refresh = true;
  options.transform_memory_limit.clear();
  auto again = RunEtl(e, options);
  ASSERT_TRUE(again.ok()) << again.error().message();
  ASSERT_TRUE(e.limit_at_commit.has_value());
  EXPECT_NEAR(*e.limit_at_commit, own, 0.25);
}

}  // namespace
}  // namespace sparkify::pipeline
