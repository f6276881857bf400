#include <gtest/gtest.h>

#include "cli/cli_fixture.hpp"
#include "sparkify/sql/named_queries.hpp"

namespace sparkify::testing {
namespace {

using QueryCliTest = CliTest;

TEST_F(QueryCliTest, ListShowsEveryNamedQueryWithItsChart) {
  ASSERT_EQ(Sparkify("query --list --format csv"), 0) << err_;
  EXPECT_EQ(out_.rfind("name,chart,question\r\n", 0), 0u);
  for (const sql::NamedQuery& q : sql::NamedQueries()) {
    EXPECT_NE(out_.find("\r\n" + std::string(q.name) + "," + std::string(ChartTypeName(q.chart))),
              std::string::npos)
        << q.name;
  }
}

TEST_F(QueryCliTest, NamedQueryWritesOnlyDataToStdout) {
  ASSERT_EQ(Sparkify("query most_active_users --limit 2 --format json"), 0) << err_;
  EXPECT_EQ(out_,
            "[\n{\"user_id\":\"49\",\"first_name\":\"Chloe\",\"last_name\":\"Cuevas\","
            "\"level\":\"paid\",\"plays\":689},\n{\"user_id\":\"80\",\"first_name\":\"Tegan\","
            "\"last_name\":\"Levine\",\"level\":\"paid\",\"plays\":665}\n]\n");
  EXPECT_EQ(err_, "");
}

TEST_F(QueryCliTest, NamedQueryAsAlignedTable) {
  ASSERT_EQ(Sparkify("query free_vs_paid"), 0) << err_;
  EXPECT_EQ(out_,
            " level | plays\n"
            "-------+-------\n"
            " free  |  1229\n"
            " paid  |  5591\n"
            "(2 rows)\n");
}

TEST_F(QueryCliTest, SqlRunsOneReadOnlyStatement) {
  ASSERT_EQ(Sparkify("query --format csv --sql \"select count(*) as plays from fact_songplay\""), 0)
      << err_;
  EXPECT_EQ(out_, "plays\r\n6820\r\n");
}

TEST_F(QueryCliTest, SqlLimitTruncatesAndZeroMeansAll) {
  ASSERT_EQ(Sparkify("query --format csv --limit 2 --sql \"select user_id from dim_user order by "
                     "user_id\""),
            0);
  EXPECT_EQ(out_, "user_id\r\n10\r\n100\r\n");
  ASSERT_EQ(Sparkify("query --format csv --limit 0 --sql \"select user_id from dim_user\""), 0);
  EXPECT_EQ(std::count(out_.begin(), out_.end(), '\n'), 98);
}

TEST_F(QueryCliTest, SqlThatWritesIsRefusedWithUsageExitAndChangesNothing) {
  for (const char* sql : {"drop table dim_user", "delete from dim_user",
                          "select 1; drop table dim_user", "copy dim_user to '/tmp/x.csv'",
                          "with d as (delete from dim_user returning *) select * from d"}) {
    EXPECT_EQ(Sparkify(std::string("query --sql \"") + sql + "\""), 2) << sql;
    EXPECT_NE(err_.find("read-only statement"), std::string::npos) << err_;
    EXPECT_EQ(out_, "");
  }
  ASSERT_EQ(Sparkify("query --format csv --sql \"select count(*) as n from dim_user\""), 0);
  EXPECT_EQ(out_, "n\r\n97\r\n");
}

TEST_F(QueryCliTest, UnknownQueryNameIsAUsageError) {
  EXPECT_EQ(Sparkify("query no_such_query"), 2);
  EXPECT_NE(err_.find("no query named \"no_such_query\""), std::string::npos) << err_;
}

}  // namespace
}  // namespace sparkify::testing
