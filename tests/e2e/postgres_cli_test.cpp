// build/sparkify against PostgreSQL as a user runs it (issue #4): a password given in the URI,
// in PGPASSWORD or in dwh.cfg [CLUSTER] never shows up on stdout, stderr or in the database,
// after successful and failed runs; exit codes and output match DuckDB's.
#include <gtest/gtest.h>

#include <cctype>
#include <random>

#include "sparkify/engine/postgres/postgres_engine.hpp"
#include "testing/pg_testing.hpp"

namespace sparkify {
namespace {

using testing::CliResult;
using testing::RunSparkifyCli;
using testing::ScratchDir;
using testing::SharedSampleDir;
using testing::WriteTextFile;

std::string RandomHex() {
  std::random_device rd;
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%08x%08x", rd(), rd());
  return buf;
}

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Environment that keeps the developer's own credentials out of the test.
std::vector<std::string> CleanEnv(std::vector<std::string> extra = {}) {
  std::vector<std::string> env{"PGPASSWORD",      "PGPASSFILE=/nonexistent/pgpass",
                               "PGUSER",          "PGHOST",
                               "PGPORT",          "PGDATABASE",
                               "PGSERVICE",       "SPARKIFY_TARGET",
                               "SPARKIFY_CONFIG", "NO_COLOR=1"};
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

class PostgresCliTest : public testing::PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (HasFatalFailure()) return;
    role_ = db_->name() + "_owner";
    // Characters that need percent-encoding in a URI, so both spellings are checked.
    password_ = "Pw@" + RandomHex() + ":/%x";
    ASSERT_TRUE(
        db_->AdminExecute("create role " + role_ + " login password '" + password_ + "'").ok());
    ASSERT_TRUE(db_->AdminExecute("alter database " + db_->name() + " owner to " + role_).ok());
    host_ = db_->tcp_host();
    port_ = db_->tcp_port();
  }
  void TearDown() override {
    if (!db_) return;
    (void)db_->AdminExecute("drop database if exists " + db_->name() + " with (force)");
    (void)db_->AdminExecute("drop role if exists " + role_);
  }

  std::string Uri(const std::string& password) const {
    std::string userinfo = role_;
    if (!password.empty()) userinfo += ":" + PercentEncode(password);
    return "postgresql://" + userinfo + "@" + host_ + ":" + port_ + "/" + db_->name();
  }

  // Fails the test when the password shows up in `text`, raw or percent-encoded.
  void ExpectNoSecret(const std::string& text, const std::string& what,
                      const std::string& secret) const {
    EXPECT_EQ(text.find(secret), std::string::npos) << what << " holds the password:\n" << text;
    EXPECT_EQ(text.find(PercentEncode(secret)), std::string::npos)
        << what << " holds the percent-encoded password:\n"
        << text;
    // A distinctive piece, in case of partial echoes.
    EXPECT_EQ(text.find(secret.substr(3, 16)), std::string::npos)
        << what << " holds part of the password:\n"
        << text;
  }

  CliResult Run(const std::vector<std::string>& args,
                const std::vector<std::string>& env = CleanEnv()) const {
    CliResult r = RunSparkifyCli(args, env);
    ExpectNoSecret(r.out, "stdout of sparkify " + args[0], password_);
    ExpectNoSecret(r.err, "stderr of sparkify " + args[0], password_);
    return r;
  }

  // Every value in every table of the test database, as the admin sees it.
  void ExpectDatabaseFreeOfSecret() const {
    auto engine = db_->Open();
    ASSERT_TRUE(engine.ok()) << engine.error().ToString();
    auto tables = testing::QueryOrFail(
        **engine,
        "select table_name from information_schema.tables where table_schema = "
        "'public' order by 1");
    EXPECT_FALSE(tables.rows.empty());
    for (const auto& row : tables.rows) {
      auto contents = testing::QueryOrFail(**engine, "select * from " + *row[0]);
      std::string all;
      for (const auto& r : contents.rows) {
        for (const auto& v : r) all += v.value_or("") + "\n";
      }
      ExpectNoSecret(all, "table " + *row[0], password_);
    }
  }

  // Data with one malformed line, for runs that must fail under --max-errors 0.
  void WriteBadData(const ScratchDir& dir) const {
    WriteTextFile(dir / "songs/a.json", R"({"song_id":"S1","artist_id":"A1","title":"t"})");
    WriteTextFile(dir / "events/e.json",
                  "{\"ts\":1541903636796,\"page\":\"NextSong\"}\n{\"ts\":}\n");
  }

  std::vector<std::string> SampleArgs() const {
    return {"--songs", SharedSampleDir() + "/song_data", "--events",
            SharedSampleDir() + "/log_data"};
  }

  std::string role_, password_, host_, port_;
};

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(PostgresCliTest, TheServerReallyWantsAPassword) {
  CliResult r = Run({"create-tables", "--target", Uri("")});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("password"), std::string::npos) << r.err;
}

