#include "sparkify/engine/duckdb/duckdb_engine.hpp"

#include <gtest/gtest.h>

#include "sparkify/engine/canonical.hpp"
#include "testing/test_util.hpp"

namespace sparkify::engine {
namespace {

std::unique_ptr<Engine> Open() {
  auto e = OpenDuckDb({":memory:", 1});
  EXPECT_TRUE(e.ok());
  return std::move(e).value();
}

TEST(DuckDbEngine, ResultsUseCanonicalText) {
  auto engine = Open();
  auto r = engine->Query(
      "select 1::integer as i, 9223372036854775807::bigint as big, 0.1::double as d, true as b, "
      "null::varchar as n, ''::varchar as e, 'Beyoncé' as s, epoch_ms(1541106106796) as ts, "
      "date '2018-11-30' as day, 12.50::decimal(10,2) as dec, "
      "170141183460469231731687303715884105727::hugeint as huge");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->rows.size(), 1u);
  const auto& row = r->rows[0];
  EXPECT_EQ(row[0], "1");
  EXPECT_EQ(row[1], "9223372036854775807");
  EXPECT_EQ(row[2], "0.1");
  EXPECT_EQ(row[3], "true");
  EXPECT_EQ(row[4], std::nullopt);
  EXPECT_EQ(row[5], "");
  EXPECT_EQ(row[6], "Beyoncé");
  EXPECT_EQ(row[7], "2018-11-01 21:01:46.796");
  EXPECT_EQ(row[8], "2018-11-30");
  EXPECT_EQ(row[9], "12.50");
  EXPECT_EQ(row[10], "170141183460469231731687303715884105727");
  EXPECT_EQ(r->columns[0].kind, ValueKind::kInteger);
  EXPECT_EQ(r->columns[2].kind, ValueKind::kFloat);
  EXPECT_EQ(r->columns[7].kind, ValueKind::kTimestamp);
  EXPECT_EQ(r->columns[7].name, "ts");
}

TEST(DuckDbEngine, RollbackUndoesBulkLoads) {
  auto engine = Open();
  ASSERT_TRUE(engine->Execute("create table t (a bigint, b double, c varchar)").ok());
  TableSchema schema{
      "t", {{"a", ColumnType::kBigInt}, {"b", ColumnType::kDouble}, {"c", ColumnType::kText}}};
  ASSERT_TRUE(engine->Begin().ok());
  auto loader = engine->OpenBulkLoader(schema);
  ASSERT_TRUE(loader.ok());
  ColumnBatch batch(schema);
  for (int i = 0; i < 5000; ++i) {
    const std::string text(static_cast<size_t>(i % 20), 'x');
    const FieldValue row[] = {FieldValue::Int(i),
                              i % 2 ? FieldValue::Null() : FieldValue::Double(i / 3.0),
                              FieldValue::Text(text)};
    batch.AppendRow(row);
  }
  ASSERT_TRUE((*loader)->Append(batch).ok());
  Status finished = (*loader)->Finish();
  ASSERT_TRUE(finished.ok()) << finished.error().ToString();
  auto inside = engine->Query("select count(*), count(b), sum(length(c)) from t");
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(inside->rows[0][0], "5000");
  EXPECT_EQ(inside->rows[0][1], "2500");
  ASSERT_TRUE(engine->Rollback().ok());
  EXPECT_EQ(engine->Query("select count(*) from t")->rows[0][0], "0");
}

// The loader regroups rows into whole DuckDB vectors; batches of any size, split anywhere,
// must arrive complete, in order, with each value and null where it was.
TEST(DuckDbEngine, BulkLoadsKeepRowsAcrossVectorBoundaries) {
  auto engine = Open();
  ASSERT_TRUE(engine->Execute("create table t (a bigint, b double, c varchar)").ok());
  TableSchema schema{
      "t", {{"a", ColumnType::kBigInt}, {"b", ColumnType::kDouble}, {"c", ColumnType::kText}}};
  auto loader = engine->OpenBulkLoader(schema);
  ASSERT_TRUE(loader.ok());
  int next = 0;
  // 40,000 rows at the end: the appender is flushed every few whole vectors on the way.
  for (int size : {1, 2047, 0, 3, 2049, 5000, 2048, 17, 40000}) {
    ColumnBatch batch(schema);
    for (int i = 0; i < size; ++i, ++next) {
      const std::string text = "row " + std::to_string(next);
      const FieldValue row[] = {next % 3 == 0 ? FieldValue::Null() : FieldValue::Int(next),
                                next % 5 == 0 ? FieldValue::Null() : FieldValue::Double(next * 0.5),
                                next % 7 == 0 ? FieldValue::Null() : FieldValue::Text(text)};
      batch.AppendRow(row);
    }
    ASSERT_TRUE((*loader)->Append(batch).ok());
  }
  Status finished = (*loader)->Finish();
  ASSERT_TRUE(finished.ok()) << finished.error().ToString();
  auto r = engine->Query("select a, b, c from t order by rowid");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->rows.size(), static_cast<size_t>(next));
  for (int i = 0; i < next; ++i) {
    const auto& row = r->rows[static_cast<size_t>(i)];
    SCOPED_TRACE("row " + std::to_string(i));
    EXPECT_EQ(row[0], i % 3 == 0 ? std::nullopt : std::optional<std::string>(std::to_string(i)));
    EXPECT_EQ(row[1].has_value(), i % 5 != 0);
    if (row[1]) {
      EXPECT_DOUBLE_EQ(std::stod(*row[1]), i * 0.5);
    }
    EXPECT_EQ(row[2],
              i % 7 == 0 ? std::nullopt : std::optional<std::string>("row " + std::to_string(i)));
  }
}

