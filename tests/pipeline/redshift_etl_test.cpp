// Whole Redshift etl runs — listing, planning, COPY, transform, manifest, runs — against a fake
// cluster (testing/fake_redshift.hpp: PostgreSQL that takes Redshift's DDL and runs its COPY
// from moto's S3 with sparkify's parsers). Incremental runs must give the star, state and
// manifest of one full run; a late file, a changed file and an object the listing does not hold
// must be handled as docs/REDSHIFT.md says. Fails (never skips) without PostgreSQL and moto.
#include "sparkify/pipeline/redshift_etl.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sparkify/aws/s3.hpp"
#include "sparkify/pipeline/manifest.hpp"
#include "testing/aws_testing.hpp"
#include "testing/engines.hpp"
#include "testing/fake_redshift.hpp"
#include "testing/pg_testing.hpp"

namespace sparkify::testing {
namespace {

namespace fs = std::filesystem;
using pipeline::LoadMode;
using Rows = std::vector<std::vector<engine::ResultValue>>;

fs::path Sample() { return SharedDir() / "data" / "sparkify"; }

std::string EventKey(int day) {
  return "log_data/2018/11/2018-11-" + std::string(day < 10 ? "0" : "") + std::to_string(day) +
         "-events.json";
}

Rows Query(engine::Engine& e, const std::string& sql) {
  auto r = e.Query(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.error().ToString();
  return r.ok() ? r->rows : Rows{};
}

// Everything a load leaves, in a fixed order (the manifest without times and run ids).
const std::vector<std::string>& StateQueries() {
  static const std::vector<std::string> queries = {
      "select * from fact_songplay order by songplay_id",
      "select * from dim_user order by user_id",
      "select * from dim_artist order by artist_id",
      "select * from dim_song order by song_id",
      "select * from dim_time order by start_time",
      "select * from etl_user_latest order by user_id",
      "select * from etl_song_match order by 1, 2, 3, 4, 5",
      "select * from staging_events order by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, "
      "16, 17, 18",
      "select count(*) from staging_songs",
      "select table_name, file, line, reason from load_errors order by 1, 2, 3, 4",
      "select kind, file, size_bytes, etag, rows_loaded, rows_rejected from load_manifest "
      "order by 1, 2",
  };
  return queries;
}

std::vector<Rows> Snapshot(engine::Engine& e) {
  std::vector<Rows> out;
  for (const std::string& q : StateQueries()) out.push_back(Query(e, q));
  return out;
}

void ExpectSameState(engine::Engine& a, engine::Engine& b) {
  const std::vector<Rows> x = Snapshot(a), y = Snapshot(b);
  for (size_t i = 0; i < x.size(); ++i) {
    const bool may_be_empty = StateQueries()[i].find("load_errors") != std::string::npos;
    EXPECT_TRUE(may_be_empty || !x[i].empty()) << StateQueries()[i];
    EXPECT_EQ(x[i], y[i]) << StateQueries()[i];
  }
}

class RedshiftEtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    moto_ = MotoUrlOrFail();
    ASSERT_FALSE(moto_.empty());
    env_.ClearAws();
    env_.Set("AWS_ACCESS_KEY_ID", "AKIDSPARKIFYTEST");
    env_.Set("AWS_SECRET_ACCESS_KEY", "not-a-secret");
    env_.Set("AWS_DEFAULT_REGION", "us-east-1");
    env_.Set("SPARKIFY_AWS_RETRY_BASE_MS", "5");
    aws::S3Config config;
    config.endpoint_url = moto_;
    config.client.credentials = aws::Credentials{"AKIDSPARKIFYTEST", "not-a-secret", "", "test"};
    auto client = aws::S3Client::Create(config);
    ASSERT_TRUE(client.ok()) << client.error().ToString();
    s3_ = std::move(client).value();
    bucket_ = UniqueBucket("rs-etl");
    Status created = s3_->CreateBucket(bucket_);
    ASSERT_TRUE(created.ok()) << created.error().ToString();
    for (const auto& e : fs::recursive_directory_iterator(Sample() / "song_data")) {
      if (e.is_regular_file()) Put(fs::relative(e.path(), Sample()).string(), e.path());
    }
    Put("log_json_path.json", Sample() / "log_json_path.json");
  }

  void Put(const std::string& key, const fs::path& file) { PutText(key, ReadFileOrDie(file)); }
  void PutText(const std::string& key, std::string body) {
    Status s = s3_->PutObject(bucket_, key, std::move(body), "application/json", "");
    ASSERT_TRUE(s.ok()) << key << ": " << s.error().ToString();
  }
  void PutDays(int first, int last) {
    for (int day = first; day <= last; ++day) Put(EventKey(day), Sample() / EventKey(day));
  }

  // A fake cluster on a fresh PostgreSQL database.
  std::unique_ptr<engine::Engine> Cluster() {
    auto db = PgTestDatabase::Create();
    EXPECT_TRUE(db.ok()) << db.error().ToString();
    if (!db.ok()) return nullptr;
    source::SourceOptions s3;
    s3.s3_endpoint_url = moto_;
    auto engine = OpenFakeRedshift(**db, s3);
    EXPECT_TRUE(engine.ok()) << engine.error().ToString();
    databases_.push_back(std::move(db).value());
    return engine.ok() ? std::move(engine).value() : nullptr;
  }

