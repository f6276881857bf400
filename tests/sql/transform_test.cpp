// The star schema's semantics (SPEC section 2) on tiny hand-made staging tables whose expected
// star is worked out by hand in each test.
#include <gtest/gtest.h>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/pipeline/create_tables.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify {
namespace {

using Rows = std::vector<std::vector<engine::ResultValue>>;

class TransformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = engine::OpenDuckDb({":memory:", 1});
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    engine_ = std::move(opened).value();
    ASSERT_TRUE(pipeline::CreateTables(*engine_).ok());
  }

  // ts, user_id, first_name, level, page, song, artist, length, session_id, item_in_session
  void Event(int64_t ts, const std::string& user, const std::string& first,
             const std::string& level, const std::string& page, const std::string& song = "",
             const std::string& artist = "", const std::string& length = "null",
             int64_t session = 1, int64_t item = 0) {
    auto q = [](const std::string& s) { return s.empty() ? std::string("null") : "'" + s + "'"; };
    Exec(
        "insert into staging_events (ts, user_id, first_name, last_name, gender, level, page, "
        "song, "
        "artist, length, session_id, item_in_session, location, user_agent, event_seq) values (" +
        std::to_string(ts) + ", '" + user + "', " + q(first) + ", 'L', 'F', " + q(level) + ", " +
        q(page) + ", " + q(song) + ", " + q(artist) + ", " + length + ", " +
        std::to_string(session) + ", " + std::to_string(item) + ", 'Here', 'Agent', " +
        std::to_string(++event_seq_) + ")");
  }
  void Song(const std::string& song_id, const std::string& artist_id, const std::string& title,
            const std::string& artist_name, const std::string& duration,
            const std::string& location = "", const std::string& lat = "null") {
    Exec(
        "insert into staging_songs (num_songs, artist_id, artist_latitude, artist_longitude, "
        "artist_location, artist_name, song_id, title, duration, year) values (1, '" +
        artist_id + "', " + lat + ", null, '" + location + "', '" + artist_name + "', '" + song_id +
        "', '" + title + "', " + duration + ", 2000)");
  }
  void Exec(const std::string& sql) {
    Status s = engine_->Execute(sql);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }
  void Transform() {
    for (sql::Stmt stmt : sql::TransformStatements()) {
      Status s = engine_->Execute(sql::Render(stmt, engine_->dialect()));
      ASSERT_TRUE(s.ok()) << sql::StmtName(stmt) << ": " << s.error().ToString();
    }
  }
  Rows Query(const std::string& sql) {
    auto r = engine_->Query(sql);
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return r.ok() ? r->rows : Rows{};
  }

  std::unique_ptr<engine::Engine> engine_;
  int64_t event_seq_ = 0;  // events get their load order in the order a test adds them
};

TEST_F(TransformTest, EveryNextSongEventIsOnePlayWithMillisecondUtcTime) {
  Event(1541106106796, "8", "Kaylee", "free", "NextSong", "A", "X", "1.5");
  Event(1541106106796, "8", "Kaylee", "free", "NextSong", "A", "X", "1.5", 1, 1);
  Event(1541106200000, "8", "Kaylee", "free", "Home");
  Transform();
  Rows plays =
      Query("select songplay_id, start_time, user_id, song_id from fact_songplay order by 1");
  ASSERT_EQ(plays.size(), 2u);
  EXPECT_EQ(plays[0][0], "1");
  EXPECT_EQ(plays[0][1], "2018-11-01 21:01:46.796");
  EXPECT_EQ(plays[0][2], "8");
  EXPECT_EQ(plays[0][3], std::nullopt);
  EXPECT_EQ(plays[1][0], "2");
  // Two plays at the same instant share one dim_time row.
  EXPECT_EQ(Query("select count(*) from dim_time")[0][0], "1");
}

TEST_F(TransformTest, MatchesSongOnTitleArtistAndDurationExactly) {
  Song("SO1", "AR1", "Ten Tonne", "Chase & Status", "337.68444");
  Event(1000, "1", "A", "free", "NextSong", "Ten Tonne", "Chase & Status", "337.68444");
  Event(2000, "1", "A", "free", "NextSong", "Ten Tonne", "Chase & Status", "337.68445");
  Event(3000, "1", "A", "free", "NextSong", "Ten Tonne", "Chase and Status", "337.68444");
  Transform();
  Rows plays = Query("select song_id, artist_id from fact_songplay order by songplay_id");
  ASSERT_EQ(plays.size(), 3u);
  EXPECT_EQ(plays[0][0], "SO1");
  EXPECT_EQ(plays[0][1], "AR1");
  EXPECT_EQ(plays[1][0], std::nullopt);
  EXPECT_EQ(plays[2][0], std::nullopt);
}

TEST_F(TransformTest, SeveralMatchingSongsNeverDuplicateAPlay) {
  Song("SO2", "AR1", "Same", "Artist", "100.0");
  Song("SO1", "AR1", "Same", "Artist", "100.0");
  Event(1000, "1", "A", "free", "NextSong", "Same", "Artist", "100.0");
  Transform();
  Rows plays = Query("select song_id from fact_songplay");
  ASSERT_EQ(plays.size(), 1u);
  EXPECT_EQ(plays[0][0], "SO1");  // the smallest song_id wins
}