// The appender is flushed on the way (every few whole vectors), so a violated constraint may
// surface from Append rather than Finish: either way the load fails with DuckDB's message.
TEST(DuckDbEngine, BulkLoadsFailOnAViolationWhereverTheFlushMeetsIt) {
  auto engine = Open();
  ASSERT_TRUE(engine->Execute("create table t (a bigint not null)").ok());
  TableSchema schema{"t", {{"a", ColumnType::kBigInt}}};
  auto loader = engine->OpenBulkLoader(schema);
  ASSERT_TRUE(loader.ok());
  ColumnBatch batch(schema);
  for (int i = 0; i < 30000; ++i) {
    const FieldValue row[] = {i == 100 ? FieldValue::Null() : FieldValue::Int(i)};
    batch.AppendRow(row);
  }
  Status appended = (*loader)->Append(batch);
  Status finished = appended.ok() ? (*loader)->Finish() : appended;
  ASSERT_FALSE(finished.ok());
  EXPECT_NE(finished.error().message().find("appending to t"), std::string::npos)
      << finished.error().ToString();
  EXPECT_NE(finished.error().message().find("NOT NULL"), std::string::npos)
      << finished.error().ToString();
}

// The parallel loader (`insert … select * from sparkify_feed(id)`, DuckDB's threads pulling the
// batches) at one thread (in lockstep) and at two: every row arrives once with each value and
// null where it was, inside the engine's transaction (rolled back: nothing stays), and a
// statement that fails (a NOT NULL violated) fails the load with DuckDB's message.
TEST(DuckDbEngine, ParallelLoadsKeepEveryRowAtAnyThreadCount) {
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    auto opened = OpenDuckDb({":memory:", threads});
    ASSERT_TRUE(opened.ok());
    std::unique_ptr<Engine> engine = std::move(opened).value();
    ASSERT_TRUE(engine->Execute("create table t (a bigint, b double, c varchar)").ok());
    TableSchema schema{
        "t", {{"a", ColumnType::kBigInt}, {"b", ColumnType::kDouble}, {"c", ColumnType::kText}}};
    ASSERT_TRUE(engine->Begin().ok());
    auto loader = engine->OpenParallelLoader(schema);
    ASSERT_TRUE(loader.ok());
    int next = 0;
    for (int size : {1, 2047, 0, 3, 2049, 5000, 2048, 17, 40000}) {
      auto batch = std::make_unique<ColumnBatch>(schema);
      for (int i = 0; i < size; ++i, ++next) {
        const std::string text = "row " + std::to_string(next);
        const FieldValue row[] = {
            FieldValue::Int(next),
            next % 5 == 0 ? FieldValue::Null() : FieldValue::Double(next * 0.5),
            next % 7 == 0 ? FieldValue::Null() : FieldValue::Text(text)};
        batch->AppendRow(row);
      }
      ASSERT_TRUE((*loader)->AppendOwned(std::move(batch)).ok());
    }
    Status finished = (*loader)->Finish();
    ASSERT_TRUE(finished.ok()) << finished.error().ToString();
    auto r = engine->Query("select a, b, c from t order by a");
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    ASSERT_EQ(r->rows.size(), static_cast<size_t>(next));
    for (int i = 0; i < next; ++i) {
      const auto& row = r->rows[static_cast<size_t>(i)];
      ASSERT_EQ(row[0], std::optional<std::string>(std::to_string(i)));
      ASSERT_EQ(row[1].has_value(), i % 5 != 0) << i;
      if (row[1]) {
        ASSERT_DOUBLE_EQ(std::stod(*row[1]), i * 0.5);
      }
      ASSERT_EQ(row[2],
                i % 7 == 0 ? std::nullopt : std::optional<std::string>("row " + std::to_string(i)));
    }
    ASSERT_TRUE(engine->Rollback().ok());
    auto none = engine->Query("select count(*) from t");
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->rows[0][0], "0");

    ASSERT_TRUE(engine->Execute("create table n (a bigint not null)").ok());
    TableSchema ints{"n", {{"a", ColumnType::kBigInt}}};
    auto failing = engine->OpenParallelLoader(ints);
    ASSERT_TRUE(failing.ok());
    Status appended = Status::Ok();
    for (int b = 0; b < 50 && appended.ok(); ++b) {
      auto batch = std::make_unique<ColumnBatch>(ints);
      for (int i = 0; i < 1000; ++i) {
        const FieldValue row[] = {i == 500 ? FieldValue::Null() : FieldValue::Int(i)};
        batch->AppendRow(row);
      }
      appended = (*failing)->AppendOwned(std::move(batch));
    }
    Status end = appended.ok() ? (*failing)->Finish() : appended;
    ASSERT_FALSE(end.ok());
    EXPECT_NE(end.error().message().find("NOT NULL"), std::string::npos) << end.error().ToString();
  }
}