  pipeline::RedshiftLoadOptions Options() const {
    pipeline::RedshiftLoadOptions o;
    o.songs = "s3://" + bucket_ + "/song_data";
    o.events = "s3://" + bucket_ + "/log_data";
    o.jsonpaths = "s3://" + bucket_ + "/log_json_path.json";
    o.iam_role_arn = "arn:aws:iam::123456789012:role/dwhRole";
    o.region = "us-east-1";
    o.max_errors = 1000;
    o.source.s3_endpoint_url = moto_;
    o.arguments = "etl --target redshift:";
    return o;
  }

  Result<pipeline::EtlReport> Run(engine::Engine& cluster) {
    return pipeline::RunRedshiftEtl(cluster, Options());
  }

  std::string moto_;
  ScopedEnv env_;
  std::unique_ptr<aws::S3Client> s3_;
  std::string bucket_;
  std::vector<std::unique_ptr<PgTestDatabase>> databases_;
};

TEST_F(RedshiftEtlTest, IncrementalRunsGiveTheStateOfOneFullRun) {
  auto cluster = Cluster();
  ASSERT_TRUE(cluster);
  PutDays(1, 15);
  auto first = Run(*cluster);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->plan.mode, LoadMode::kFull);
  const uint64_t first_plays = first->plays_added;
  EXPECT_GT(first_plays, 0u);

  PutDays(16, 30);
  auto second = Run(*cluster);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->plan.mode, LoadMode::kAppend) << second->plan.reason;
  EXPECT_EQ(second->events.files, 15u);
  EXPECT_GT(second->plays_added, 0u);

  auto whole = Cluster();
  ASSERT_TRUE(whole);
  auto full = Run(*whole);
  ASSERT_TRUE(full.ok()) << full.error().ToString();
  EXPECT_EQ(full->plan.mode, LoadMode::kFull);
  EXPECT_EQ(first_plays + second->plays_added, full->plays_added);
  ExpectSameState(*cluster, *whole);

  // The same star as DuckDB builds from the local files, but for the play numbering.
  auto duck = TestEngines()[0].open();
  ASSERT_TRUE(duck.ok());
  ASSERT_TRUE(LoadSample(**duck).ok());
  for (const std::string& q : StarQueriesButPlayIds()) {
    EXPECT_EQ(Query(*cluster, q), Query(**duck, q)) << q;
  }

  // Nothing new: nothing changes but the runs log.
  auto third = Run(*cluster);
  ASSERT_TRUE(third.ok()) << third.error().ToString();
  EXPECT_EQ(third->plan.mode, LoadMode::kNothing);
  ExpectSameState(*cluster, *whole);
  EXPECT_EQ(Query(*cluster, "select run_id, status, mode, files_loaded from runs order by run_id"),
            (Rows{{"1", "succeeded", "full", "86"},
                  {"2", "succeeded", "incremental", "15"},
                  {"3", "succeeded", "nothing", "0"}}));
}

TEST_F(RedshiftEtlTest, StatusShowsTheNewFilesBeforeTheRun) {
  auto cluster = Cluster();
  ASSERT_TRUE(cluster);
  PutDays(1, 20);
  ASSERT_TRUE(Run(*cluster).ok());
  PutDays(21, 23);
  auto status = pipeline::InspectLoad(*cluster, pipeline::RedshiftListing(Options()));
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_TRUE(status->loaded_before);
  EXPECT_EQ(status->plan.mode, LoadMode::kAppend);
  ASSERT_EQ(status->plan.events.fresh.size(), 3u);
  EXPECT_EQ(status->event_files[status->plan.events.fresh[0]].uri,
            "s3://" + bucket_ + "/" + EventKey(21));
  EXPECT_EQ(status->recent_runs.rows.size(), 1u);
}

TEST_F(RedshiftEtlTest, FullRefreshRebuildsFromWhatIsListedNow) {
  auto cluster = Cluster();
  ASSERT_TRUE(cluster);
  PutDays(1, 8);
  ASSERT_TRUE(Run(*cluster).ok());
  PutDays(9, 12);
  pipeline::RedshiftLoadOptions o = Options();
  o.full_refresh = true;
  auto refreshed = pipeline::RunRedshiftEtl(*cluster, o);
  ASSERT_TRUE(refreshed.ok()) << refreshed.error().ToString();
  EXPECT_EQ(refreshed->plan.mode, LoadMode::kFull);
  EXPECT_EQ(refreshed->events.files, 12u);

  auto whole = Cluster();
  ASSERT_TRUE(whole);
  ASSERT_TRUE(Run(*whole).ok());
  ExpectSameState(*cluster, *whole);
  EXPECT_EQ(Query(*cluster, "select mode from runs order by run_id"), (Rows{{"full"}, {"full"}}));
}

