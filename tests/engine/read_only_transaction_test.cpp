// Engine::BeginReadOnly, the second layer under `query --sql`, user checks and the report: the
// engine itself refuses writes in the transaction, on every engine.
#include <gtest/gtest.h>

#include "testing/engines.hpp"

namespace sparkify::engine {
namespace {

class ReadOnlyTransactionTest : public ::testing::TestWithParam<testing::EngineFactory> {
 protected:
  void SetUp() override {
    auto opened = GetParam().open();
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    engine_ = std::move(opened).value();
    ASSERT_TRUE(engine_->Execute("create table t (a integer)").ok());
    ASSERT_TRUE(engine_->Execute("insert into t values (1)").ok());
  }

  // The statement fails inside a read-only transaction and leaves t as it was.
  void ExpectRefused(const std::string& sql) {
    ASSERT_TRUE(engine_->BeginReadOnly().ok());
    Status s = engine_->Execute(sql);
    EXPECT_FALSE(s.ok()) << sql << " ran in a read-only transaction";
    if (!s.ok()) {
      EXPECT_EQ(s.error().code(), ErrorCode::kEngine) << s.error().ToString();
    }
    ASSERT_TRUE(engine_->Rollback().ok());
    auto rows = engine_->Query("select count(*) from t");
    ASSERT_TRUE(rows.ok()) << rows.error().ToString();
    EXPECT_EQ(rows->rows[0][0], "1") << sql;
  }

  std::unique_ptr<Engine> engine_;
};

TEST_P(ReadOnlyTransactionTest, RefusesInsertUpdateDeleteAndDdl) {
  ExpectRefused("insert into t values (2)");
  ExpectRefused("update t set a = 2");
  ExpectRefused("delete from t");
  ExpectRefused("create table u (a integer)");
  ExpectRefused("drop table t");
}

TEST_P(ReadOnlyTransactionTest, ReadsWorkAndTheTransactionEndsWithRollback) {
  ASSERT_TRUE(engine_->BeginReadOnly().ok());
  auto rows = engine_->Query("select a from t");
  ASSERT_TRUE(rows.ok()) << rows.error().ToString();
  EXPECT_EQ(rows->rows[0][0], "1");
  ASSERT_TRUE(engine_->Rollback().ok());
  EXPECT_TRUE(engine_->Execute("insert into t values (2)").ok()) << "the transaction is over";
}

INSTANTIATE_TEST_SUITE_P(Engines, ReadOnlyTransactionTest,
                         ::testing::ValuesIn(testing::TestEngines()), testing::EngineName());

}  // namespace
}  // namespace sparkify::engine
