// The catalog's rendering switches that change what a statement does, not only its dialect.
#include "sparkify/sql/catalog.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sparkify::sql {
namespace {

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

// load_manifest's key (kind, file): declared on PostgreSQL and Redshift; on DuckDB, whose key
// index cannot be evicted, unique by construction and verified by `sparkify check`.
TEST(CatalogTest, TheManifestsKeyIsDeclaredEverywhereButDuckDb) {
  const std::string duck = Render(Stmt::kCreateManifest, Dialect::kDuckDb);
  EXPECT_EQ(duck.find("primary key"), std::string::npos) << duck;
  EXPECT_NE(duck.find("loaded_at     timestamp not null\n);"), std::string::npos) << duck;
  for (Dialect d : {Dialect::kPostgres, Dialect::kRedshift}) {
    const std::string ddl = Render(Stmt::kCreateManifest, d);
    EXPECT_NE(ddl.find("not null,\n    primary key (kind, file)\n);"), std::string::npos) << ddl;
  }
}

}  // namespace
}  // namespace sparkify::sql
