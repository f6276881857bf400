// dim_time from the plays' start times (pipeline/etl_stages.hpp LoadTimes): the distinct times
// of a spill, in memory or merged from runs on disk, loaded with their calendar fields through
// one parallel load, at one engine thread and at two. The fields are checked against DuckDB's own
// `extract` over the same times, ISO weeks at year boundaries included; TimeRowAppender's
// per-day reuse of the fields against SplitTimestamp per time.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "sparkify/common/distinct_spill.hpp"
#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/pipeline/etl_stages.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {
namespace {

using Rows = std::vector<std::vector<engine::ResultValue>>;

std::unique_ptr<engine::Engine> StarEngine(int threads) {
  auto opened = engine::OpenDuckDb({":memory:", threads});
  EXPECT_TRUE(opened.ok()) << opened.error().message();
  std::unique_ptr<engine::Engine> e = std::move(opened).value();
  for (sql::Stmt stmt : sql::RebuildTablesStatements()) {
    Status s = e->Execute(sql::Render(stmt, e->dialect()));
    EXPECT_TRUE(s.ok()) << s.error().message();
  }
  return e;
}

Rows Query(engine::Engine& e, const std::string& sql) {
  auto r = e.Query(sql);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? r->rows : Rows{};
}

// `plays` start times in scrambled order over `distinct` residues (a prime), a few ms apart per
// residue so that each time is played once to three times, and a handful of times around New
// Year (2018-12-31 is in ISO week 1 of 2019; 2021-01-01 in week 53 of 2020) and before 1970.
std::vector<int64_t> PlayTimes(int plays, int distinct) {
  std::vector<int64_t> times;
  for (int i = 0; i < plays; ++i) {
    const int64_t residue = (static_cast<int64_t>(i) * 7919) % distinct;
    times.push_back(1'541'030'400'000'000 + residue * 1'000'000 + (i % 3) * 17'000);
  }
  for (int64_t t : std::initializer_list<int64_t>{1'546'214'400'000'000, 1'546'300'799'999'000,
                                                  1'609'459'200'000'000, 1'609'459'200'000'000,
                                                  -86'400'000'000, 0})
    times.push_back(t);
  return times;
}

// What dim_time must hold for `times`, computed by DuckDB.
Rows Expected(engine::Engine& e, const std::vector<int64_t>& times) {
  EXPECT_TRUE(e.Execute("create temporary table played (t bigint)").ok());
  std::string values;
  for (size_t i = 0; i < times.size(); ++i) {
    values += (values.empty() ? "(" : ", (") + std::to_string(times[i]) + ")";
    if ((i + 1) % 1000 == 0 || i + 1 == times.size()) {
      EXPECT_TRUE(e.Execute("insert into played values " + values).ok());
      values.clear();
    }
  }
  Rows expected = Query(e,
                        "select s, extract(hour from s), extract(day from s), extract(week from s),"
                        " extract(month from s), extract(year from s), extract(dow from s) from "
                        "(select distinct make_timestamp(t) as s from played) order by s");
  EXPECT_TRUE(e.Execute("drop table played").ok());
  return expected;
}

const char* kDimTime = "select * from dim_time order by start_time";

TEST(LoadTimesTest, TheDistinctTimesWithTheirCalendarFields) {
  const std::vector<int64_t> times = PlayTimes(30'000, 20'011);
  for (int threads : {1, 2}) {
    // 100,000 values stay in memory; 1,000 make 30 runs on disk, and the rest a 31st.
    for (size_t run_values : {size_t{100'000}, size_t{1'000}}) {
      SCOPED_TRACE(std::to_string(threads) + " threads, runs of " + std::to_string(run_values));
      auto e = StarEngine(threads);
      DistinctSpill spill(run_values);
      for (int64_t t : times) ASSERT_TRUE(spill.Add(t).ok());
      EXPECT_EQ(spill.runs_written(), run_values < times.size() ? 30u : 0u);
      ASSERT_TRUE(LoadTimes(*e, DimTimeSchema(), spill).ok());
      const Rows expected = Expected(*e, times);
      ASSERT_GT(expected.size(), 20'011u);  // the (i % 3) offsets
      EXPECT_EQ(Query(*e, kDimTime), expected);
      EXPECT_EQ(spill.added(), 0u);  // spent
    }
  }
}

// The appender reuses a day's calendar fields while the times stay in that day: the same rows
// as SplitTimestamp per time, in ascending order and in any order, around midnight, New Year
// and before 1970.
TEST(TimeRowAppenderTest, SameFieldsAsEachTimeSplitAlone) {
  const int64_t day = 86'400'000'000;
  std::vector<int64_t> times;
  for (int64_t midnight : {int64_t{0}, -day, 1'546'214'400'000'000, 1'546'300'800'000'000,
                           1'609'372'800'000'000, 1'609'459'200'000'000}) {
    for (int64_t offset : {int64_t{0}, int64_t{1}, int64_t{3'599'999'999}, int64_t{3'600'000'000},
                           day - 1, day, int64_t{-1}})
      times.push_back(midnight + offset);
  }
  std::vector<int64_t> ascending = times;
  std::sort(ascending.begin(), ascending.end());
  std::vector<int64_t> scrambled = times;
  std::mt19937 rng(11);
  std::shuffle(scrambled.begin(), scrambled.end(), rng);
  for (const std::vector<int64_t>* order : {&ascending, &scrambled}) {
    ColumnBatch batch(DimTimeSchema());
    TimeRowAppender rows;
    for (int64_t t : *order) rows.Append(batch, t);
    ASSERT_EQ(batch.rows(), order->size());
    for (size_t r = 0; r < order->size(); ++r) {
      const int64_t t = (*order)[r];
      const TimeParts p = SplitTimestamp(t);
      SCOPED_TRACE(t);
      EXPECT_EQ(batch.Int(0, r), t);
      EXPECT_EQ(batch.Int(1, r), p.hour);
      EXPECT_EQ(batch.Int(2, r), p.day);
      EXPECT_EQ(batch.Int(3, r), p.week);
      EXPECT_EQ(batch.Int(4, r), p.month);
      EXPECT_EQ(batch.Int(5, r), p.year);
      EXPECT_EQ(batch.Int(6, r), p.weekday);
    }
  }
}

TEST(LoadTimesTest, NoPlaysLoadNoTimes) {
  auto e = StarEngine(2);
  DistinctSpill spill;
  ASSERT_TRUE(LoadTimes(*e, DimTimeSchema(), spill).ok());
  EXPECT_TRUE(Query(*e, kDimTime).empty());
}

TEST(LoadTimesTest, AFailedLoadIsAnError) {
  auto e = StarEngine(2);
  ASSERT_TRUE(e->Execute("drop table dim_time").ok());
  DistinctSpill spill(10);
  for (int64_t t = 0; t < 100; ++t) ASSERT_TRUE(spill.Add(t * 1000).ok());
  Status s = LoadTimes(*e, DimTimeSchema(), spill);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().ToString().find("dim_time"), std::string::npos) << s.error().ToString();
}

}  // namespace
}  // namespace sparkify::pipeline