// A file is its name below the location (docs/RELIABILITY.md, "What a file is"): odd days
// under one prefix, then even days under another, make the state of one full run over all
// days (the rebuild COPYs the kept odd days from where they were last read); the same objects
// under a third prefix are then nothing new (same names, same ETags).
TEST_F(RedshiftEtlTest, OddDaysThenEvenDaysFromAnotherPrefixGiveOneFullRun) {
  for (int day = 1; day <= 30; ++day) {
    Put((day % 2 ? "odd/" : "even/") + EventKey(day), Sample() / EventKey(day));
  }
  PutDays(1, 30);
  auto cluster = Cluster();
  ASSERT_TRUE(cluster);
  pipeline::RedshiftLoadOptions odd = Options();
  odd.events = "s3://" + bucket_ + "/odd/log_data";
  auto first = pipeline::RunRedshiftEtl(*cluster, odd);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  pipeline::RedshiftLoadOptions even = Options();
  even.events = "s3://" + bucket_ + "/even/log_data";
  auto second = pipeline::RunRedshiftEtl(*cluster, even);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->plan.mode, LoadMode::kRebuild) << second->plan.reason;
  EXPECT_EQ(second->plan.events.kept.size(), 15u);
  EXPECT_EQ(second->events.files, 30u) << "the even days and the kept odd ones";

  auto whole = Cluster();
  ASSERT_TRUE(whole);
  ASSERT_TRUE(Run(*whole).ok());
  ExpectSameState(*cluster, *whole);

  auto same = Run(*cluster);  // every day again, under log_data/
  ASSERT_TRUE(same.ok()) << same.error().ToString();
  EXPECT_EQ(same->plan.mode, LoadMode::kNothing) << same->plan.reason;
  ExpectSameState(*cluster, *whole);
}

// A new file whose plays are earlier than the loaded ones: appending would number them after
// the later plays, so the run rebuilds, and ends as one full run over the same files.
TEST_F(RedshiftEtlTest, ANewFileWithEarlierPlaysRebuilds) {
  auto cluster = Cluster();
  ASSERT_TRUE(cluster);
  PutDays(10, 30);
  ASSERT_TRUE(Run(*cluster).ok());
  Put("log_data/2018/12/late-2018-11-05.json", Sample() / EventKey(5));
  auto late = Run(*cluster);
  ASSERT_TRUE(late.ok()) << late.error().ToString();
  EXPECT_EQ(late->plan.mode, LoadMode::kRebuild);
  EXPECT_NE(late->plan.reason.find("earlier"), std::string::npos) << late->plan.reason;

  auto whole = Cluster();
  ASSERT_TRUE(whole);
  ASSERT_TRUE(Run(*whole).ok());
  ExpectSameState(*cluster, *whole);
}

TEST_F(RedshiftEtlTest, AChangedFileIsReloadedAndItsOldRowsReplaced) {
  auto cluster = Cluster();
  ASSERT_TRUE(cluster);
  PutDays(1, 10);
  ASSERT_TRUE(Run(*cluster).ok());
  const std::string day3 = ReadFileOrDie(Sample() / EventKey(3));
  PutText(EventKey(3), day3.substr(0, day3.find('\n', day3.size() / 2) + 1));
  auto changed = Run(*cluster);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(changed->plan.mode, LoadMode::kRebuild);
  EXPECT_EQ(changed->plan.events.changed.size(), 1u);

  auto whole = Cluster();
  ASSERT_TRUE(whole);
  ASSERT_TRUE(Run(*whole).ok());
  ExpectSameState(*cluster, *whole);
}

// COPY reads every object under a prefix; sparkify lists only *.json files. An object it did
// not list fails the run, and nothing is committed.
TEST_F(RedshiftEtlTest, AnObjectTheListingLeavesOutFailsTheRun) {
  auto cluster = Cluster();
  ASSERT_TRUE(cluster);
  PutDays(1, 3);
  PutText("log_data/2018/11/notes.txt", "{\"not\": \"an event file\"}\n");
  auto run = Run(*cluster);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message().find("notes.txt"), std::string::npos) << run.error().ToString();
  EXPECT_NE(run.error().message().find("did not list"), std::string::npos);
  auto state = pipeline::LoadStateExists(*cluster);
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(*state) << "a failed first run committed tables";
}

TEST_F(RedshiftEtlTest, MoreBadRecordsThanAllowedFailsTheRunAndKeepsTheStar) {
  auto cluster = Cluster();
  ASSERT_TRUE(cluster);
  PutDays(1, 5);
  ASSERT_TRUE(Run(*cluster).ok());
  const std::vector<Rows> before = Snapshot(*cluster);
  PutText(EventKey(6), "{not json\n{\"ts\": \"yesterday\"}\n[1, 2]\n");
  pipeline::RedshiftLoadOptions o = Options();
  o.max_errors = 1;
  auto run = pipeline::RunRedshiftEtl(*cluster, o);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().code(), ErrorCode::kTooManyLoadErrors) << run.error().ToString();
  EXPECT_EQ(Snapshot(*cluster), before);
  EXPECT_EQ(Query(*cluster, "select status from runs order by run_id"),
            (Rows{{"succeeded"}, {"failed"}}));
}

}  // namespace
}  // namespace sparkify::testing
