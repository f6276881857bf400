// A PostgreSQL session ended under the engine (pg_terminate_backend, as an administrator, an
// idle timeout or a server restart would): every later call fails fast with kUnavailable and a
// message saying the connection was lost, why, and what became of the open transaction;
// Rollback() has nothing left to do; committed data stays. tests/e2e/pg_connection_loss_test
// kills a real etl mid-COPY.
#include <gtest/gtest.h>

#include "sparkify/engine/postgres/pg_connection.hpp"
#include "sparkify/engine/postgres/postgres_engine.hpp"
#include "testing/pg_testing.hpp"

namespace sparkify::engine {
namespace {

using testing::PostgresTest;
using testing::QueryOrFail;

class PostgresConnectionLossTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (HasFatalFailure()) return;
    auto engine = db_->Open();
    ASSERT_TRUE(engine.ok()) << engine.error().ToString();
    engine_ = std::move(engine).value();
    ASSERT_TRUE(engine_->Execute("create table t (x bigint); insert into t values (1)").ok());
    auto pid = QueryOrFail(*engine_, "select pg_backend_pid()");
    ASSERT_EQ(pid.rows.size(), 1u);
    backend_pid_ = pid.rows[0][0].value_or("0");
  }

  // Ends the engine's server session and waits (up to 5 s) until its backend is gone.
  void KillSession() {
    Status killed = db_->AdminExecute("select pg_terminate_backend(" + backend_pid_ + ", 5000)");
    ASSERT_TRUE(killed.ok()) << killed.error().ToString();
  }

  // Rows of t, read over a fresh connection.
  std::string RowsOfT() {
    auto other = db_->Open();
    EXPECT_TRUE(other.ok()) << other.error().ToString();
    if (!other.ok()) return "";
    auto rows = QueryOrFail(**other, "select string_agg(x::text, ',' order by x) from t");
    return rows.rows.empty() ? "" : rows.rows[0][0].value_or("");
  }

  std::unique_ptr<Engine> engine_;
  std::string backend_pid_;
};

TEST_F(PostgresConnectionLossTest, InsideATransactionSaysTheServerRolledItBack) {
  ASSERT_TRUE(engine_->Begin().ok());
  ASSERT_TRUE(engine_->Execute("insert into t values (2)").ok());
  KillSession();
  Status s = engine_->Execute("insert into t values (3)");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kUnavailable);
  const std::string m = s.error().ToString();
  EXPECT_TRUE(m.starts_with("lost the connection to postgresql://")) << m;
  EXPECT_NE(m.find("terminating connection due to administrator command"), std::string::npos) << m;
  EXPECT_NE(m.find("the server rolls back the open transaction, so none of its changes were "
                   "committed"),
            std::string::npos)
      << m;
  // libpq's guess "This probably means the server terminated abnormally" is left out, as are
  // its tabs and newlines.
  EXPECT_EQ(m.find("abnormally"), std::string::npos) << m;
  EXPECT_EQ(m.find_first_of("\t\n"), std::string::npos) << m;
  // Nothing to roll back by hand, and no noise about it.
  EXPECT_TRUE(engine_->Rollback().ok());
  EXPECT_EQ(RowsOfT(), "1");
}

TEST_F(PostgresConnectionLossTest, EveryLaterCallFailsFastTheSameWay) {
  ASSERT_TRUE(engine_->Begin().ok());
  KillSession();
  EXPECT_FALSE(engine_->Query("select 1").ok());
  for (int i = 0; i < 3; ++i) {
    Result<QueryResult> r = engine_->Query("select 1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
    EXPECT_TRUE(r.error().message().starts_with("lost the connection to ")) << r.error().message();
  }
  auto loader = engine_->OpenBulkLoader(TableSchema{"t", {{"x", ColumnType::kBigInt}}});
  ASSERT_FALSE(loader.ok());
  EXPECT_EQ(loader.error().code(), ErrorCode::kUnavailable);
  // A COMMIT that never left cannot have committed: the open transaction was rolled back.
  Status commit = engine_->Commit();
  ASSERT_FALSE(commit.ok());
  EXPECT_NE(commit.error().message().find("none of its changes were committed"), std::string::npos)
      << commit.error().message();
}

TEST_F(PostgresConnectionLossTest, ACommitInFlightHasAnUnknownOutcome) {
  ASSERT_TRUE(engine_->Begin().ok());
  ASSERT_TRUE(engine_->Execute("insert into t values (2)").ok());
  KillSession();
  // libpq learns of the loss only when it sends the COMMIT: as far as it knows, the COMMIT
  // may have reached the server.
  Status commit = engine_->Commit();
  ASSERT_FALSE(commit.ok());
  EXPECT_EQ(commit.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(commit.error().message().find(
                "the connection broke during COMMIT, so whether the transaction was committed "
                "is unknown"),
            std::string::npos)
      << commit.error().message();
  EXPECT_EQ(RowsOfT(), "1");  // here it did not
}

TEST_F(PostgresConnectionLossTest, OutsideATransactionSaysNothingAboutOne) {
  KillSession();
  Status s = engine_->Execute("insert into t values (3)");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().message().starts_with("lost the connection to ")) << s.error().message();
  EXPECT_EQ(s.error().message().find("transaction"), std::string::npos) << s.error().message();
}

TEST_F(PostgresConnectionLossTest, ACopyInProgressFailsWithTheTableNamed) {
  ASSERT_TRUE(engine_->Begin().ok());
  const TableSchema schema{"t", {{"x", ColumnType::kBigInt}}};
  auto loader = engine_->OpenBulkLoader(schema);
  ASSERT_TRUE(loader.ok()) << loader.error().ToString();
  KillSession();
  ColumnBatch batch(schema);
  for (int64_t i = 0; i < 200000; ++i) {
    const FieldValue row[] = {FieldValue::Int(i)};
    batch.AppendRow(row);
  }
  // The first flushes may still land in socket buffers; the loss surfaces by Finish().
  Status s = (*loader)->Append(batch);
  if (s.ok()) s = (*loader)->Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kUnavailable);
  const std::string m = s.error().ToString();
  EXPECT_TRUE(m.starts_with("COPY into t: lost the connection to ")) << m;
  EXPECT_NE(m.find("none of its changes were committed"), std::string::npos) << m;
  loader->reset();
  EXPECT_TRUE(engine_->Rollback().ok());
  EXPECT_EQ(RowsOfT(), "1");
}

}  // namespace
}  // namespace sparkify::engine
