#include "sparkify/sql/read_only.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sparkify::sql {
namespace {

void ExpectAllowed(const std::string& sql) {
  Status s = CheckReadOnlyStatement(sql);
  EXPECT_TRUE(s.ok()) << sql << "\n" << (s.ok() ? "" : s.error().ToString());
}

void ExpectRefused(const std::string& sql, const std::string& reason) {
  Status s = CheckReadOnlyStatement(sql);
  ASSERT_FALSE(s.ok()) << "allowed: " << sql;
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument) << sql;
  EXPECT_NE(s.error().message().find(reason), std::string::npos) << sql << "\n"
                                                                 << s.error().message();
}

TEST(CheckReadOnlyStatementTest, AllowsQueriesAndInspection) {
  ExpectAllowed("select 1");
  ExpectAllowed("SELECT count(*) FROM fact_songplay;");
  ExpectAllowed("  with t as (select 1 as x) select x from t ; ");
  ExpectAllowed("values (1), (2)");
  ExpectAllowed("(select 1) union all (select 2)");
  ExpectAllowed("table dim_user");
  ExpectAllowed("from dim_user");
  ExpectAllowed("show tables");
  ExpectAllowed("describe dim_user");
  ExpectAllowed("summarize dim_user");
  ExpectAllowed("explain select * from dim_user");
  ExpectAllowed("explain analyze select * from dim_user");
  ExpectAllowed("explain (analyze, format json) select 1");
}

TEST(CheckReadOnlyStatementTest, AllowsCommentsAndTrailingSemicolons) {
  ExpectAllowed("-- the top songs\nselect 1 -- trailing\n;;\n-- done");
  ExpectAllowed("/* a /* nested */ comment */ select 1 /* after */;");
}

TEST(CheckReadOnlyStatementTest, RefusesWritesAndSessionChanges) {
  ExpectRefused("drop table dim_user", "\"drop\" statements are not allowed");
  ExpectRefused("delete from dim_user", "\"delete\" statements are not allowed");
  ExpectRefused("insert into dim_user values ('x')", "\"insert\" statements are not allowed");
  ExpectRefused("update dim_user set level = 'paid'", "\"update\" statements are not allowed");
  ExpectRefused("create table x as select 1", "\"create\" statements are not allowed");
  ExpectRefused("copy dim_user to '/tmp/x.csv'", "\"copy\" statements are not allowed");
  ExpectRefused("attach 'other.duckdb'", "\"attach\" statements are not allowed");
  ExpectRefused("set threads = 1", "\"set\" statements are not allowed");
  ExpectRefused("pragma version", "\"pragma\" statements are not allowed");
  ExpectRefused("commit", "\"commit\" statements are not allowed");
}

TEST(CheckReadOnlyStatementTest, RefusesASecondStatement) {
  ExpectRefused("select 1; drop table dim_user", "more than one statement");
  ExpectRefused("select 1; commit; drop table dim_user", "more than one statement");
  ExpectRefused("select 1;select 2", "more than one statement");
}

TEST(CheckReadOnlyStatementTest, RefusesWritesHiddenInsideAllowedForms) {
  // PostgreSQL runs data-modifying CTEs; explain analyze runs its statement.
  ExpectRefused("with d as (delete from dim_user returning *) select * from d",
                "\"delete\" does not belong in a read");
  ExpectRefused("explain analyze delete from dim_user", "explain must be followed by a query");
  ExpectRefused("explain analyze copy (select 1) to 'x.csv'",
                "explain must be followed by a query");
  ExpectRefused("select * from (select 1) as t; insert into t values (1)", "more than one");
}

TEST(CheckReadOnlyStatementTest, IgnoresKeywordsAndSemicolonsInsideLiteralsAndComments) {
  ExpectAllowed("select 'drop table x; delete' as s");
  ExpectAllowed("select 'it''s; fine' as s");
  ExpectAllowed("select E'back\\'slash; drop' as s");
  ExpectAllowed("select \"delete\" from (select 1 as \"delete\") as t");
  ExpectAllowed("select $$ ; drop table x $$ as s");
  ExpectAllowed("select $tag$ ; delete $tag$ as s");
  ExpectAllowed("select 1 -- ; drop table x\n");
  ExpectAllowed("select 1 /* ; drop table x */");
  ExpectAllowed("select * from fact_songplay where level = 'update'");
}

TEST(CheckReadOnlyStatementTest, RefusesUnterminatedText) {
  ExpectRefused("select 'abc", "unterminated string literal");
  ExpectRefused("select \"abc", "unterminated quoted identifier");
  ExpectRefused("select 1 /* open", "unterminated /* comment");
  ExpectRefused("select $x$ open", "unterminated dollar-quoted string");
}

TEST(CheckReadOnlyStatementTest, RefusesEmptyAndKeywordlessText) {
  ExpectRefused("", "no statement given");
  ExpectRefused("  ;  -- nothing", "no statement given");
  ExpectRefused("42", "does not start with a keyword");
}

TEST(StripStatementEndTest, DropsTrailingSemicolonsAndComments) {
  EXPECT_EQ(StripStatementEnd("select 1;  -- done\n"), "select 1");
  EXPECT_EQ(StripStatementEnd("-- why\nselect ';' as s ;"), "-- why\nselect ';' as s");
  EXPECT_EQ(StripStatementEnd("select 1"), "select 1");
}

}  // namespace
}  // namespace sparkify::sql
