// Every catalog question on the hand-made star of tests/testing/star_fixture.sql, whose
// answers are worked out by hand in the comments, on every test engine (DuckDB, and
// PostgreSQL when available).
#include "sparkify/sql/named_queries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "sparkify/sql/catalog.hpp"
#include "testing/engines.hpp"

namespace sparkify::sql {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows AsRows(const engine::QueryResult& result) {
  Rows rows;
  for (const auto& row : result.rows) {
    std::vector<std::string>& out = rows.emplace_back();
    for (const auto& v : row) out.push_back(v.value_or("NULL"));
  }
  return rows;
}

class NamedQueryTest : public ::testing::TestWithParam<testing::EngineFactory> {
 protected:
  void SetUp() override {
    auto opened = GetParam().open();
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    engine_ = std::move(opened).value();
    Status loaded = testing::LoadStarFixture(*engine_);
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  }

  engine::QueryResult Run(std::string_view name, std::optional<int64_t> limit = std::nullopt) {
    const NamedQuery* q = FindNamedQuery(name);
    EXPECT_NE(q, nullptr) << name;
    if (q == nullptr) return {};
    auto result = engine_->Query(RenderNamedQuery(*q, engine_->dialect(), limit));
    EXPECT_TRUE(result.ok()) << name << ": " << (result.ok() ? "" : result.error().ToString());
    return result.ok() ? std::move(result).value() : engine::QueryResult{};
  }
  Rows RowsOf(std::string_view name, std::optional<int64_t> limit = std::nullopt) {
    return AsRows(Run(name, limit));
  }

