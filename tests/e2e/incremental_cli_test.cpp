// Incremental runs through the binary: what a person sees ("0 new files", `status`,
// `etl --plan`), and one etl per database (DuckDB refuses a second process clearly,
// PostgreSQL makes the second run wait).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "testing/pg_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify {
namespace {

namespace fs = std::filesystem;
using testing::RunSparkify;
using testing::TempDir;

class IncrementalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(testing::SampleDataDir() + "/song_data", songs_, fs::copy_options::recursive);
    fs::create_directories(events_);
    // The sample's event files but the last two, which arrive later.
    for (const auto& e : fs::recursive_directory_iterator(testing::SampleDataDir() + "/log_data")) {
      if (e.is_regular_file() && e.path().extension() == ".json") all_.push_back(e.path());
    }
    std::sort(all_.begin(), all_.end());
    ASSERT_GT(all_.size(), 3u);
    for (size_t i = 0; i + 2 < all_.size(); ++i) Arrive(i);
  }
  void Arrive(size_t i) { fs::copy_file(all_[i], fs::path(events_) / all_[i].filename()); }
  testing::CommandResult Sparkify(const std::string& command,
                                  const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{command, "--target", target_, "--songs",
                                  songs_,  "--events", events_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSparkify(args);
  }
  std::string Runs() {
    auto r = RunSparkify({"query", "--target", target_, "--format", "csv", "--sql",
                          "select run_id, mode, files_loaded from runs order by run_id"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  TempDir dir_;
  std::string songs_ = dir_.path() + "/songs";
  std::string events_ = dir_.path() + "/events";
  std::string target_ = "duckdb:" + dir_.path() + "/w.duckdb";
  std::vector<fs::path> all_;
};

TEST_F(IncrementalCliTest, StatusPlanAndZeroNewFiles) {
  auto before = Sparkify("status");
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_NE(before.out.find("nothing loaded yet"), std::string::npos) << before.out;
  EXPECT_NE(before.out.find("next etl: full"), std::string::npos) << before.out;

  auto first = Sparkify("etl");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("run 1 (full)"), std::string::npos) << first.err;

  auto again = Sparkify("etl");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 new files"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("nothing to load"), std::string::npos) << again.err;

  Arrive(all_.size() - 2);
  Arrive(all_.size() - 1);
  const std::string runs = Runs();
  for (const char* how : {"status", "plan"}) {
    auto shown = std::string(how) == "status" ? Sparkify("status") : Sparkify("etl", {"--plan"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_NE(shown.out.find("events: " + std::to_string(all_.size()) +
                             " listed: 2 new, 0 changed, " + std::to_string(all_.size() - 2) +
                             " unchanged, 0 same content as a loaded file; 0 loaded but not listed "
                             "(kept), 0 unreadable"),
              std::string::npos)
        << shown.out;
    EXPECT_NE(shown.out.find("next etl: incremental"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("new        " + events_ + "/" + all_.back().filename().string()),
              std::string::npos)
        << shown.out;
    EXPECT_NE(shown.out.find("last runs:"), std::string::npos) << shown.out;
  }
  EXPECT_EQ(Runs(), runs) << "status and --plan change nothing";

  auto append = Sparkify("etl");
  ASSERT_EQ(append.exit_code, 0) << append.err;
  EXPECT_NE(append.err.find("run 3 (incremental)"), std::string::npos) << append.err;
  EXPECT_EQ(Runs(), "run_id,mode,files_loaded\r\n1,full," + std::to_string(71 + all_.size() - 2) +
                        "\r\n2,nothing,0\r\n3,incremental,2\r\n");
  // The sample's counts, as after one full run.
  auto counts = RunSparkify({"query", "--target", target_, "--format", "csv", "--sql",
                             "select (select count(*) from fact_songplay) as plays, "
                             "(select count(*) from dim_user) as users, "
                             "(select count(*) from dim_time) as times"});
  EXPECT_EQ(counts.out, "plays,users,times\r\n6820,97,6813\r\n");
}

TEST_F(IncrementalCliTest, DuckDbFileInUseFailsClearly) {
  ASSERT_EQ(Sparkify("etl").exit_code, 0);
  auto holder = engine::OpenDuckDb({dir_.path() + "/w.duckdb", 1});
  ASSERT_TRUE(holder.ok()) << holder.error().ToString();
  Arrive(all_.size() - 1);
  auto busy = Sparkify("etl");
  EXPECT_EQ(busy.exit_code, 1) << busy.err;
  EXPECT_NE(busy.err.find("is in use by another process"), std::string::npos) << busy.err;
  holder->reset();
  auto later = Sparkify("etl");
  EXPECT_EQ(later.exit_code, 0) << later.err;
  EXPECT_NE(later.err.find("incremental"), std::string::npos) << later.err;
}

class IncrementalPgCliTest : public testing::PostgresTest {};

TEST_F(IncrementalPgCliTest, SecondEtlWaitsForTheFirst) {
  TempDir dir;
  auto holder = db_->Open();
  ASSERT_TRUE(holder.ok()) << holder.error().ToString();
  // Stand in for a running etl: take the lock an etl takes, inside a transaction.
  ASSERT_TRUE((*holder)->Begin().ok());
  ASSERT_TRUE((*holder)->Execute("select pg_advisory_xact_lock(8317145891004901753)").ok());
  auto run = std::async(std::launch::async, [&] {
    return RunSparkify({"etl", "--target", db_->conninfo(), "--songs",
                        testing::SampleDataDir() + "/song_data", "--events",
                        testing::SampleDataDir() + "/log_data"});
  });
  EXPECT_EQ(run.wait_for(std::chrono::seconds(3)), std::future_status::timeout)
      << "the etl should wait while the lock is held";
  ASSERT_TRUE((*holder)->Commit().ok());
  auto done = run.get();
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_NE(done.err.find("waiting for it to finish"), std::string::npos) << done.err;
  EXPECT_NE(done.err.find("run 1 (full)"), std::string::npos) << done.err;
}

}  // namespace
}  // namespace sparkify
