// Targets that name PostgreSQL, and the connection built from dwh.cfg [CLUSTER] (issue #4).
#include <gtest/gtest.h>
#include <stdlib.h>

#include "sparkify/config/target.hpp"
#include "testing/test_util.hpp"

namespace sparkify::config {
namespace {

IniFile Cfg(std::string_view text) {
  auto cfg = IniFile::Parse(text);
  EXPECT_TRUE(cfg.ok());
  return cfg.ok() ? std::move(cfg).value() : IniFile();
}

using testing::ScopedEnvVar;

TEST(PostgresTargetTest, UrisAndKeyValueStringsArePostgres) {
  for (const char* uri : {"postgresql://u@h/db", "postgres://h", "host=h dbname=d"}) {
    auto t = ParseTarget(uri);
    ASSERT_TRUE(t.ok()) << uri;
    EXPECT_EQ(t->kind, Target::Kind::kPostgres);
    EXPECT_EQ(t->location, uri);
    EXPECT_FALSE(t->from_cluster_section);
  }
}

TEST(PostgresTargetTest, BareSchemeMeansTheClusterSection) {
  for (const char* uri : {"postgresql:", "postgres:"}) {
    auto t = ParseTarget(uri);
    ASSERT_TRUE(t.ok()) << uri;
    EXPECT_EQ(t->kind, Target::Kind::kPostgres);
    EXPECT_TRUE(t->from_cluster_section);
    EXPECT_EQ(t->location, "");
  }
}

TEST(ClusterConnInfoTest, MapsEveryKeyAndQuotesValues) {
  ScopedEnvVar a("PGHOST", nullptr), b("PGPORT", nullptr), c("PGDATABASE", nullptr),
      d("PGUSER", nullptr), e("PGPASSWORD", nullptr);
  IniFile cfg =
      Cfg("[CLUSTER]\nhost = dwh.example.com\nDB_NAME = dev\nDB_USER = awsuser\n"
          "DB_PASSWORD = 'it''s \\ secret'\nDB_PORT = 5439\n");
  auto conninfo = ClusterConnInfo(cfg, "dwh.cfg");
  ASSERT_TRUE(conninfo.ok()) << conninfo.error().ToString();
  EXPECT_EQ(*conninfo,
            "host='dwh.example.com' port='5439' dbname='dev' user='awsuser' "
            "password='it\\'\\'s \\\\ secret'");
}

TEST(ClusterConnInfoTest, EnvironmentWinsOverTheFile) {
  ScopedEnvVar a("PGHOST", nullptr), b("PGPORT", nullptr), c("PGDATABASE", nullptr),
      d("PGUSER", "from_env"), e("PGPASSWORD", "env_secret");
  IniFile cfg = Cfg("[CLUSTER]\nHOST = h\nDB_USER = file_user\nDB_PASSWORD = file_secret\n");
  auto conninfo = ClusterConnInfo(cfg, "dwh.cfg");
  ASSERT_TRUE(conninfo.ok());
  EXPECT_EQ(*conninfo, "host='h'");  // libpq reads PGUSER and PGPASSWORD itself
}

TEST(ClusterConnInfoTest, NoClusterKeysIsAConfigError) {
  auto conninfo = ClusterConnInfo(Cfg("[S3]\nLOG_DATA = x\n"), "my.cfg");
  ASSERT_FALSE(conninfo.ok());
  EXPECT_EQ(conninfo.error().code(), ErrorCode::kConfig);
  EXPECT_NE(conninfo.error().message().find("my.cfg"), std::string::npos);
}

}  // namespace
}  // namespace sparkify::config
