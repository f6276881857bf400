// The Redshift load path without a cluster: the connection string, and RunRedshiftEtl's
// statements, transaction and load_errors read-back against a scripted engine.
#include "sparkify/engine/redshift/redshift_engine.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sparkify/engine/engine.hpp"
#include "sparkify/pipeline/etl.hpp"

namespace sparkify::engine {
namespace {

TEST(RedshiftConnInfoTest, RedshiftUriBecomesLibpqUriWithTls) {
  EXPECT_EQ(RedshiftConnInfo("redshift://dwhuser:pw@h.example.com:5439/dwh"),
            "postgresql://dwhuser:pw@h.example.com:5439/dwh?sslmode=require");
  EXPECT_EQ(RedshiftConnInfo("redshift://u@h:5439/d?connect_timeout=5"),
            "postgresql://u@h:5439/d?connect_timeout=5&sslmode=require");
  EXPECT_EQ(RedshiftConnInfo("redshift://u@h/d?sslmode=verify-full"),
            "postgresql://u@h/d?sslmode=verify-full");
  EXPECT_EQ(RedshiftConnInfo("host=h port=5439 dbname=dwh"),
            "host=h port=5439 dbname=dwh sslmode=require");
}

// Records statements; fails the one containing `fail_on`.
class ScriptedEngine : public Engine {
 public:
  std::vector<std::string> log;
  std::string fail_on;
  std::string message = "Load into table 'staging_events' failed: S3 access denied";
  sql::Dialect dialect() const override { return sql::Dialect::kRedshift; }
  std::string Describe() const override { return "scripted"; }
  Status Execute(std::string_view sql) override {
    log.emplace_back(sql);
    if (!fail_on.empty() && sql.find(fail_on) != std::string_view::npos) {
      return Error::Engine(message);
    }
    return Status::Ok();
  }
  Result<QueryResult> Query(std::string_view sql) override {
    log.emplace_back(sql);
    QueryResult r;
    if (sql.find("select table_name, file") != std::string_view::npos) {
      r.rows.push_back({std::string("staging_events"), std::string("s3://b/log_data/x.json"),
                        std::string("7"), std::string("Invalid timestamp format"),
                        std::string("ts: int8")});
    } else {
      r.rows.push_back({std::string("staging_events"), std::string("12")});
      r.rows.push_back({std::string("staging_songs"), std::string("3")});
    }
    return r;
  }
  Result<std::unique_ptr<BulkLoader>> OpenBulkLoader(const TableSchema&) override {
    return Error::Internal("no bulk loads on Redshift");
  }
  Status Begin() override {
    log.emplace_back("BEGIN");
    return Status::Ok();
  }
  Status Commit() override {
    log.emplace_back("COMMIT");
    return Status::Ok();
  }
  Status Rollback() override {
    log.emplace_back("ROLLBACK");
    return Status::Ok();
  }
};

pipeline::RedshiftLoadOptions Options() {
  pipeline::RedshiftLoadOptions o;
  o.songs = "s3://b/song_data";
  o.events = "s3://b/log_data";
  o.jsonpaths = "s3://b/log_json_path.json";
  o.iam_role_arn = "arn:aws:iam::1:role/r";
  o.region = "us-west-2";
  o.max_errors = 5;
  return o;
}

TEST(RedshiftEtlTest, RunsEveryStepInOneTransactionAndReadsLoadErrorsBack) {
  ScriptedEngine engine;
  auto report = pipeline::RunRedshiftEtl(engine, Options());
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  ASSERT_GE(engine.log.size(), 3u);
  EXPECT_EQ(engine.log.front(), "BEGIN");
  size_t copy_songs = 0, copy_events = 0, commit = 0;
  for (size_t i = 0; i < engine.log.size(); ++i) {
    if (engine.log[i].starts_with("copy staging_songs")) copy_songs = i;
    if (engine.log[i].starts_with("copy staging_events")) copy_events = i;
    if (engine.log[i] == "COMMIT") commit = i;
  }
  EXPECT_GT(copy_songs, 0u);
  EXPECT_GT(copy_events, copy_songs);
  EXPECT_GT(commit, copy_events);
  EXPECT_NE(engine.log[copy_songs + 1].find("sys_load_error_detail"), std::string::npos);
  ASSERT_EQ(report->load_errors.size(), 1u);
  EXPECT_EQ(report->load_errors[0].file, "s3://b/log_data/x.json");
  EXPECT_EQ(report->load_errors[0].line, 7u);
  EXPECT_EQ(report->events.rows, 12u);
  EXPECT_EQ(report->songs.rows, 3u);
}

TEST(RedshiftEtlTest, TooManyBadRecordsIsExitCodeFour) {
  ScriptedEngine engine;
  engine.fail_on = "copy staging_songs";
  engine.message =
      "Load into table 'staging_songs' failed. Check 'sys_load_error_detail' system table for "
      "details.";
  auto report = pipeline::RunRedshiftEtl(engine, Options());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code(), ErrorCode::kTooManyLoadErrors) << report.error().ToString();
  EXPECT_EQ(engine.log.back(), "ROLLBACK");
}

TEST(RedshiftEtlTest, AFailedCopyRollsBackAndNamesTheStep) {
  ScriptedEngine engine;
  engine.fail_on = "copy staging_events";
  auto report = pipeline::RunRedshiftEtl(engine, Options());
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().ToString().find("copy_staging_events"), std::string::npos)
      << report.error().ToString();
  EXPECT_EQ(report.error().code(), ErrorCode::kEngine);
  EXPECT_EQ(engine.log.back(), "ROLLBACK");
}

}  // namespace
}  // namespace sparkify::engine
