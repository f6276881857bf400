// Data-quality checks on the public sample, loaded by the real pipeline, then corrupted on
// purpose one way per test. Keys are declared and (on DuckDB and PostgreSQL) enforced, so the
// corrupting tests first rebuild the star tables without constraints, as a warehouse whose
// keys are informational (Redshift) would be.
#include "sparkify/analytics/check.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sparkify/pipeline/etl.hpp"
#include "testing/engines.hpp"
#include "testing/test_util.hpp"

namespace sparkify::analytics {
namespace {

const CheckOutcome* Find(const CheckReport& report, const std::string& name) {
  for (const CheckOutcome& o : report.outcomes) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

class CheckTest : public ::testing::TestWithParam<testing::EngineFactory> {
 protected:
  void SetUp() override {
    auto opened = GetParam().open();
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    engine_ = std::move(opened).value();
    Status loaded = testing::LoadSample(*engine_);
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  }

  void Sql(const std::string& statement) {
    Status s = engine_->Execute(statement);
    ASSERT_TRUE(s.ok()) << statement << ": " << s.error().ToString();
  }

  // Rebuilds the star tables as copies without primary or foreign keys.
  void DropKeys() {
    for (const char* t : {"fact_songplay", "dim_time", "dim_user", "dim_song", "dim_artist"}) {
      Sql(std::string("create table ") + t + "_loose as select * from " + t);
    }
    for (const char* t : {"fact_songplay", "dim_time", "dim_user", "dim_song", "dim_artist"}) {
      Sql(std::string("drop table ") + t);
    }
    for (const char* t : {"fact_songplay", "dim_time", "dim_user", "dim_song", "dim_artist"}) {
      Sql(std::string("alter table ") + t + "_loose rename to " + t);
    }
  }

  CheckReport Run(const CheckOptions& options = {}) {
    auto report = RunChecks(*engine_, options);
    EXPECT_TRUE(report.ok()) << report.error().ToString();
    return report.ok() ? std::move(report).value() : CheckReport{};
  }

  // Every check but the named ones (and the match rate, which warns on the sample) passes.
  void ExpectOnlyFailing(const CheckReport& report, const std::set<std::string>& failing) {
    for (const CheckOutcome& o : report.outcomes) {
      if (o.name == "match_rate") continue;
      const CheckStatus want = failing.count(o.name) ? CheckStatus::kFail : CheckStatus::kPass;
      EXPECT_EQ(o.status, want) << o.name << ": " << o.detail;
    }
  }

  std::unique_ptr<engine::Engine> engine_;
};

TEST_P(CheckTest, CleanLoadPassesEveryRuleAndWarnsAboutTheLowMatchRate) {
  const CheckReport report = Run();
  EXPECT_EQ(report.outcomes.size(), 27u);
  ExpectOnlyFailing(report, {});
  const CheckOutcome* rate = Find(report, "match_rate");
  ASSERT_NE(rate, nullptr);
  EXPECT_EQ(rate->status, CheckStatus::kWarn);
  EXPECT_EQ(rate->detail, "match rate 0.015% (1 of 6,820 plays) is below the floor 1.0%");
  EXPECT_EQ(report.Count(CheckStatus::kPass), 26);
  const CheckOutcome* plays = Find(report, "unique_play.fact_songplay");
  ASSERT_NE(plays, nullptr);
  EXPECT_EQ(plays->failing_rows, 0);
}

// The default direct transform builds the star without filling the staging tables.
TEST_P(CheckTest, SkipsTheStagingRulesWhenTheLoadKeptNoStaging) {
  Status loaded = testing::LoadSample(*engine_, /*keep_staging=*/false);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const CheckReport report = Run();
  for (const char* name :
       {"not_empty.staging_events", "not_empty.staging_songs", "fact_rows_match_staging"}) {
    ASSERT_NE(Find(report, name), nullptr) << name;
    EXPECT_EQ(Find(report, name)->status, CheckStatus::kSkip) << name;
  }
  EXPECT_EQ(report.Count(CheckStatus::kSkip), 3);
  EXPECT_EQ(report.Count(CheckStatus::kPass), 23);
  EXPECT_EQ(report.Count(CheckStatus::kFail), 0);
}

TEST_P(CheckTest, MatchRateAboveTheFloorPasses) {
  CheckOptions options;
  options.min_match_rate = 0.0001;
  const CheckReport report = Run(options);
  const CheckOutcome* rate = Find(report, "match_rate");
  ASSERT_NE(rate, nullptr);
  EXPECT_EQ(rate->status, CheckStatus::kPass) << rate->detail;
  EXPECT_EQ(rate->detail, "match rate 0.015% (1 of 6,820 plays)");
}

TEST_P(CheckTest, MatchRateBelowTheFloorFailsWhenItIsAnError) {
  CheckOptions options;
  options.match_rate_is_error = true;
  const CheckReport report = Run(options);
  ASSERT_NE(Find(report, "match_rate"), nullptr);
  EXPECT_EQ(Find(report, "match_rate")->status, CheckStatus::kFail);
}

TEST_P(CheckTest, DuplicatePrimaryKeyFailsUnique) {
  DropKeys();
  Sql("insert into dim_user select * from dim_user where user_id = '10'");
  const CheckReport report = Run();
  ExpectOnlyFailing(report, {"unique.dim_user.user_id"});
  const CheckOutcome* unique = Find(report, "unique.dim_user.user_id");
  EXPECT_EQ(unique->failing_rows, 1);
  EXPECT_EQ(unique->detail, "1 failing row: (user_id='10', copies=2)");
}

TEST_P(CheckTest, NullPrimaryKeyFailsNotNull) {
  DropKeys();
  Sql("insert into dim_song (song_id, title) values (null, 'Untitled')");
  const CheckReport report = Run();
  ExpectOnlyFailing(report, {"not_null.dim_song.song_id"});
  EXPECT_NE(Find(report, "not_null.dim_song.song_id")->detail.find("title='Untitled'"),
            std::string::npos);
}

TEST_P(CheckTest, DanglingUserFailsTheRelationship) {
  DropKeys();
  Sql("update fact_songplay set user_id = 'ghost' where songplay_id = 1");
  const CheckReport report = Run();
  ExpectOnlyFailing(report, {"relationship.fact_songplay.user_id"});
  EXPECT_EQ(Find(report, "relationship.fact_songplay.user_id")->detail,
            "1 failing row: (songplay_id=1, user_id='ghost')");
}

TEST_P(CheckTest, DanglingSongAndArtistFailTheirRelationships) {
  DropKeys();
  Sql("update fact_songplay set song_id = 'SOGHOST', artist_id = 'ARGHOST' "
      "where songplay_id in (1, 2, 3, 4)");
  const CheckReport report = Run();
  ExpectOnlyFailing(report,
                    {"relationship.fact_songplay.song_id", "relationship.fact_songplay.artist_id"});
  const CheckOutcome* song = Find(report, "relationship.fact_songplay.song_id");
  EXPECT_EQ(song->failing_rows, 4);
  EXPECT_EQ(song->detail,
            "4 failing rows, e.g. (songplay_id=1, song_id='SOGHOST'); (songplay_id=2, "
            "song_id='SOGHOST'); (songplay_id=3, song_id='SOGHOST')");
}

TEST_P(CheckTest, MissingTimeRowFailsTheRelationshipAndTheTimeCount) {
  DropKeys();
  Sql("delete from dim_time where start_time = (select min(start_time) from dim_time)");
  const CheckReport report = Run();
  ExpectOnlyFailing(report, {"relationship.fact_songplay.start_time", "dim_time_matches_fact"});
  EXPECT_EQ(Find(report, "dim_time_matches_fact")->detail,
            "1 failing row: (dim_time_rows=6812, fact_start_times=6813)");
}

TEST_P(CheckTest, EmptyTableFailsNotEmpty) {
  DropKeys();
  Sql("delete from dim_artist");
  const CheckReport report = Run();
  ExpectOnlyFailing(report, {"not_empty.dim_artist", "relationship.fact_songplay.artist_id",
                             "relationship.dim_song.artist_id"});
  EXPECT_EQ(Find(report, "not_empty.dim_artist")->detail,
            "1 failing row: (problem='dim_artist has no rows')");
  EXPECT_EQ(Find(report, "relationship.dim_song.artist_id")->failing_rows, 71);
}

TEST_P(CheckTest, FactRowsMustMatchNextSongEvents) {
  Sql("insert into staging_events (page, ts, user_id, event_seq) "
      "values ('NextSong', 1541105830796, '10', 9223372036854775807)");
  const CheckReport report = Run();
  ExpectOnlyFailing(report, {"fact_rows_match_staging"});
  EXPECT_EQ(Find(report, "fact_rows_match_staging")->detail,
            "1 failing row: (fact_rows=6820, next_song_events=6821)");
}

// Play 1 of the sample: the first NextSong event of 2018-11-01-events.json.
constexpr const char* kPlayOneDuplicated =
    "1 failing row: (session_id=139, user_id='8', start_time='2018-11-01 21:01:46.796', "
    "plays=2, first_songplay_id=1, last_songplay_id=6821)";

TEST_P(CheckTest, PlayCopiedUnderANewIdFailsUniquePlay) {
  Sql("insert into fact_songplay (songplay_id, start_time, user_id, level, song_id, artist_id, "
      "session_id, location, user_agent) "
      "select 6821, start_time, user_id, level, song_id, artist_id, session_id, location, "
      "user_agent from fact_songplay where songplay_id = 1");
  const CheckReport report = Run();
  // The fact no longer matches staging either; unique_play names the play.
  ExpectOnlyFailing(report, {"unique_play.fact_songplay", "fact_rows_match_staging"});
  const CheckOutcome* plays = Find(report, "unique_play.fact_songplay");
  ASSERT_NE(plays, nullptr);
  EXPECT_EQ(plays->failing_rows, 1);
  EXPECT_EQ(plays->detail, kPlayOneDuplicated);
}

// A file the load manifest lists twice. DuckDB does not enforce the manifest's key (it is
// declared elsewhere, so there the table is rebuilt without it first): check does.
TEST_P(CheckTest, FileListedTwiceInTheManifestFailsUniqueFile) {
  if (engine_->dialect() != sql::Dialect::kDuckDb) {
    Sql("create table load_manifest_loose as select * from load_manifest");
    Sql("drop table load_manifest");
    Sql("alter table load_manifest_loose rename to load_manifest");
  }
  Sql("insert into load_manifest select * from load_manifest where file = (select min(file) "
      "from load_manifest where kind = 'songs')");
  const CheckReport report = Run();
  ExpectOnlyFailing(report, {"unique_file.load_manifest"});
  const CheckOutcome* files = Find(report, "unique_file.load_manifest");
  ASSERT_NE(files, nullptr);
  EXPECT_EQ(files->failing_rows, 1);
  EXPECT_NE(files->detail.find("kind='songs'"), std::string::npos) << files->detail;
  EXPECT_NE(files->detail.find("copies=2"), std::string::npos) << files->detail;
}

// An event repeated in the raw logs (here a stray file holding a line copied from another) is
// staged twice and becomes two plays: the staging counts agree with the fact, so only
// unique_play sees it.
TEST_P(CheckTest, EventRepeatedInTheRawLogsFailsOnlyUniquePlay) {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  const std::string events = dir.path() + "/log_data";
  fs::copy(testing::SampleDataDir() + "/log_data", events, fs::copy_options::recursive);
  const std::string first_day = testing::ReadFile(events + "/2018/11/2018-11-01-events.json");
  const size_t next_song = first_day.find("\"page\":\"NextSong\"");
  ASSERT_NE(next_song, std::string::npos);
  const size_t begin = first_day.rfind('\n', next_song) + 1;  // npos + 1 = 0: the first line
  const size_t end = first_day.find('\n', next_song);
  testing::WriteFile(events + "/2018/11/zz-replayed.json", first_day.substr(begin, end - begin));

  pipeline::EtlOptions options;
  options.songs = testing::SampleDataDir() + "/song_data";
  options.events = events;
  options.keep_staging = true;
  options.full_refresh = true;
  auto loaded = pipeline::RunEtl(*engine_, options);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();

  const CheckReport report = Run();
  ExpectOnlyFailing(report, {"unique_play.fact_songplay"});
  const CheckOutcome* plays = Find(report, "unique_play.fact_songplay");
  ASSERT_NE(plays, nullptr);
  EXPECT_EQ(plays->failing_rows, 1);
  EXPECT_EQ(plays->detail, kPlayOneDuplicated);
}

// Plays without a user are the same play when session and time agree (NULL = NULL here), and
// are not the same play as one with a user.
TEST_P(CheckTest, PlaysWithoutAUserAreComparedLikeValues) {
  for (int id : {6821, 6822}) {
    Sql("insert into fact_songplay (songplay_id, start_time, user_id, level, session_id) "
        "select " +
        std::to_string(id) +
        ", start_time, null, 'free', session_id from fact_songplay where songplay_id = 1");
  }
  const CheckReport report = Run();
  ExpectOnlyFailing(report, {"unique_play.fact_songplay", "fact_rows_match_staging"});
  const CheckOutcome* plays = Find(report, "unique_play.fact_songplay");
  ASSERT_NE(plays, nullptr);
  EXPECT_EQ(plays->failing_rows, 1);
  EXPECT_EQ(plays->detail,
            "1 failing row: (session_id=139, user_id=NULL, start_time='2018-11-01 21:01:46.796', "
            "plays=2, first_songplay_id=6821, last_songplay_id=6822)");
}

TEST_P(CheckTest, SeveralDuplicatedPlaysAreCountedByKeyAndQuotedMostCopiesFirst) {
  Sql("insert into fact_songplay (songplay_id, start_time, user_id, level, session_id) "
      "select songplay_id + 10000, start_time, user_id, level, session_id from fact_songplay "
      "where songplay_id <= 5");
  Sql("insert into fact_songplay (songplay_id, start_time, user_id, level, session_id) "
      "select 20000, start_time, user_id, level, session_id from fact_songplay "
      "where songplay_id = 4");
  const CheckReport report = Run();
  const CheckOutcome* plays = Find(report, "unique_play.fact_songplay");
  ASSERT_NE(plays, nullptr);
  EXPECT_EQ(plays->status, CheckStatus::kFail);
  EXPECT_EQ(plays->failing_rows, 5);  // duplicated keys, not surplus rows (6)
  EXPECT_EQ(plays->detail.rfind("5 failing rows, e.g. (session_id=", 0), 0u) << plays->detail;
  EXPECT_NE(plays->detail.find("plays=3, first_songplay_id=4, last_songplay_id=20000); "),
            std::string::npos)
      << plays->detail;
  EXPECT_NE(plays->detail.find("plays=2, first_songplay_id=1, last_songplay_id=10001); "),
            std::string::npos)
      << plays->detail;
}

TEST_P(CheckTest, RunsUserChecksFromAFolderInNameOrder) {
  testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& sql) {
    std::ofstream(dir.path() + "/" + name) << sql;
  };
  write("b_levels.sql",
        "-- every user is free\nselect user_id, level from dim_user\n"
        "where level <> 'free' order by user_id;\n");
  write("a_no_old_plays.sql",
        "-- no play before 2018\nselect * from fact_songplay\n"
        "where start_time < timestamp '2018-01-01 00:00:00'");
  write("c_broken.sql", "select * from no_such_table");
  write("notes.txt", "not a check");
  CheckOptions options;
  options.checks_dir = dir.path();
  const CheckReport report = Run(options);
  ASSERT_EQ(report.outcomes.size(), 30u);
  const CheckOutcome& a = report.outcomes[27];
  const CheckOutcome& b = report.outcomes[28];
  const CheckOutcome& c = report.outcomes[29];
  EXPECT_EQ(a.name, "custom.a_no_old_plays");
  EXPECT_EQ(a.description, "no play before 2018");
  EXPECT_EQ(a.status, CheckStatus::kPass) << a.detail;
  EXPECT_EQ(b.name, "custom.b_levels");
  EXPECT_EQ(b.status, CheckStatus::kFail);
  EXPECT_EQ(b.failing_rows, 22);
  EXPECT_EQ(b.detail.rfind("22 failing rows, e.g. (user_id='", 0), 0u) << b.detail;
  EXPECT_EQ(c.name, "custom.c_broken");
  EXPECT_EQ(c.status, CheckStatus::kError);
  EXPECT_NE(c.detail.find("could not run"), std::string::npos);
  EXPECT_NE(c.detail.find("no_such_table"), std::string::npos) << c.detail;
}

TEST_P(CheckTest, UserCheckThatWritesIsRefusedBeforeAnyCheckRuns) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/evil.sql") << "delete from dim_user";
  CheckOptions options;
  options.checks_dir = dir.path();
  auto report = RunChecks(*engine_, options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(report.error().ToString().find("evil.sql"), std::string::npos);
  auto users = engine_->Query("select count(*) from dim_user");
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->rows[0][0], "97");
}

TEST_P(CheckTest, MissingChecksFolderIsNotFound) {
  CheckOptions options;
  options.checks_dir = "/nonexistent/checks";
  auto report = RunChecks(*engine_, options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code(), ErrorCode::kNotFound);
}

TEST_P(CheckTest, BrokenCheckDoesNotStopTheOthersNorLeaveATransactionOpen) {
  Sql("drop table load_errors");  // not checked by any rule: every built-in check still runs
  Sql("drop table fact_songplay");
  const CheckReport report = Run();
  EXPECT_EQ(Find(report, "unique.dim_user.user_id")->status, CheckStatus::kPass);
  EXPECT_EQ(Find(report, "not_empty.fact_songplay")->status, CheckStatus::kError);
  EXPECT_GT(report.Count(CheckStatus::kError), 5);
  Sql("create table after_checks (x integer)");
}

INSTANTIATE_TEST_SUITE_P(Engines, CheckTest, ::testing::ValuesIn(testing::TestEngines()),
                         testing::EngineName());

// --- output --------------------------------------------------------------------------------------

CheckReport SmallReport() {
  CheckReport report;
  report.outcomes.push_back(
      {"unique.dim_user.user_id", "dim_user.user_id is unique", CheckStatus::kPass, 0, ""});
  report.outcomes.push_back({"match_rate", "at least 1.0% of plays match a known song",
                             CheckStatus::kWarn, std::nullopt, "match rate 0.5% (1 of 200 plays)"});
  report.outcomes.push_back(
      {"custom.x", "returns no rows", CheckStatus::kFail, 2, "2 failing rows: (a='1'); (a='2')"});
  return report;
}

TEST(WriteCheckLinesTest, PrintsOneAlignedLinePerCheckAndASummary) {
  std::ostringstream out;
  WriteCheckLines(out, SmallReport(), /*color=*/false);
  EXPECT_EQ(out.str(),
            "PASS  unique.dim_user.user_id  dim_user.user_id is unique\n"
            "WARN  match_rate               at least 1.0% of plays match a known song: match rate "
            "0.5% (1 of 200 plays)\n"
            "FAIL  custom.x                 returns no rows: 2 failing rows: (a='1'); (a='2')\n"
            "checks: 1 passed, 1 warning, 1 failed, 0 errors\n");
}

TEST(CheckReportAsResultTest, GivesOneRowPerCheckWithNullWhereNothingWasCounted) {
  const engine::QueryResult result = CheckReportAsResult(SmallReport());
  ASSERT_EQ(result.columns.size(), 5u);
  EXPECT_EQ(result.columns[2].kind, engine::ValueKind::kInteger);
  ASSERT_EQ(result.rows.size(), 3u);
  EXPECT_EQ(result.rows[0][1], "PASS");
  EXPECT_EQ(result.rows[0][4], std::nullopt);
  EXPECT_EQ(result.rows[1][2], std::nullopt);
  EXPECT_EQ(result.rows[2][2], "2");
}

TEST(ParseMatchRateTest, AcceptsFractionsAndPercentages) {
  EXPECT_DOUBLE_EQ(ParseMatchRate("0.05").value(), 0.05);
  EXPECT_DOUBLE_EQ(ParseMatchRate("5%").value(), 0.05);
  EXPECT_DOUBLE_EQ(ParseMatchRate("0").value(), 0);
  EXPECT_DOUBLE_EQ(ParseMatchRate("100%").value(), 1);
}

TEST(ParseMatchRateTest, RefusesNonNumbersAndValuesOutsideZeroToOne) {
  for (const char* bad : {"", "%", "five", "1.5", "-0.1", "101%", "nan", "0.05 "}) {
    auto r = ParseMatchRate(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace sparkify::analytics
