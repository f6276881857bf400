// The PostgreSQL engine against a real server (issue #4): canonical results identical to
// DuckDB's, exact bulk loads in both COPY formats, transactions, errors.
#include "sparkify/engine/postgres/postgres_engine.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/engine/postgres/pg_connection.hpp"
#include "testing/pg_testing.hpp"

namespace sparkify::engine {
namespace {

using testing::PostgresTest;
using testing::QueryOrFail;

std::unique_ptr<Engine> OpenMemoryDuckDb() {
  auto engine = OpenDuckDb(DuckDbOptions{":memory:", 1});
  EXPECT_TRUE(engine.ok()) << engine.error().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

// A table with every staging column type, created alike on both engines.
const TableSchema& ProbeSchema() {
  static const TableSchema schema{"probe",
                                  {{"id", ColumnType::kBigInt},
                                   {"i", ColumnType::kBigInt},
                                   {"d", ColumnType::kDouble},
                                   {"t", ColumnType::kText}}};
  return schema;
}

std::string CreateProbe(sql::Dialect dialect) {
  return dialect == sql::Dialect::kDuckDb
             ? "create table probe (id bigint, i bigint, d double, t varchar)"
             : "create table probe (id bigint, i bigint, d double precision, t text collate \"C\")";
}

ColumnBatch TrickyBatch() {
  const double kDoubles[] = {0.1,
                             0.1 + 0.2,
                             1e-300,
                             4.9406564584124654e-324,  // smallest denormal
                             -0.0,
                             1.7976931348623157e308,
                             246.30812,
                             -73.99,
                             9007199254740993.0,
                             1.0 / 3.0};
  const char* kTexts[] = {"",
                          "plain",
                          "tab\there",
                          "new\nline",
                          "cr\rlf",
                          "back\\slash",
                          "\\N",
                          "quote \" and ' and ,",
                          "M\xC3\xBCnchen \xE2\x9C\x93 \xF0\x9F\x8E\xB5",
                          "Mozilla/5.0 (X11; Linux x86_64) \"Chrome\""};
  ColumnBatch batch(ProbeSchema());
  int64_t id = 0;
  const int64_t kInts[] = {0, -1, std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max(), 1541903636796};
  for (double d : kDoubles) {
    for (const char* t : kTexts) {
      const FieldValue row[] = {FieldValue::Int(id), FieldValue::Int(kInts[id % 5]),
                                FieldValue::Double(d), FieldValue::Text(t)};
      batch.AppendRow(row);
      ++id;
    }
  }
  const FieldValue nulls[] = {FieldValue::Int(id), FieldValue::Null(), FieldValue::Null(),
                              FieldValue::Null()};
  batch.AppendRow(nulls);
  return batch;
}

QueryResult LoadAndRead(Engine& engine, const ColumnBatch& batch) {
  EXPECT_TRUE(engine.Execute(CreateProbe(engine.dialect())).ok());
  auto loader = engine.OpenBulkLoader(ProbeSchema());
  EXPECT_TRUE(loader.ok()) << loader.error().ToString();
  if (!loader.ok()) return {};
  EXPECT_TRUE((*loader)->Append(batch).ok());
  Status finished = (*loader)->Finish();
  EXPECT_TRUE(finished.ok()) << finished.error().ToString();
  return QueryOrFail(engine, "select id, i, d, t from probe order by id");
}

class PostgresEngineTest : public PostgresTest,
                           public ::testing::WithParamInterface<sql::CopyFormat> {};

TEST_P(PostgresEngineTest, BulkLoadStoresExactlyWhatDuckDbStores) {
  auto pg = db_->Open(GetParam());
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  auto duck = OpenMemoryDuckDb();
  ASSERT_NE(duck, nullptr);
  ColumnBatch batch = TrickyBatch();
  QueryResult from_pg = LoadAndRead(**pg, batch);
  QueryResult from_duck = LoadAndRead(*duck, batch);
  ASSERT_EQ(from_pg.rows.size(), batch.rows());
  EXPECT_EQ(from_pg.rows, from_duck.rows);
  // Doubles round-trip bit for bit, not just to the printed digits.
  auto exact = QueryOrFail(**pg,
                           "select count(*) from probe where d = 0.1::float8 + 0.2::float8 "
                           "or d = 4.9406564584124654e-324::float8");
  EXPECT_EQ(exact.rows[0][0], "20");
  EXPECT_EQ(from_pg.rows.back(),
            (std::vector<ResultValue>{std::to_string(batch.rows() - 1), std::nullopt, std::nullopt,
                                      std::nullopt}));
}

TEST_P(PostgresEngineTest, LoadsManyBatchesAcrossFlushes) {
  auto pg = db_->Open(GetParam());
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  ASSERT_TRUE((*pg)->Execute(CreateProbe(sql::Dialect::kPostgres)).ok());
  auto loader = (*pg)->OpenBulkLoader(ProbeSchema());
  ASSERT_TRUE(loader.ok()) << loader.error().ToString();
  ColumnBatch batch(ProbeSchema());
  const std::string text(200, 'x');
  int64_t id = 0;
  for (int b = 0; b < 5; ++b) {
    batch.Clear();
    for (int r = 0; r < 4000; ++r, ++id) {
      const FieldValue row[] = {FieldValue::Int(id), FieldValue::Int(id * 7),
                                FieldValue::Double(static_cast<double>(id) / 7),
                                FieldValue::Text(text)};
      batch.AppendRow(row);
    }
    ASSERT_TRUE((*loader)->Append(batch).ok());
  }
  ASSERT_TRUE((*loader)->Finish().ok());
  auto sums = QueryOrFail(**pg, "select count(*), sum(i), max(length(t)) from probe");
  EXPECT_EQ(sums.rows[0], (std::vector<ResultValue>{"20000", "1399930000", "200"}));
}

INSTANTIATE_TEST_SUITE_P(CopyFormats, PostgresEngineTest,
                         ::testing::Values(sql::CopyFormat::kBinary, sql::CopyFormat::kText),
                         [](const auto& param_info) {
                           return std::string(sql::CopyFormatName(param_info.param));
                         });

class PostgresEngineBasicsTest : public PostgresTest {};

TEST_F(PostgresEngineBasicsTest, QueryResultsReadLikeDuckDb) {
  auto pg = db_->Open();
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  auto duck = OpenMemoryDuckDb();
  ASSERT_NE(duck, nullptr);
  const std::string sql =
      "select cast(42 as bigint) as i, cast(7 as integer) as i4, cast(0.1 as double precision) "
      "as d, cast(1e-7 as double precision) as small, cast(123456789012345680000 as double "
      "precision) as big, cast(1.5 as real) as f4, true as b, false as nb, cast(null as "
      "varchar) as n, '' as e, cast('2018-11-01 21:01:46.796' as timestamp) as ts, "
      "cast('2018-11-01 21:01:46' as timestamp) as ts0, cast('2018-11-01 21:01:46.5' as "
      "timestamp) as ts5, cast('2018-11-01 21:01:46.796123' as timestamp) as tsu, "
      "cast('2018-11-30' as date) as dt, cast(12.340 as decimal(10, 3)) as dec";
  QueryResult from_pg = QueryOrFail(**pg, sql);
  QueryResult from_duck = QueryOrFail(*duck, sql);
  ASSERT_EQ(from_pg.rows.size(), 1u);
  EXPECT_EQ(from_pg.rows, from_duck.rows);
  ASSERT_EQ(from_pg.columns.size(), from_duck.columns.size());
  for (size_t c = 0; c < from_pg.columns.size(); ++c) {
    EXPECT_EQ(from_pg.columns[c].name, from_duck.columns[c].name);
    EXPECT_EQ(from_pg.columns[c].kind, from_duck.columns[c].kind) << from_pg.columns[c].name;
  }
  EXPECT_EQ(from_pg.rows[0][10], "2018-11-01 21:01:46.796");
  EXPECT_EQ(from_pg.rows[0][11], "2018-11-01 21:01:46.000");
  EXPECT_EQ(from_pg.rows[0][13], "2018-11-01 21:01:46.796123");
}

TEST_F(PostgresEngineBasicsTest, TimestampWithTimeZoneReadsAsUtc) {
  auto pg = db_->Open();
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  auto r = QueryOrFail(**pg, "select timestamptz '2018-11-01 23:30:00.25+02'");
  EXPECT_EQ(r.rows[0][0], "2018-11-01 21:30:00.250");
  EXPECT_EQ(r.columns[0].kind, ValueKind::kTimestamp);
}

TEST_F(PostgresEngineBasicsTest, StatementErrorsCarryTheirSqlstate) {
  auto pg = db_->Open();
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  auto r = (*pg)->Query("select * from no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kEngine);
  EXPECT_EQ(r.error().sqlstate, "42P01");
  EXPECT_NE(r.error().message().find("no_such_table"), std::string::npos) << r.error().message();
}

TEST_F(PostgresEngineBasicsTest, CommitAfterAFailedStatementFailsAndKeepsNothing) {
  auto pg = db_->Open();
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  ASSERT_TRUE((*pg)->Begin().ok());
  ASSERT_TRUE((*pg)->Execute("create table kept (x bigint)").ok());
  ASSERT_FALSE((*pg)->Execute("select 1 / 0").ok());
  Status commit = (*pg)->Commit();
  ASSERT_FALSE(commit.ok());
  EXPECT_EQ(commit.error().code(), ErrorCode::kEngine);
  EXPECT_NE(commit.error().message().find("rolled"), std::string::npos) << commit.error().message();
  auto exists = QueryOrFail(**pg, "select count(*) from pg_tables where tablename = 'kept'");
  EXPECT_EQ(exists.rows[0][0], "0");
}

TEST_F(PostgresEngineBasicsTest, AnUnfinishedLoaderIsAbandonedAndTheEngineStaysUsable) {
  auto pg = db_->Open();
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  ASSERT_TRUE((*pg)->Execute(CreateProbe(sql::Dialect::kPostgres)).ok());
  ASSERT_TRUE((*pg)->Begin().ok());
  {
    auto loader = (*pg)->OpenBulkLoader(ProbeSchema());
    ASSERT_TRUE(loader.ok()) << loader.error().ToString();
    ASSERT_TRUE((*loader)->Append(TrickyBatch()).ok());
  }
  EXPECT_TRUE((*pg)->Rollback().ok());
  EXPECT_EQ(QueryOrFail(**pg, "select count(*) from probe").rows[0][0], "0");
}

TEST_F(PostgresEngineBasicsTest, DroppingMissingTablesPrintsNoNotice) {
  auto pg = db_->Open();
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  ::testing::internal::CaptureStderr();
  Status s = (*pg)->Execute("drop table if exists not_there");
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(err, "");
}

TEST_F(PostgresEngineBasicsTest, DescribeNamesTheDatabaseWithoutAPassword) {
  auto pg = db_->Open();
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  std::string described = (*pg)->Describe();
  EXPECT_TRUE(described.starts_with("postgresql://")) << described;
  EXPECT_NE(described.find("/" + db_->name()), std::string::npos) << described;
}

TEST(PostgresConnectTest, MissingDatabaseIsNotFound) {
  auto db = testing::PgTestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  auto conninfo = ConnInfoWithDatabase((*db)->conninfo(), "sparkify_no_such_database");
  ASSERT_TRUE(conninfo.ok());
  auto engine = OpenPostgres(PostgresOptions{*conninfo});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.error().code(), ErrorCode::kNotFound) << engine.error().ToString();
}

TEST(PostgresConnectTest, UnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  auto engine = OpenPostgres(PostgresOptions{"host=127.0.0.1 port=1 dbname=x user=x"});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.error().code(), ErrorCode::kUnavailable) << engine.error().ToString();
  EXPECT_TRUE(engine.error().retryable());
}

TEST(PostgresConnectTest, MalformedConnectionStringIsInvalidAndRedacted) {
  auto engine = OpenPostgres(PostgresOptions{"postgresql://u:hunter2%zz@localhost/db"});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(engine.error().ToString().find("hunter2"), std::string::npos)
      << engine.error().ToString();
  auto kv = OpenPostgres(PostgresOptions{"host=localhost password='s3cr\\'et port=5432"});
  ASSERT_FALSE(kv.ok());
  EXPECT_EQ(kv.error().ToString().find("s3cr"), std::string::npos) << kv.error().ToString();
}

TEST(PgConnInfoTest, WithDatabaseReplacesTheDatabaseOfAUri) {
  auto conninfo =
      ConnInfoWithDatabase("postgresql://alice@db.example:6543/prod?sslmode=require", "scratch");
  ASSERT_TRUE(conninfo.ok()) << conninfo.error().ToString();
  EXPECT_EQ(*conninfo,
            "user='alice' host='db.example' port='6543' sslmode='require' "
            "dbname='scratch'");
}

}  // namespace
}  // namespace sparkify::engine
