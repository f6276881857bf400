// The parsers' schemas (parse/records.cpp) and the staging tables that create-tables makes
// (sql/catalog.cpp) name the same columns, in the same order, with matching types, on every
// engine: the bulk loaders rely on it.
#include <gtest/gtest.h>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/pipeline/create_tables.hpp"
#include "testing/pg_testing.hpp"

namespace sparkify::parse {
namespace {

// Type names as information_schema reports them, per engine.
std::string ExpectedType(ColumnType type, sql::Dialect dialect) {
  const bool duck = dialect == sql::Dialect::kDuckDb;
  switch (type) {
    case ColumnType::kBigInt:
      return duck ? "BIGINT" : "bigint";
    case ColumnType::kDouble:
      return duck ? "DOUBLE" : "double precision";
    case ColumnType::kText:
      return duck ? "VARCHAR" : "text";
    case ColumnType::kTimestamp:
      return duck ? "TIMESTAMP" : "timestamp without time zone";
  }
  return "?";
}

void ExpectTablesMatchParsers(engine::Engine& engine) {
  ASSERT_TRUE(pipeline::CreateTables(engine).ok());
  for (const TableSchema* schema : {&StagingEventsSchema(), &StagingSongsSchema()}) {
    auto columns =
        testing::QueryOrFail(engine,
                             "select column_name, data_type from information_schema.columns where "
                             "table_name = '" +
                                 schema->name + "' order by ordinal_position");
    ASSERT_EQ(columns.rows.size(), schema->columns.size()) << schema->name;
    for (size_t i = 0; i < schema->columns.size(); ++i) {
      EXPECT_EQ(columns.rows[i][0], schema->columns[i].name) << schema->name << " column " << i;
      EXPECT_EQ(columns.rows[i][1], ExpectedType(schema->columns[i].type, engine.dialect()))
          << schema->name << "." << schema->columns[i].name;
    }
  }
}

TEST(StagingSchemaTest, ParserSchemasMatchTheDuckDbStagingTables) {
  auto engine = engine::OpenDuckDb(engine::DuckDbOptions{":memory:", 1});
  ASSERT_TRUE(engine.ok()) << engine.error().ToString();
  ExpectTablesMatchParsers(**engine);
}

class StagingSchemaPostgresTest : public testing::PostgresTest {};

TEST_F(StagingSchemaPostgresTest, ParserSchemasMatchThePostgresStagingTables) {
  auto engine = db_->Open();
  ASSERT_TRUE(engine.ok()) << engine.error().ToString();
  ExpectTablesMatchParsers(**engine);
}

}  // namespace
}  // namespace sparkify::parse