// Batches the parallel loader is done with come back (TakeSpent) to be cleared and filled
// again: every row still arrives once, and at one thread (lockstep) each batch is spent by the
// time the next is handed over.
TEST(DuckDbEngine, ParallelLoaderHandsBackSpentBatches) {
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    auto opened = OpenDuckDb({":memory:", threads});
    ASSERT_TRUE(opened.ok());
    std::unique_ptr<Engine> engine = std::move(opened).value();
    ASSERT_TRUE(engine->Execute("create table t (a bigint, c varchar)").ok());
    TableSchema schema{"t", {{"a", ColumnType::kBigInt}, {"c", ColumnType::kText}}};
    auto loader = engine->OpenParallelLoader(schema);
    ASSERT_TRUE(loader.ok());
    constexpr int kBatches = 40, kRows = 3000;
    int reused = 0;
    std::unique_ptr<ColumnBatch> spare;
    for (int b = 0; b < kBatches; ++b) {
      std::unique_ptr<ColumnBatch> batch = std::move(spare);
      if (batch) {
        ++reused;
        batch->Clear();
      } else {
        batch = std::make_unique<ColumnBatch>(schema);
      }
      for (int i = 0; i < kRows; ++i) {
        const int64_t v = int64_t{b} * kRows + i;
        const std::string text = "value " + std::to_string(v);
        const FieldValue row[] = {FieldValue::Int(v), FieldValue::Text(text)};
        batch->AppendRow(row);
      }
      ASSERT_TRUE((*loader)->AppendOwned(std::move(batch)).ok());
      spare = (*loader)->TakeSpent();
    }
    ASSERT_TRUE((*loader)->Finish().ok());
    if (threads == 1) {
      EXPECT_EQ(reused, kBatches - 1);
    }
    auto r = engine->Query(
        "select count(*), count(distinct a), min(a), max(a), "
        "count(*) filter (where c = 'value ' || a) from t");
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    const std::string n = std::to_string(kBatches * kRows);
    EXPECT_EQ(r->rows[0], (std::vector<std::optional<std::string>>{
                              n, n, "0", std::to_string(kBatches * kRows - 1), n}));
  }
}

