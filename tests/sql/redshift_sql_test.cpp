// The Redshift dialect: the whole script `etl --dry-run --target redshift://...` prints for
// a fixed configuration (tests/golden/redshift/), literal quoting, and per-table attributes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "sparkify/pipeline/redshift_etl.hpp"
#include "sparkify/sql/catalog.hpp"
#include "testing/test_util.hpp"

namespace sparkify::testing {
namespace {

const std::string kGoldenDir = std::string(SPARKIFY_SOURCE_DIR) + "/tests/golden/redshift";

// Regenerate with SPARKIFY_UPDATE_GOLDEN=1 and review the diff.
TEST(RedshiftGoldenTest, EtlDryRunPrintsTheWholeScript) {
  CommandResult r = RunSparkify(
      {"--config", kGoldenDir + "/dwh.cfg", "etl", "--dry-run", "--max-errors", "10", "--target",
       "redshift://dwhuser@dwhcluster.abc123.us-west-2.redshift.amazonaws.com:5439/dwh"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string golden = kGoldenDir + "/etl_dry_run.sql";
  if (const char* u = std::getenv("SPARKIFY_UPDATE_GOLDEN"); u != nullptr && u[0] == '1') {
    WriteFile(golden, r.out);
  }
  EXPECT_EQ(r.out, ReadFile(golden));
}

TEST(RedshiftGoldenTest, MissingRoleIsAConfigurationError) {
  TempDir dir;
  WriteFile(dir / "dwh.cfg",
            "[S3]\nLOG_DATA=s3://b/log\nSONG_DATA=s3://b/song\nLOG_JSONPATH=s3://b/p.json\n");
  CommandResult r = RunSparkify(
      {"--config", dir / "dwh.cfg", "etl", "--dry-run", "--target", "redshift://u@h:5439/d"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("IAM_ROLE ARN"), std::string::npos) << r.err;
}

TEST(RedshiftSqlTest, QuoteLiteralDoublesQuotesAndBackslashes) {
  EXPECT_EQ(sql::QuoteLiteral("s3://udacity-dend/log_data"), "'s3://udacity-dend/log_data'");
  EXPECT_EQ(sql::QuoteLiteral(""), "''");
  EXPECT_EQ(sql::QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(sql::QuoteLiteral("a\\b"), "'a\\\\b'");
  EXPECT_EQ(sql::QuoteLiteral("x'; drop table dim_user; --\\'"),
            "'x''; drop table dim_user; --\\\\'''");
}

TEST(RedshiftSqlTest, ConfigurationValuesAreQuotedInTheCopy) {
  pipeline::RedshiftLoadOptions o;
  o.songs = "s3://b/so'ngs";
  o.events = "s3://b/ev\\ents";
  o.jsonpaths = "s3://b/p.json";
  o.iam_role_arn = "arn:aws:iam::1:role/r'x";
  o.region = "us-west-2";
  std::string script;
  for (const auto& step : pipeline::PlanRedshiftEtl(o)) script += step.sql;
  // A location is COPYed as a folder: song_data must not take song_data_old.
  EXPECT_NE(script.find("from 's3://b/so''ngs/'"), std::string::npos) << script;
  EXPECT_NE(script.find("from 's3://b/ev\\\\ents/'"), std::string::npos) << script;
  EXPECT_NE(script.find("iam_role 'arn:aws:iam::1:role/r''x'"), std::string::npos) << script;
  EXPECT_EQ(script.find("event_seq"), std::string::npos) << "Redshift cannot fill event_seq";
}

TEST(RedshiftSqlTest, TableAttributesDefaultAndOverride) {
  std::string star = sql::Render(sql::Stmt::kCreateStar, sql::Dialect::kRedshift);
  EXPECT_NE(star.find(")\ndistkey(start_time) sortkey(start_time);\ncreate table fact_songplay"),
            std::string::npos)
      << star;
  EXPECT_NE(star.find(")\ndiststyle all;\ncreate table dim_artist"), std::string::npos) << star;
  auto overrides = sql::RedshiftTableAttributes({{"fact_songplay", "diststyle even"}});
  ASSERT_TRUE(overrides.ok());
  sql::RenderOptions options;
  options.table_attributes = *overrides;
  std::string changed = sql::Render(sql::Stmt::kCreateStar, sql::Dialect::kRedshift, options);
  EXPECT_NE(changed.find(")\ndiststyle even;\n"), std::string::npos) << changed;
  EXPECT_FALSE(sql::RedshiftTableAttributes({{"nope", "diststyle all"}}).ok());
  EXPECT_FALSE(sql::RedshiftTableAttributes({{"dim_user", "diststyle all; drop"}}).ok());
  // Other dialects are untouched.
  EXPECT_EQ(sql::Render(sql::Stmt::kCreateStar, sql::Dialect::kPostgres).find("dist"),
            std::string::npos);
}

}  // namespace
}  // namespace sparkify::testing
