// The Redshift transform is also valid PostgreSQL: run it on the script-started PostgreSQL
// over staging loaded there from the public sample, and compare the star with DuckDB's
// (built by the default transform). Only songplay_id may differ: Redshift numbers plays by
// (ts, session, item, ...) because COPY keeps no load order; both number 1..n.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sparkify/sql/catalog.hpp"
#include "testing/engines.hpp"

namespace sparkify::testing {
namespace {

using Rows = std::vector<std::vector<engine::ResultValue>>;

Rows Rows_(engine::Engine& e, const std::string& sql) {
  auto r = e.Query(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.error().ToString();
  return r.ok() ? r->rows : Rows{};
}

std::unique_ptr<engine::Engine> Open(const std::string& name) {
  for (const EngineFactory& f : TestEngines()) {
    if (f.name != name) continue;
    auto e = f.open();
    EXPECT_TRUE(e.ok()) << name << ": " << e.error().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }
  ADD_FAILURE() << "no test engine " << name;
  return nullptr;
}

TEST(RedshiftTransformOnPostgresTest, StarEqualsDuckDbsExceptPlayNumbering) {
  auto duck = Open("duckdb");
  auto pg = Open("postgres");
  ASSERT_TRUE(duck && pg);
  ASSERT_TRUE(LoadSample(*duck).ok());
  ASSERT_TRUE(LoadSample(*pg).ok());
  // Replace PostgreSQL's star with the one the Redshift transform builds from its staging.
  ASSERT_TRUE(
      pg->Execute("delete from fact_songplay; delete from dim_time; delete from dim_user; "
                  "delete from dim_song; delete from dim_artist; delete from etl_user_latest; "
                  "delete from etl_song_match")
          .ok());
  for (sql::Stmt stmt : sql::TransformStatements()) {
    Status s = pg->Execute(sql::Render(stmt, sql::Dialect::kRedshift));
    ASSERT_TRUE(s.ok()) << sql::StmtName(stmt) << ": " << s.error().ToString();
  }
  for (const std::string& q : StarQueriesButPlayIds()) {
    Rows d = Rows_(*duck, q);
    EXPECT_FALSE(d.empty()) << q;
    EXPECT_EQ(Rows_(*pg, q), d) << q;
  }
  // Redshift's numbering: by time, then session and item.
  Rows order = Rows_(*pg,
                     "select count(*) from fact_songplay a join fact_songplay b "
                     "on a.songplay_id + 1 = b.songplay_id where a.start_time > b.start_time");
  ASSERT_EQ(order.size(), 1u);
  EXPECT_EQ(order[0][0], "0");
}

}  // namespace
}  // namespace sparkify::testing