  std::unique_ptr<engine::Engine> engine_;
};

// Matched plays: SO1 (Rock & Roll) plays 1, 3, 5; SO2 (Jóga) plays 4, 7; SO3 (Hush) 8, 11.
// Ties are broken by title.
TEST_P(NamedQueryTest, TopSongsRanksMatchedPlaysByCountThenTitle) {
  EXPECT_EQ(RowsOf("top_songs"), (Rows{{"Rock & Roll <Live>", "Ana & the <Tags>", "3"},
                                       {"Hush", "Quiet \"Q\"", "2"},
                                       {"Jóga", "Björk", "2"}}));
}

TEST_P(NamedQueryTest, TopArtistsRanksMatchedPlaysByCountThenName) {
  EXPECT_EQ(RowsOf("top_artists"),
            (Rows{{"Ana & the <Tags>", "3"}, {"Björk", "2"}, {"Quiet \"Q\"", "2"}}));
}

// Hours (UTC): 9 (plays 1, 2), 21 (3, 4), 23 (5), 0 (6, 7), 13 (8, 9), 18 (10, 11).
TEST_P(NamedQueryTest, PlaysByHourHasAll24HoursWithZeros) {
  Rows expected;
  for (int h = 0; h < 24; ++h) {
    const int plays = h == 0 || h == 9 || h == 13 || h == 18 || h == 21 ? 2 : h == 23 ? 1 : 0;
    expected.push_back({std::to_string(h), std::to_string(plays)});
  }
  EXPECT_EQ(RowsOf("plays_by_hour"), expected);
}

// 2018-11-04 is a Sunday (2 plays), 11-05 a Monday (3), 11-07 a Wednesday (3), 12-01 a
// Saturday (3).
TEST_P(NamedQueryTest, PlaysByWeekdayListsSundayToSaturdayWithZeros) {
  EXPECT_EQ(RowsOf("plays_by_weekday"), (Rows{{"0", "Sunday", "2"},
                                              {"1", "Monday", "3"},
                                              {"2", "Tuesday", "0"},
                                              {"3", "Wednesday", "3"},
                                              {"4", "Thursday", "0"},
                                              {"5", "Friday", "0"},
                                              {"6", "Saturday", "3"}}));
}

TEST_P(NamedQueryTest, DailyPlaysCoversEveryDayFromFirstToLastPlay) {
  const engine::QueryResult result = Run("daily_plays");
  ASSERT_EQ(result.columns.size(), 2u);
  EXPECT_EQ(result.columns[0].kind, engine::ValueKind::kDate);
  const Rows rows = AsRows(result);
  ASSERT_EQ(rows.size(), 28u);  // 2018-11-04 .. 2018-12-01
  EXPECT_EQ(rows.front(), (std::vector<std::string>{"2018-11-04", "2"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2018-11-05", "3"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2018-11-06", "0"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"2018-11-07", "3"}));
  EXPECT_EQ(rows[26], (std::vector<std::string>{"2018-11-30", "0"}));
  EXPECT_EQ(rows.back(), (std::vector<std::string>{"2018-12-01", "3"}));
}

TEST_P(NamedQueryTest, PlaysByMonthLabelsYearAndMonth) {
  EXPECT_EQ(RowsOf("plays_by_month"), (Rows{{"2018-11", "8"}, {"2018-12", "3"}}));
}

// Level at the time of the play: free 1, 2, 5, 6, 10, 11; paid 3, 4, 7, 8, 9.
TEST_P(NamedQueryTest, FreeVsPaidCountsPlaysByLevelAtPlayTime) {
  EXPECT_EQ(RowsOf("free_vs_paid"), (Rows{{"free", "6"}, {"paid", "5"}}));
}

TEST_P(NamedQueryTest, UsersByLevelCountsUsersByCurrentLevel) {
  EXPECT_EQ(RowsOf("users_by_level"), (Rows{{"free", "2"}, {"paid", "2"}}));
}

// Ada plays 1-4; Bob 5, 6, 11; Chloé 7, 8, 9; play 10 has no user.
TEST_P(NamedQueryTest, MostActiveUsersHaveNamesAndTiesByUserId) {
  EXPECT_EQ(RowsOf("most_active_users"), (Rows{{"1", "Ada", "Lovelace", "paid", "4"},
                                               {"2", "Bob", "Builder", "free", "3"},
                                               {"3", "Chloé", "Zhao", "paid", "3"}}));
}

TEST_P(NamedQueryTest, MostActiveUsersHonoursTheLimit) {
  EXPECT_EQ(RowsOf("most_active_users", 1), (Rows{{"1", "Ada", "Lovelace", "paid", "4"}}));
  EXPECT_EQ(RowsOf("most_active_users", 0).size(), 3u) << "0 means all rows";
}

// Play 9 has no location and is left out.
TEST_P(NamedQueryTest, TopLocationsLeavesOutUnknownLocations) {
  EXPECT_EQ(RowsOf("top_locations"),
            (Rows{{"San Jose (CA)", "4"}, {"Tampa, FL", "4"}, {"Reykjavík, IS", "2"}}));
}

// iPhone and iPad agents say "like Mac OS X", the Android agent says "Linux"; play 10 has no
// agent and play 11 is curl: both "other", by user 2 only (play 10 has no user).
TEST_P(NamedQueryTest, PlatformsClassifyUserAgentsAndListEveryPlatform) {
  EXPECT_EQ(RowsOf("platforms"), (Rows{{"Windows", "4", "1"},
                                       {"other", "2", "1"},
                                       {"Mac", "1", "1"},
                                       {"Linux", "1", "1"},
                                       {"iPhone", "1", "1"},
                                       {"iPad", "1", "1"},
                                       {"Android", "1", "1"}}));
}

// Ada (F) free 1, 2 and paid 3, 4; Bob (M) free 5, 6, 11; Chloé (F) paid 7, 8, 9.
TEST_P(NamedQueryTest, ActivityByGenderAndLevelCountsPlaysAndUsers) {
  EXPECT_EQ(RowsOf("activity_by_gender_level"),
            (Rows{{"F", "free", "2", "1"}, {"F", "paid", "5", "2"}, {"M", "free", "3", "1"}}));
}

// Ada plays free twice, then paid from play 3; Chloé was always paid; Bob never paid.
TEST_P(NamedQueryTest, FreeToPaidUpgradesFindsTheFirstPaidPlayAfterAFreeOne) {
  const engine::QueryResult result = Run("free_to_paid_upgrades");
  EXPECT_EQ(AsRows(result),
            (Rows{{"1", "Ada", "Lovelace", "2018-11-05 21:00:00.000", "2", "paid"}}));
  ASSERT_EQ(result.columns.size(), 6u);
  EXPECT_EQ(result.columns[3].kind, engine::ValueKind::kTimestamp);
}

// Sessions (user, session): (1,10) 2 songs, (1,11) 2, (2,20) 1, (2,21) 1, (3,30) 2, (3,31) 1,
// (-,40) 1, (2,41) 1: 8 sessions, 11 songs.
TEST_P(NamedQueryTest, SessionLengthBucketsSessionsWithZeros) {
  EXPECT_EQ(RowsOf("session_length"), (Rows{{"1", "5"},
                                            {"2-4", "3"},
                                            {"5-9", "0"},
                                            {"10-19", "0"},
                                            {"20-49", "0"},
                                            {"50-99", "0"},
                                            {"100+", "0"}}));
}

TEST_P(NamedQueryTest, SessionLengthStatsGiveCountAverageMedianAndMax) {
  const engine::QueryResult result = Run("session_length_stats");
  EXPECT_EQ(AsRows(result), (Rows{{"8", "1.375", "1", "2"}}));
  ASSERT_EQ(result.columns.size(), 4u);
  EXPECT_EQ(result.columns[1].kind, engine::ValueKind::kFloat);
}

// 7 of 11 plays have a song_id.
TEST_P(NamedQueryTest, MatchRateSplitsPlaysIntoMatchedAndUnmatched) {
  EXPECT_EQ(RowsOf("match_rate"), (Rows{{"matched", "7", "0.6363636363636364"},
                                        {"unmatched", "4", "0.36363636363636365"}}));
}

TEST_P(NamedQueryTest, TableRowCountsCountsEveryTableInPipelineOrder) {
  EXPECT_EQ(RowsOf("table_row_counts"), (Rows{{"staging_events", "13"},
                                              {"staging_songs", "4"},
                                              {"fact_songplay", "11"},
                                              {"dim_user", "4"},
                                              {"dim_song", "4"},
                                              {"dim_artist", "3"},
                                              {"dim_time", "9"},
                                              {"load_errors", "3"}}));
}

TEST_P(NamedQueryTest, EveryQueryHasTheColumnsItsChartDraws) {
  for (const NamedQuery& q : NamedQueries()) {
    const engine::QueryResult result = Run(q.name);
    std::set<std::string> columns;
    for (const auto& c : result.columns) columns.insert(c.name);
    if (q.chart == ChartType::kFigures) {
      for (const auto& c : result.columns) {
        EXPECT_TRUE(c.kind == engine::ValueKind::kInteger || c.kind == engine::ValueKind::kFloat)
            << q.name << "." << c.name << " is drawn as a figure, so it must be a number";
      }
      continue;
    }
    EXPECT_TRUE(columns.count(std::string(q.value))) << q.name << " has no column " << q.value;
    for (size_t open = q.label.find('{'); open != std::string_view::npos;
         open = q.label.find('{', open + 1)) {
      const std::string_view column = q.label.substr(open + 1, q.label.find('}', open) - open - 1);
      EXPECT_TRUE(columns.count(std::string(column))) << q.name << " has no column " << column;
    }
  }
}

TEST_P(NamedQueryTest, EveryQueryIsDeterministic) {
  for (const NamedQuery& q : NamedQueries()) {
    EXPECT_EQ(RowsOf(q.name), RowsOf(q.name)) << q.name;
  }
}

// The fixture's star must be what the transform builds from the fixture's staging tables,
// or the hand-worked answers above would describe an impossible warehouse.
TEST_P(NamedQueryTest, FixtureStarIsWhatTheTransformBuildsFromItsStaging) {
  const std::vector<std::pair<std::string, std::string>> tables{{"fact_songplay", "songplay_id"},
                                                                {"dim_user", "user_id"},
                                                                {"dim_song", "song_id"},
                                                                {"dim_artist", "artist_id"},
                                                                {"dim_time", "start_time"}};
  auto snapshot = [&] {
    std::vector<Rows> all;
    for (const auto& [table, key] : tables) {
      auto r = engine_->Query("select * from " + table + " order by " + key);
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
      all.push_back(r.ok() ? AsRows(*r) : Rows{});
    }
    return all;
  };
  const std::vector<Rows> by_hand = snapshot();
  for (const auto& [table, key] : tables) {
    ASSERT_TRUE(engine_->Execute("delete from " + table).ok()) << table;
  }
  for (Stmt stmt : TransformStatements()) {
    Status s = engine_->Execute(Render(stmt, engine_->dialect()));
    ASSERT_TRUE(s.ok()) << StmtName(stmt) << ": " << s.error().ToString();
  }
  EXPECT_EQ(snapshot(), by_hand);
}

INSTANTIATE_TEST_SUITE_P(Engines, NamedQueryTest, ::testing::ValuesIn(testing::TestEngines()),
                         testing::EngineName());

// --- the catalog itself ------------------------------------------------------------------------

TEST(NamedQueryCatalogTest, HasTheAnalystsQuestions) {
  for (const char* name :
       {"top_songs", "top_artists", "plays_by_hour", "plays_by_weekday", "daily_plays",
        "plays_by_month", "free_vs_paid", "users_by_level", "most_active_users", "top_locations",
        "platforms", "activity_by_gender_level", "free_to_paid_upgrades", "session_length",
        "session_length_stats", "match_rate", "table_row_counts"}) {
    EXPECT_NE(FindNamedQuery(name), nullptr) << name;
  }
  EXPECT_EQ(FindNamedQuery("no_such_query"), nullptr);
}

TEST(NamedQueryCatalogTest, NamesAreUniqueAndEveryEntryIsComplete) {
  std::set<std::string_view> names;
  for (const NamedQuery& q : NamedQueries()) {
    EXPECT_TRUE(names.insert(q.name).second) << "duplicate " << q.name;
    EXPECT_FALSE(q.title.empty()) << q.name;
    EXPECT_TRUE(!q.question.empty() && q.question.back() == '?') << q.name;
    for (Dialect d : {Dialect::kDuckDb, Dialect::kPostgres, Dialect::kRedshift}) {
      const std::string sql = RenderNamedQuery(q, d);
      EXPECT_EQ(sql.find("{{"), std::string::npos) << q.name << " in " << DialectName(d);
      EXPECT_NE(sql.find("limit "), std::string::npos) << q.name;
    }
  }
}

TEST(NamedQueryCatalogTest, EveryTextHasExactlyOneLimit) {
  for (const NamedQuery& q : NamedQueries()) {
    for (std::string_view text : {q.default_sql, q.postgres_sql, q.redshift_sql}) {
      if (text.empty()) continue;
      const size_t first = text.find("{{limit}}");
      EXPECT_NE(first, std::string_view::npos) << q.name;
      EXPECT_EQ(text.find("{{limit}}", first + 1), std::string_view::npos) << q.name;
    }
  }
}

TEST(NamedQueryCatalogTest, RedshiftTextsAvoidValuesListsAndGenerateSeries) {
  for (const NamedQuery& q : NamedQueries()) {
    const std::string sql = RenderNamedQuery(q, Dialect::kRedshift);
    EXPECT_EQ(sql.find("generate_series"), std::string::npos) << q.name;
    EXPECT_EQ(sql.find("values ("), std::string::npos) << q.name;
  }
}

TEST(NamedQueryCatalogTest, LimitReplacesTheDefaultAndZeroMeansAllRows) {
  const NamedQuery* q = FindNamedQuery("top_songs");
  ASSERT_NE(q, nullptr);
  EXPECT_NE(RenderNamedQuery(*q, Dialect::kDuckDb).find("limit 10"), std::string::npos);
  EXPECT_NE(RenderNamedQuery(*q, Dialect::kDuckDb, 3).find("limit 3\n"), std::string::npos);
  EXPECT_NE(RenderNamedQuery(*q, Dialect::kDuckDb, 0).find("limit 9223372036854775807"),
            std::string::npos);
}

TEST(NamedQueryCatalogTest, RowCountsListTheTablesOfTheCatalogInOrder) {
  const std::string sql = RenderNamedQuery(*FindNamedQuery("table_row_counts"), Dialect::kDuckDb);
  size_t last = 0;
  for (std::string_view table : AllTables()) {
    const size_t at = sql.find("'" + std::string(table) + "'");
    ASSERT_NE(at, std::string::npos) << table;
    EXPECT_GT(at, last) << table << " is out of order";
    last = at;
  }
}

}  // namespace
}  // namespace sparkify::sql