TEST(DuckDbEngine, ErrorsCarryTheEngineMessage) {
  auto engine = Open();
  auto r = engine->Query("select * from missing_table");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kEngine);
  EXPECT_NE(r.error().message().find("missing_table"), std::string::npos);
  TableSchema schema{"missing_table", {{"a", ColumnType::kBigInt}}};
  EXPECT_FALSE(engine->OpenBulkLoader(schema).ok());
}

TEST(DuckDbEngine, ReportsUnopenablePath) {
  auto e = OpenDuckDb({"/nonexistent-dir/x.duckdb", 1});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), ErrorCode::kEngine);
}

TEST(Canonical, FormatsEdgeCases) {
  EXPECT_EQ(FormatDouble(246.30812), "246.30812");
  EXPECT_EQ(FormatDouble(1e300), "1e+300");
  EXPECT_EQ(FormatTimestampMicros(0), "1970-01-01 00:00:00.000");
  EXPECT_EQ(FormatTimestampMicros(-1000), "1969-12-31 23:59:59.999");
  EXPECT_EQ(FormatTimestampMicros(1500), "1970-01-01 00:00:00.001500");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatInt128(-42), "-42");
}

// sparkify's writes skip FSST (its symbol-table training dominated a full load's commit). The
// same strings checkpointed with DuckDB's defaults back do get FSST: the data is FSST's kind.
TEST(DuckDbEngine, WritesWithoutFsstCompression) {
  sparkify::testing::TempDir dir;
  auto opened = OpenDuckDb({dir / "fsst.duckdb", 1});
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  auto& engine = **opened;
  const std::string fill =
      " select 'user agent ' || (i * 7919 % 100003)::varchar || ' Mozilla/5.0 (Windows NT "
      "6.1; WOW64) AppleWebKit/537.36 ' || (i % 97)::varchar from range(200000) r(i)";
  auto compressions = [&](const std::string& table) {
    auto r = engine.Query("select distinct compression from pragma_storage_info('" + table +
                          "') where segment_type = 'VARCHAR' order by 1");
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    std::string all;
    for (const auto& row : r->rows) all += row[0].value_or("null") + " ";
    return all;
  };
  ASSERT_TRUE(engine.Execute("create table sparkify_written (s varchar)").ok());
  ASSERT_TRUE(engine.Execute("insert into sparkify_written" + fill).ok());
  ASSERT_TRUE(engine.Execute("checkpoint").ok());
  EXPECT_EQ(compressions("sparkify_written").find("FSST"), std::string::npos)
      << compressions("sparkify_written");

  ASSERT_TRUE(engine.Execute("reset disabled_compression_methods").ok());
  ASSERT_TRUE(engine.Execute("create table default_written (s varchar)").ok());
  ASSERT_TRUE(engine.Execute("insert into default_written" + fill).ok());
  ASSERT_TRUE(engine.Execute("checkpoint").ok());
  EXPECT_NE(compressions("default_written").find("FSST"), std::string::npos)
      << compressions("default_written");
}

// jemalloc's background threads are on: an arena whose threads stop allocating (the engine
// thread's during the events) still gives back the pages DuckDB freed in it
// (docs/BENCHMARKS.md, session 15).
TEST(DuckDbEngine, PurgesFreedPagesInTheBackground) {
  sparkify::testing::TempDir dir;
  auto opened = OpenDuckDb({dir / "purge.duckdb", 1});
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  auto setting = (*opened)->Query("select current_setting('allocator_background_threads')");
  ASSERT_TRUE(setting.ok()) << setting.error().ToString();
  ASSERT_EQ(setting->rows.size(), 1u);
  EXPECT_EQ(setting->rows[0][0].value_or(""), "true");
}

}  // namespace
}  // namespace sparkify::engine