TEST_F(TransformTest, UserAttributesComeFromTheLatestEventOfAnyPage) {
  Event(1000, "7", "Old", "free", "NextSong", "s", "a", "1.0");
  Event(3000, "7", "New", "paid", "Home");
  Event(2000, "7", "Mid", "free", "NextSong", "s", "a", "1.0");
  Event(1500, "", "", "free", "Home");  // logged out: no user
  Transform();
  Rows users = Query("select user_id, first_name, level from dim_user");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0][1], "New");
  EXPECT_EQ(users[0][2], "paid");
  // The play keeps the level the user had when playing.
  EXPECT_EQ(Query("select level from fact_songplay order by songplay_id")[1][0], "free");
}

TEST_F(TransformTest, ArtistConflictsResolveToTheSmallestSongId) {
  Song("SO9", "AR1", "T9", "Name From SO9", "1.0", "Nowhere", "10.5");
  Song("SO3", "AR1", "T3", "Name From SO3", "2.0", "", "null");
  Transform();
  Rows artists = Query("select artist_id, name, location, latitude from dim_artist");
  ASSERT_EQ(artists.size(), 1u);
  EXPECT_EQ(artists[0][1], "Name From SO3");
  EXPECT_EQ(artists[0][2], "");
  EXPECT_EQ(artists[0][3], std::nullopt);
  EXPECT_EQ(Query("select count(*) from dim_song")[0][0], "2");
}

TEST_F(TransformTest, DuplicateSongFilesGiveOneSong) {
  Song("SO1", "AR1", "T", "N", "1.0");
  Song("SO1", "AR1", "T", "N", "1.0");
  Transform();
  EXPECT_EQ(Query("select count(*) from dim_song")[0][0], "1");
}

TEST_F(TransformTest, TimeUsesIsoWeekAndSundayZero) {
  // 2018-12-30 23:59:59.999 UTC is a Sunday in ISO week 52 of 2018;
  // 2018-12-31 00:00:00 UTC is a Monday in ISO week 1 of 2019 (calendar year 2018).
  Event(1546214399999, "1", "A", "free", "NextSong", "s", "a", "1.0");
  Event(1546214400000, "1", "A", "free", "NextSong", "s", "a", "1.0");
  Transform();
  Rows t =
      Query("select start_time, hour, day, week, month, year, weekday from dim_time order by 1");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0], (std::vector<engine::ResultValue>{"2018-12-30 23:59:59.999", "23", "30", "52",
                                                    "12", "2018", "0"}));
  EXPECT_EQ(t[1], (std::vector<engine::ResultValue>{"2018-12-31 00:00:00.000", "0", "31", "1", "12",
                                                    "2018", "1"}));
}

TEST_F(TransformTest, SongplaysAreNumberedInLoadOrder) {
  Event(2000, "1", "A", "free", "NextSong", "b", "a", "1.0", 5, 0);
  Event(1000, "1", "A", "free", "Home", "", "", "null", 9, 3);
  Event(1000, "1", "A", "free", "NextSong", "a", "a", "1.0", 9, 3);
  Event(3000, "1", "A", "free", "NextSong", "c", "a", "1.0", 4, 7);
  Transform();
  Rows ids = Query("select songplay_id, session_id from fact_songplay order by songplay_id");
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0][1], "5");
  EXPECT_EQ(ids[1][1], "9");
  EXPECT_EQ(ids[2][1], "4");
}

TEST(CatalogTest, StagingDdlMatchesParserSchemas) {
  auto opened = engine::OpenDuckDb({":memory:", 1});
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(pipeline::CreateTables(**opened).ok());
  for (const TableSchema* schema : {&parse::StagingEventsSchema(), &parse::StagingSongsSchema()}) {
    auto r = (*opened)->Query(
        "select column_name, data_type from information_schema.columns where "
        "table_name = '" +
        schema->name + "' order by ordinal_position");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->rows.size(), schema->columns.size()) << schema->name;
    for (size_t i = 0; i < schema->columns.size(); ++i) {
      EXPECT_EQ(r->rows[i][0], schema->columns[i].name) << schema->name;
      const char* want = schema->columns[i].type == ColumnType::kBigInt   ? "BIGINT"
                         : schema->columns[i].type == ColumnType::kDouble ? "DOUBLE"
                                                                          : "VARCHAR";
      EXPECT_EQ(r->rows[i][1], want) << schema->name << "." << schema->columns[i].name;
    }
  }
}

TEST(CatalogTest, EveryStatementRendersInEveryDialectWithoutMacrosLeft) {
  for (sql::Dialect d : {sql::Dialect::kDuckDb, sql::Dialect::kPostgres, sql::Dialect::kRedshift}) {
    for (auto list : {sql::CreateTablesStatements(), sql::TransformStatements()}) {
      for (sql::Stmt s : list) {
        std::string text = sql::Render(s, d);
        EXPECT_EQ(text.find("{{"), std::string::npos) << sql::StmtName(s);
        EXPECT_FALSE(text.empty());
      }
    }
  }
}

}  // namespace
}  // namespace sparkify
