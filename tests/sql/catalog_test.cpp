// The catalog's rendering switches that change what a statement does, not only its dialect.
#include "sparkify/sql/catalog.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sparkify::sql {
namespace {

// dim_time from the plays: materialized for a serial insert (whole vectors, no per-vector
// version arrays), streamed into a parallel one (no copy of every time beside the aggregate).
// That both give the same dim_time is shown end to end (SampleE2e.OneThreadAndTwoThreadsAgree)
// and range by range (DimTimeRangesTest).
TEST(CatalogTest, DimTimeFromPlaysIsMaterializedOnlyForASerialInsert) {
  RenderOptions serial;
  serial.serial_insert = true;
  serial.values = {{"from", "100"}, {"until", "200"}};
  RenderOptions parallel;
  parallel.values = serial.values;
  const std::string one = Render(Stmt::kInsertDimTimeFromPlays, Dialect::kDuckDb, serial);
  const std::string many = Render(Stmt::kInsertDimTimeFromPlays, Dialect::kDuckDb, parallel);
  EXPECT_NE(one.find("with plays as materialized ("), std::string::npos) << one;
  EXPECT_NE(many.find("with plays as not materialized ("), std::string::npos) << many;
  for (const std::string& text : {one, many}) {
    EXPECT_EQ(text.find("{{"), std::string::npos) << text;
    EXPECT_NE(text.find("start_time >= make_timestamp(100) and start_time < make_timestamp(200)"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("limit"), std::string::npos) << text;
  }
}

// Which star keys each engine declares: every one on PostgreSQL and Redshift; on DuckDB only
// dim_user's (its rows are upserted by incremental runs), the rest being unique by construction
// and verified by `sparkify check` (README, schema).
TEST(CatalogTest, DuckDbDeclaresOnlyTheUpsertedDimensionsKey) {
  auto line_of = [](const std::string& ddl, const std::string& column) {
    const size_t at = ddl.find("\n    " + column + " ");
    return at == std::string::npos ? std::string()
                                   : ddl.substr(at + 1, ddl.find('\n', at + 1) - at - 1);
  };
  const std::string duck = Render(Stmt::kCreateStar, Dialect::kDuckDb);
  EXPECT_NE(line_of(duck, "user_id").find("primary key"), std::string::npos) << duck;
  for (const char* column : {"artist_id", "song_id"}) {
    EXPECT_EQ(line_of(duck, column).find("primary key"), std::string::npos) << column << duck;
    EXPECT_NE(line_of(duck, column).find("not null"), std::string::npos) << column << duck;
  }
  for (Dialect d : {Dialect::kPostgres, Dialect::kRedshift}) {
    const std::string ddl = Render(Stmt::kCreateStar, d);
    for (const char* column : {"user_id", "artist_id", "song_id"})
      EXPECT_NE(line_of(ddl, column).find("primary key"), std::string::npos) << column << ddl;
  }
}

// A serial insert that is not a run's last range takes whole vectors of its times, in order.
TEST(CatalogTest, DimTimeFromPlaysCanTakeWholeVectorsOnly) {
  RenderOptions options;
  options.serial_insert = true;
  options.whole_vectors_only = true;
  options.values = {{"from", "1"}, {"until", "2"}};
  const std::string text = Render(Stmt::kInsertDimTimeFromPlays, Dialect::kDuckDb, options);
  EXPECT_NE(text.find("order by start_time\nlimit (select count(*) // 2048 * 2048 from plays)"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace sparkify::sql