TEST_F(PostgresCliTest, PasswordInTheUriIsNeverShown) {
  const std::string target = Uri(password_);
  CliResult created = Run({"--verbose", "create-tables", "--target", target});
  EXPECT_EQ(created.exit_code, 0) << created.err;
  CliResult loaded = Run(Concat({"--verbose", "etl", "--target", target}, SampleArgs()));
  EXPECT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_NE(loaded.out.find("fact_songplay"), std::string::npos) << loaded.out;
  CliResult queried = Run({"--verbose", "query", "top_songs", "--target", target});
  EXPECT_EQ(queried.exit_code, 0) << queried.err;
  CliResult bad_sql = Run({"query", "--sql", "select * from nope", "--target", target});
  EXPECT_EQ(bad_sql.exit_code, 1) << bad_sql.err;

  ScratchDir dir;
  WriteBadData(dir);
  CliResult failed = Run({"--verbose", "etl", "--target", target, "--songs", dir / "songs",
                          "--events", dir / "events", "--max-errors", "0", "--full-refresh"});
  EXPECT_EQ(failed.exit_code, 4) << failed.err;

  // A wrong password and a malformed URI: libpq's messages must not echo either.
  const std::string wrong = "Wr0ng" + RandomHex() + "!";
  CliResult rejected = RunSparkifyCli({"create-tables", "--target", Uri(wrong)}, CleanEnv());
  EXPECT_EQ(rejected.exit_code, 7) << rejected.err;
  ExpectNoSecret(rejected.err, "stderr after a wrong password", wrong);
  const std::string malformed =
      "postgresql://" + role_ + ":" + password_.substr(3, 16) + "%zz@" + host_ + "/x";
  CliResult invalid = Run({"create-tables", "--target", malformed});
  EXPECT_EQ(invalid.exit_code, 2) << invalid.err;

  ExpectDatabaseFreeOfSecret();
}

TEST_F(PostgresCliTest, PasswordFromPgPasswordIsNeverShown) {
  const std::string target = Uri("");
  const auto env = CleanEnv({"PGPASSWORD=" + password_});
  CliResult loaded = Run(Concat({"--verbose", "etl", "--target", target}, SampleArgs()), env);
  EXPECT_EQ(loaded.exit_code, 0) << loaded.err;
  ScratchDir dir;
  WriteBadData(dir);
  CliResult failed = Run({"--verbose", "etl", "--target", target, "--songs", dir / "songs",
                          "--events", dir / "events", "--max-errors", "0", "--full-refresh"},
                         env);
  EXPECT_EQ(failed.exit_code, 4) << failed.err;
  ExpectDatabaseFreeOfSecret();
}

TEST_F(PostgresCliTest, ClusterSectionOfDwhCfgConnectsAndIsNeverShown) {
  ScratchDir dir;
  const std::string cfg = dir / "dwh.cfg";
  WriteTextFile(cfg, "[CLUSTER]\nHOST = " + host_ + "\nDB_NAME = " + db_->name() + "\nDB_USER = " +
                         role_ + "\nDB_PASSWORD = '" + password_ + "'\nDB_PORT = " + port_ + "\n");
  CliResult loaded =
      Run(Concat({"--verbose", "--config", cfg, "etl", "--target", "postgresql:"}, SampleArgs()));
  EXPECT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_NE(loaded.out.find("6820"), std::string::npos) << loaded.out;
  WriteBadData(dir);
  CliResult failed =
      Run({"--verbose", "--config", cfg, "etl", "--target", "postgresql:", "--songs", dir / "songs",
           "--events", dir / "events", "--max-errors", "0", "--full-refresh"});
  EXPECT_EQ(failed.exit_code, 4) << failed.err;
  // SPARKIFY_TARGET works as well as the flag.
  CliResult queried =
      Run({"--config", cfg, "query", "free_vs_paid"}, CleanEnv({"SPARKIFY_TARGET=postgresql:"}));
  EXPECT_EQ(queried.exit_code, 0) << queried.err;
  ExpectDatabaseFreeOfSecret();
}

TEST_F(PostgresCliTest, ClusterTargetWithoutAClusterSectionIsAConfigError) {
  ScratchDir dir;
  WriteTextFile(dir / "dwh.cfg", "[S3]\nLOG_DATA = 's3://udacity-dend/log_data'\n");
  CliResult r = Run({"--config", dir / "dwh.cfg", "create-tables", "--target", "postgresql:"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("[CLUSTER]"), std::string::npos) << r.err;
}

TEST_F(PostgresCliTest, OutputAndExitCodesMatchDuckDb) {
  ScratchDir dir;
  const std::string pg = Uri(password_);
  const std::string duck = "duckdb:" + (dir / "cli.duckdb");
  for (const std::string& target : {pg, duck}) {
    EXPECT_EQ(Run({"create-tables", "--target", target}).exit_code, 0);
  }
  auto both = [&](const std::vector<std::string>& args) {
    CliResult on_pg = Run(Concat(args, {"--target", pg}));
    CliResult on_duck = Run(Concat(args, {"--target", duck}));
    EXPECT_EQ(on_pg.exit_code, on_duck.exit_code) << args[0] << "\n" << on_pg.err;
    EXPECT_EQ(on_pg.out, on_duck.out) << args[0];
    return on_pg;
  };
  EXPECT_EQ(both(Concat({"etl", "--format", "csv"}, SampleArgs())).exit_code, 0);
  for (const char* q : {"top_songs", "top_artists", "plays_by_hour", "plays_by_weekday",
                        "free_vs_paid", "most_active_users"}) {
    EXPECT_EQ(both({"query", q, "--format", "json"}).exit_code, 0) << q;
  }
  EXPECT_EQ(both({"query", "--sql",
                  "select user_id, level, count(*) as plays from fact_songplay group by "
                  "user_id, level order by plays desc, user_id, level",
                  "--format", "csv"})
                .exit_code,
            0);
  WriteBadData(dir);
  EXPECT_EQ(both({"etl", "--songs", dir / "songs", "--events", dir / "events", "--max-errors", "0",
                  "--full-refresh"})
                .exit_code,
            4);
  // The failed run left the sample's star in place on both.
  EXPECT_EQ(both({"query", "--sql", "select count(*) as n from fact_songplay"}).out.find("6820") !=
                std::string::npos,
            true);
}

}  // namespace
}  // namespace sparkify
