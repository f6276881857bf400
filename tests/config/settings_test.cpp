#include "sparkify/config/settings.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "sparkify/config/target.hpp"
#include "testing/test_util.hpp"

namespace sparkify::config {
namespace {

using testing::ScopedEnvVar;

SettingsResolver Resolver(const std::string& text) {
  auto ini = IniFile::Parse(text, "dwh.cfg");
  EXPECT_TRUE(ini.ok());
  return SettingsResolver(std::move(ini).value(), "dwh.cfg");
}

TEST(Settings, FlagBeatsEnvBeatsFileBeatsDefault) {
  SettingsResolver r = Resolver("[S3]\nSONG_DATA = 's3://bucket/songs'\n");
  ScopedEnvVar env("SPARKIFY_SONGS", "/from/env");
  Resolved flag =
      r.Get(std::string("/from/flag"), "--songs", "SPARKIFY_SONGS", "S3", "SONG_DATA", "dflt");
  EXPECT_EQ(flag.value, "/from/flag");
  EXPECT_EQ(flag.origin, "--songs");
  Resolved from_env = r.Get(std::nullopt, "--songs", "SPARKIFY_SONGS", "S3", "SONG_DATA", "dflt");
  EXPECT_EQ(from_env.value, "/from/env");
  EXPECT_EQ(from_env.origin, "$SPARKIFY_SONGS");
  ScopedEnvVar cleared("SPARKIFY_SONGS", nullptr);
  Resolved from_file = r.Get(std::nullopt, "--songs", "SPARKIFY_SONGS", "s3", "song_data", "dflt");
  EXPECT_EQ(from_file.value, "s3://bucket/songs");  // quotes removed, case-insensitive keys
  EXPECT_EQ(from_file.origin, "dwh.cfg [s3] song_data");
  Resolved fallback = r.Get(std::nullopt, "--events", "SPARKIFY_EVENTS", "S3", "LOG_DATA", "dflt");
  EXPECT_EQ(fallback.value, "dflt");
  EXPECT_EQ(fallback.origin, "default");
}

TEST(Settings, EmptyEnvAndEmptyFileValuesFallThrough) {
  SettingsResolver r = Resolver("[CLUSTER]\nHOST=''\n");
  ScopedEnvVar env("SPARKIFY_TARGET", "");
  Resolved v = r.Get(std::nullopt, "--target", "SPARKIFY_TARGET", "CLUSTER", "HOST", "x");
  EXPECT_EQ(v.value, "x");
}

TEST(Settings, ParseCountRejectsJunkNamingTheOrigin) {
  auto bad = ParseCount(Resolved{"12x", "$SPARKIFY_THREADS"}, "threads");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("$SPARKIFY_THREADS"), std::string::npos);
  EXPECT_EQ(*ParseCount(Resolved{"12", "x"}, "threads"), 12);
  EXPECT_FALSE(ParseCount(Resolved{"-1", "x"}, "threads").ok());
}

TEST(Settings, LoadFailsForAnExplicitMissingFile) {
  auto r = SettingsResolver::Load("/nonexistent/dwh.cfg");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kConfig);
}

TEST(Target, ParsesEveryScheme) {
  EXPECT_EQ(ParseTarget("duckdb:x.duckdb")->location, "x.duckdb");
  EXPECT_EQ(ParseTarget("duckdb:x.duckdb")->kind, Target::Kind::kDuckDb);
  EXPECT_EQ(ParseTarget("postgresql://u@h/db")->kind, Target::Kind::kPostgres);
  EXPECT_EQ(ParseTarget("postgres://u@h/db")->kind, Target::Kind::kPostgres);
  EXPECT_EQ(ParseTarget("host=h dbname=d")->kind, Target::Kind::kPostgres);
  EXPECT_EQ(ParseTarget("redshift://u@h:5439/dev")->kind, Target::Kind::kRedshift);
  EXPECT_EQ(ParseTarget("mysql://x").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseTarget("duckdb:").error().code(), ErrorCode::kInvalidArgument);
}

TEST(Target, RedactsPasswords) {
  EXPECT_EQ(RedactTarget("postgresql://bob:s3cret@host:5432/db"),
            "postgresql://bob:***@host:5432/db");
  EXPECT_EQ(RedactTarget("host=h password=s3cret dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(RedactTarget("host=h password='s 3cret' dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(RedactTarget("postgresql://h/db?password=s3cret&x=1"),
            "postgresql://h/db?password=***&x=1");
  EXPECT_EQ(RedactTarget("duckdb:x.duckdb"), "duckdb:x.duckdb");
}

}  // namespace
}  // namespace sparkify::config
