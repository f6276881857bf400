// `sparkify etl` into PostgreSQL loses its connection mid-load: the server session is ended
// from a second connection (pg_terminate_backend, as an administrator, an idle timeout or a
// restart would) while the COPY into staging_events, or the transform after it, is running.
// The run must exit 1 at once with a message naming the lost connection (no crash, no hang),
// and the star committed by an earlier run on the same database must be untouched (SPEC §6:
// a crash or kill at any moment leaves the warehouse as before the run or as after it).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "sparkify/engine/postgres/pg_connection.hpp"
#include "testing/engines.hpp"
#include "testing/pg_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify {
namespace {

using std::chrono::steady_clock;
using testing::RunSparkify;
using testing::TempDir;

// Every sparkify table with a fingerprint of its whole content.
std::map<std::string, std::string> Fingerprints(const testing::PgTestDatabase& db) {
  std::map<std::string, std::string> out;
  auto engine = db.Open();
  EXPECT_TRUE(engine.ok()) << engine.error().ToString();
  if (!engine.ok()) return out;
  for (const char* table : {"staging_events", "staging_songs", "fact_songplay", "dim_user",
                            "dim_song", "dim_artist", "dim_time", "load_errors"}) {
    auto rows = testing::QueryOrFail(
        **engine,
        std::string("select count(*) || ' rows, md5 ' || coalesce(md5(string_agg(t::text, "
                    "'|' order by t::text)), '-') from ") +
            table + " t");
    out[table] = rows.rows.empty() ? "?" : rows.rows[0][0].value_or("null");
  }
  return out;
}

struct Kill {
  const char* name;
  const char* query_like;  // pg_stat_activity.query of the statement to interrupt
  const char* context;     // what the error message names besides the lost connection
};
void PrintTo(const Kill& kill, std::ostream* os) { *os << kill.name; }

class PgConnectionLossTest : public testing::PostgresTest,
                             public ::testing::WithParamInterface<Kill> {
 protected:
  // Generated once for the suite: a small set for the committed run, and one big enough that
  // its COPY (400,000 events, 190 MB) takes a second or more, so a poller catches it running.
  static void SetUpTestSuite() {
    data_ = new TempDir();
    for (const auto& [name, events] : {std::pair{"small", "2000"}, std::pair{"big", "400000"}}) {
      auto r =
          RunSparkify({"generate", "--out", (*data_) / name, "--songs", "300", "--events", events,
                       "--users", "60", "--days", "7", "--seed", "5", "--threads", "2"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  testing::CommandResult Etl(const std::string& set) {
    // `timeout` turns a hang into a failure of this test rather than of the whole suite.
    return testing::RunCommand(
        {"/usr/bin/timeout", "-s", "KILL", "300", testing::SparkifyBinary(), "etl", "--target",
         db_->conninfo(), "--songs", (*data_) / set + "/song_data", "--events",
         (*data_) / set + "/log_data", "--threads", "2", "--keep-staging", "--full-refresh"},
        {"NO_COLOR=1"});
  }

  static TempDir* data_;
};

TempDir* PgConnectionLossTest::data_ = nullptr;

TEST_P(PgConnectionLossTest, EtlFailsClearlyAndTheCommittedStarStays) {
  const Kill& kill = GetParam();
  auto first = Etl("small");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto before = Fingerprints(*db_);
  ASSERT_NE(before.at("fact_songplay").find(" rows"), std::string::npos);
  ASSERT_FALSE(before.at("fact_songplay").starts_with("0 rows"));

  auto admin = engine::PgConnection::Connect(db_->conninfo());
  ASSERT_TRUE(admin.ok()) << admin.error().ToString();
  const auto started = steady_clock::now();
  auto run = std::async(std::launch::async, [&] { return Etl("big"); });

  // Poll until the statement runs, then end its session from this second connection.
  std::string killed;
  while (killed.empty() &&
         run.wait_for(std::chrono::milliseconds(5)) != std::future_status::ready) {
    auto r = admin->Query(
        "select pid, pg_terminate_backend(pid, 5000) from pg_stat_activity where datname = "
        "current_database() and pid <> pg_backend_pid() and backend_type = 'client backend' and "
        "state = 'active' and query ilike '" +
        std::string(kill.query_like) + "'");
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    if (!r->rows.empty()) killed = r->rows[0][0].value_or("?");
  }
  auto second = run.get();
  const double seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
  ASSERT_FALSE(killed.empty()) << "the etl ended before \"" << kill.query_like
                               << "\" was seen running (exit " << second.exit_code
                               << "); make the big set bigger\n"
                               << second.err;

  // A clean failure: exit 1 (runtime failure), not a crash (128 + signal), not a hang (the
  // timeout's SIGKILL), and a message that says what happened and that nothing was committed.
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_LT(seconds, 120) << second.err;
  EXPECT_NE(second.err.find("sparkify: error: etl: "), std::string::npos) << second.err;
  EXPECT_NE(second.err.find(kill.context), std::string::npos) << second.err;
  EXPECT_NE(second.err.find(": lost the connection to postgresql://"), std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find("none of its changes were committed"), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find("rollback failed"), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find("abnormally"), std::string::npos) << second.err;
  EXPECT_EQ(second.out, "") << "no row counts after a failed run";

  // The warehouse is exactly as the first run left it.
  EXPECT_EQ(Fingerprints(*db_), before);
}

INSTANTIATE_TEST_SUITE_P(
    Moments, PgConnectionLossTest,
    ::testing::Values(Kill{"CopyIntoStaging", "copy staging_events%", "COPY into staging_events"},
                      Kill{"Transform", "alter table %", "add_deferred_keys"}),
    [](const ::testing::TestParamInfo<Kill>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace sparkify
