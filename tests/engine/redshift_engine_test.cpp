// The Redshift engine without a cluster: the connection string and the INSERT ... VALUES
// loader (RunRedshiftEtl runs against a fake cluster in tests/pipeline/redshift_*_test.cpp).
#include "sparkify/engine/redshift/redshift_engine.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "sparkify/engine/engine.hpp"
#include "testing/aws_testing.hpp"

namespace sparkify::engine {
namespace {

TEST(RedshiftConnInfoTest, RedshiftUriBecomesLibpqUriWithTls) {
  testing::ScopedEnv env;
  env.Set("PGSSLMODE", std::nullopt);
  EXPECT_EQ(RedshiftConnInfo("redshift://dwhuser:pw@h.example.com:5439/dwh"),
            "postgresql://dwhuser:pw@h.example.com:5439/dwh?sslmode=require");
  EXPECT_EQ(RedshiftConnInfo("redshift://u@h:5439/d?connect_timeout=5"),
            "postgresql://u@h:5439/d?connect_timeout=5&sslmode=require");
  EXPECT_EQ(RedshiftConnInfo("redshift://u@h/d?sslmode=verify-full"),
            "postgresql://u@h/d?sslmode=verify-full");
  EXPECT_EQ(RedshiftConnInfo("host=h port=5439 dbname=dwh"),
            "host=h port=5439 dbname=dwh sslmode=require");
}

// $PGSSLMODE wins over the default, as every PG* variable does (libpq then reads it).
TEST(RedshiftConnInfoTest, PgSslModeFromTheEnvironmentReplacesTheDefault) {
  testing::ScopedEnv env;
  env.Set("PGSSLMODE", "verify-full");
  EXPECT_EQ(RedshiftConnInfo("redshift://u@h:5439/d"), "postgresql://u@h:5439/d");
  EXPECT_EQ(RedshiftConnInfo("host=h dbname=d"), "host=h dbname=d");
}

TEST(InsertValuesLoaderTest, SendsRowsAsLiteralsInStatementsOfBoundedSize) {
  // Records what the loader executes.
  class Recorder : public Engine {
   public:
    std::vector<std::string> log;
    sql::Dialect dialect() const override { return sql::Dialect::kRedshift; }
    std::string Describe() const override { return "recorder"; }
    Status Execute(std::string_view sql) override {
      log.emplace_back(sql);
      return Status::Ok();
    }
    Result<QueryResult> Query(std::string_view) override { return QueryResult{}; }
    Result<std::unique_ptr<BulkLoader>> OpenBulkLoader(const TableSchema& t) override {
      return MakeInsertValuesLoader(*this, t);
    }
    Status Begin() override { return Status::Ok(); }
    Status Commit() override { return Status::Ok(); }
    Status Rollback() override { return Status::Ok(); }
  } engine;
  const TableSchema schema{"load_manifest",
                           {{"file", ColumnType::kText},
                            {"size_bytes", ColumnType::kBigInt},
                            {"modified_at", ColumnType::kTimestamp},
                            {"ratio", ColumnType::kDouble}}};
  ColumnBatch batch(schema);
  const FieldValue first[] = {FieldValue::Text("s3://b/it's\\x.json"), FieldValue::Int(42),
                              FieldValue::Int(1541121934796000), FieldValue::Double(0.5)};
  batch.AppendRow(first);
  const FieldValue second[] = {FieldValue::Null(), FieldValue::Int(-1), FieldValue::Null(),
                               FieldValue::Double(std::numeric_limits<double>::infinity())};
  batch.AppendRow(second);
  auto loader = engine.OpenBulkLoader(schema);
  ASSERT_TRUE(loader.ok());
  ASSERT_TRUE((*loader)->Append(batch).ok());
  ASSERT_TRUE((*loader)->Finish().ok());
  ASSERT_EQ(engine.log.size(), 1u);
  EXPECT_EQ(engine.log[0],
            "insert into load_manifest (file, size_bytes, modified_at, ratio) values\n"
            "('s3://b/it''s\\\\x.json', 42, timestamp '2018-11-02 01:25:34.796', 0.5),\n"
            "(null, -1, null, cast('Infinity' as double precision))");

  // Many long rows: several statements, each near the 1 MB bound, all rows sent once.
  engine.log.clear();
  ColumnBatch big(schema);
  const std::string text(10000, 'x');
  for (int i = 0; i < 500; ++i) {
    const FieldValue row[] = {FieldValue::Text(text), FieldValue::Int(i), FieldValue::Null(),
                              FieldValue::Null()};
    big.AppendRow(row);
  }
  ASSERT_TRUE((*loader)->Append(big).ok());
  ASSERT_GE(engine.log.size(), 4u);
  size_t rows = 0;
  for (const std::string& statement : engine.log) {
    EXPECT_LE(statement.size(), (1u << 20) + 20000u);
    for (size_t p = statement.find(text); p != std::string::npos; p = statement.find(text, p + 1))
      ++rows;
  }
  EXPECT_EQ(rows, 500u);
}

}  // namespace
}  // namespace sparkify::engine
