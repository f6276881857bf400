// sparkify etl over the malformed-input corpus (tests/data/malformed/, README.md there): every
// bad-input class is a load_errors row at its exact file, line and byte offset with a reason of
// its class, and every good record around them loads, on DuckDB and on PostgreSQL, with either
// transform. The 10 MB lines are written at test time, not committed.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "sparkify/parse/load_error.hpp"
#include "testing/pg_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify {
namespace {

namespace fs = std::filesystem;
using testing::RunSparkify;
using testing::TempDir;

constexpr size_t kLongLine = 10u << 20;  // 10 MB

fs::path CorpusDir() { return fs::path(SPARKIFY_SOURCE_DIR) / "tests" / "data" / "malformed"; }

struct ExpectedError {
  std::string file;  // relative to the corpus root
  uint64_t line = 0;
  std::string reason_class;  // a substring of the reason
};

std::vector<ExpectedError> ReadExpectedErrors() {
  std::vector<ExpectedError> out;
  std::istringstream in(testing::ReadFile((CorpusDir() / "expected_load_errors.tsv").string()));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      EXPECT_EQ(line, "file\tline\treason_class");
      header = false;
      continue;
    }
    size_t tab1 = line.find('\t');
    size_t tab2 = line.find('\t', tab1 + 1);
    EXPECT_NE(tab2, std::string::npos) << "bad row in expected_load_errors.tsv: " << line;
    if (tab2 == std::string::npos) continue;
    out.push_back({line.substr(0, tab1), std::stoull(line.substr(tab1 + 1, tab2 - tab1 - 1)),
                   line.substr(tab2 + 1)});
  }
  return out;
}

// One event line as the corpus writes them, with `user_agent` as its userAgent.
std::string Event(int64_t ts, const std::string& user_agent) {
  return R"({"artist":"Des'ree","auth":"Logged In","firstName":"Kaylee","gender":"F",)"
         R"("itemInSession":1,"lastName":"Summers","length":246.30812,"level":"free",)"
         R"("location":"Phoenix-Mesa-Scottsdale, AZ","method":"PUT","page":"NextSong",)"
         R"("registration":1540344794796.0,"sessionId":139,"song":"You Gotta Be","status":200,)"
         R"("ts":)" +
         std::to_string(ts) + R"(,"userAgent":")" + user_agent + R"(","userId":"18"})";
}

constexpr int64_t kLongDay = 1541030400000 + 6 * 86400000LL;  // 2018-11-07

// The 10 MB lines: a good play, a 10 MB good play, a 10 MB play cut short (a string that never
// closes), a good play; and a song file whose title is 10 MB long. Returns their load errors.
std::vector<ExpectedError> WriteLongLines(const fs::path& root) {
  const std::string long_text(kLongLine, 'x');
  std::string log = Event(kLongDay + 1, "short") + "\n" + Event(kLongDay + 2, long_text) + "\n";
  log += R"({"ts":)" + std::to_string(kLongDay + 3) + R"(,"page":"NextSong","userAgent":")" +
         long_text + "\n";
  log += Event(kLongDay + 4, "short") + "\n";
  testing::WriteFile((root / "log_data/2018/11/2018-11-07-long-lines.json").string(), log);
  testing::WriteFile((root / "song_data/accepted/long_title.json").string(),
                     R"({"song_id": "SOAAAAA12A8C13B099", "artist_id": "ARAAAAA1187B9AC001", )"
                     R"("title": ")" +
                         long_text + R"(", "year": 2010})");
  return {{"log_data/2018/11/2018-11-07-long-lines.json", 3, "malformed JSON: unclosed string"}};
}

// Good rows the corpus holds (see generate.py's summary line and README.md), plus the
// generated long lines: 3 plays by user 18 and one song by an artist the corpus already has.
const std::map<std::string, int64_t> kExpectedCounts{
    {"staging_songs", 7 + 1},  // 7 accepted song files + long_title.json
    {"staging_events", 16 + 3}, {"fact_songplay", 13 + 3},  // the NextSong events among them
    {"dim_user", 8 + 1},                                    // users 10..17, and 18
    {"dim_song", 7 + 1},        {"dim_artist", 3},
    {"dim_time", 13 + 3},  // every play has its own ts
};

// Byte offset of the first byte of 1-based `line` in `text`.
uint64_t LineOffset(const std::string& text, uint64_t line) {
  uint64_t offset = 0;
  for (uint64_t l = 1; l < line; ++l) {
    size_t nl = text.find('\n', offset);
    if (nl == std::string::npos) return UINT64_MAX;
    offset = nl + 1;
  }
  return offset;
}

struct LoadErrorRow {
  std::string table, file, reason, excerpt;
  uint64_t line = 0;
  int64_t byte_offset = 0;
};

// (engine, transform)
using Param = std::tuple<std::string, std::string>;

class MalformedCorpusTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    const auto& [engine, transform] = GetParam();
    if (engine == "postgres") {
      auto db = testing::PgTestDatabase::Create();  // fails loudly, with the hint, without one
      ASSERT_TRUE(db.ok()) << db.error().ToString();
      pg_ = std::move(db).value();
      target_ = pg_->conninfo();
    } else {
      target_ = "duckdb:" + dir_ / "malformed.duckdb";
    }
    fs::create_directories(root_);
    fs::copy(CorpusDir() / "song_data", root_ / "song_data", fs::copy_options::recursive);
    fs::copy(CorpusDir() / "log_data", root_ / "log_data", fs::copy_options::recursive);
    expected_ = ReadExpectedErrors();
    ASSERT_FALSE(expected_.empty());
    for (ExpectedError& e : WriteLongLines(root_)) expected_.push_back(std::move(e));
  }

  testing::CommandResult Etl(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"etl",
                                  "--target",
                                  target_,
                                  "--songs",
                                  (root_ / "song_data").string(),
                                  "--events",
                                  (root_ / "log_data").string(),
                                  "--threads",
                                  "2",
                                  "--keep-staging",
                                  "--transform",
                                  std::get<1>(GetParam())};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSparkify(args, {"NO_COLOR=1"});
  }

  // The rows of `sql` as JSON objects (query --format json), parsed.
  std::vector<std::map<std::string, std::string>> Query(const std::string& sql) {
    auto r = RunSparkify({"query", "--target", target_, "--format", "json", "--sql", sql});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::map<std::string, std::string>> rows;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    auto error = parser.parse(r.out).get(doc);
    EXPECT_FALSE(error) << simdjson::error_message(error) << " in " << r.out.substr(0, 500);
    if (error) return rows;
    for (simdjson::dom::object row : doc.get_array()) {
      std::map<std::string, std::string> out;
      for (auto [key, value] : row) {
        if (value.is_string()) {
          out[std::string(key)] = std::string(value.get_string().value());
        } else if (value.is_null()) {
          out[std::string(key)] = "<null>";
        } else {
          out[std::string(key)] = simdjson::minify(value);
        }
      }
      rows.push_back(std::move(out));
    }
    return rows;
  }

  std::string One(const std::string& sql) {
    auto rows = Query(sql);
    EXPECT_EQ(rows.size(), 1u) << sql;
    if (rows.size() != 1 || rows[0].size() != 1) return "<no single value>";
    return rows[0].begin()->second;
  }

  TempDir dir_;
  fs::path root_ = fs::path(dir_.path()) / "corpus";
  std::unique_ptr<testing::PgTestDatabase> pg_;
  std::string target_;
  std::vector<ExpectedError> expected_;
};

TEST_P(MalformedCorpusTest, EveryBadRecordIsALoadErrorAndEveryGoodOneLoads) {
  auto r = Etl();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(std::to_string(expected_.size()) + " bad records rejected"),
            std::string::npos)
      << r.err;

  // load_errors, row for row: file, line, a reason of the expected class, the line's offset.
  auto rows = Query(
      "select table_name, file, line, byte_offset, reason, excerpt from load_errors "
      "order by file, line");
  const std::string prefix = root_.string() + "/";
  std::map<std::pair<std::string, uint64_t>, std::map<std::string, std::string>> got;
  for (auto& row : rows) {
    std::string file = row["file"];
    ASSERT_TRUE(file.starts_with(prefix)) << file;
    file = file.substr(prefix.size());
    auto key = std::make_pair(file, std::stoull(row["line"]));
    EXPECT_TRUE(got.emplace(key, row).second)
        << "two load errors for " << file << ":" << key.second;
  }
  for (const ExpectedError& e : expected_) {
    auto it = got.find({e.file, e.line});
    if (it == got.end()) {
      ADD_FAILURE() << "no load error for " << e.file << ":" << e.line << " (" << e.reason_class
                    << ")";
      continue;
    }
    auto& row = it->second;
    EXPECT_NE(row["reason"].find(e.reason_class), std::string::npos)
        << e.file << ":" << e.line << ": reason \"" << row["reason"] << "\" is not of class \""
        << e.reason_class << "\"";
    EXPECT_EQ(row["table_name"],
              e.file.starts_with("song_data/") ? "staging_songs" : "staging_events");
    const std::string text = testing::ReadFile((root_ / e.file).string());
    EXPECT_EQ(std::stoull(row["byte_offset"]), LineOffset(text, e.line)) << e.file << ":" << e.line;
    // Excerpts are short, valid UTF-8 and NUL-free, even for a 10 MB line.
    EXPECT_LE(row["excerpt"].size(), 123u) << e.file << ":" << e.line;
    EXPECT_EQ(parse::SafeExcerpt(row["excerpt"], 1000), row["excerpt"]) << e.file << ":" << e.line;
    got.erase(it);
  }
  for (const auto& [key, row] : got) {
    ADD_FAILURE() << "unexpected load error " << key.first << ":" << key.second << ": "
                  << row.at("reason");
  }

  // The good records, exactly: nothing dropped, nothing turned into an all-NULL row.
  for (const auto& [table, count] : kExpectedCounts) {
    EXPECT_EQ(One("select count(*) as n from " + table), std::to_string(count)) << table;
  }
  EXPECT_EQ(One("select count(*) as n from staging_events where ts is null or page is null"), "0");
  EXPECT_EQ(One("select count(*) as n from staging_songs where song_id is null or artist_id is "
                "null"),
            "0");

  // Accepted classes load their values as written: documented conversions, BOM, CRLF,
  // escapes, extra fields, and the 10 MB values.
  auto converted =
      Query("select session_id, length, user_id, status from staging_events where ts = " +
            std::to_string(1541030400000 + 12));
  ASSERT_EQ(converted.size(), 1u);
  EXPECT_EQ(converted[0]["session_id"], "140");
  EXPECT_EQ(converted[0]["length"], "246.3");
  EXPECT_EQ(converted[0]["user_id"], "11");
  EXPECT_EQ(converted[0]["status"], "200");
  auto song = Query(
      "select num_songs, artist_latitude, artist_name, title, duration, year from staging_songs "
      "where song_id = 'SOAAAAA12A8C13B005'");
  ASSERT_EQ(song.size(), 1u);
  EXPECT_EQ(song[0]["num_songs"], "1");
  EXPECT_EQ(song[0]["artist_latitude"], "35.5");
  EXPECT_EQ(song[0]["artist_name"], "112");
  EXPECT_EQ(song[0]["title"], "1999");
  EXPECT_EQ(song[0]["duration"], "218.93179");
  EXPECT_EQ(song[0]["year"], "2004");
  EXPECT_EQ(One("select title from staging_songs where song_id = 'SOAAAAA12A8C13B006'"),
            "Caf\u00e9 \U0001F3B5 AC/DC \"live\"\ttab");
  EXPECT_EQ(One("select title from staging_songs where song_id = 'SOAAAAA12A8C13B003'"),
            "With BOM");
  EXPECT_EQ(One("select title from staging_songs where song_id = 'SOAAAAA12A8C13B002'"),
            "Pretty CRLF");
  EXPECT_EQ(One("select count(*) as n from staging_events where user_id = '13'"), "3");
  EXPECT_EQ(One("select length(user_agent) as n from staging_events where ts = " +
                std::to_string(kLongDay + 2)),
            std::to_string(kLongLine));
  EXPECT_EQ(One("select max(length(user_agent)) as n from fact_songplay"),
            std::to_string(kLongLine));
  EXPECT_EQ(One("select length(title) as n from dim_song where song_id = 'SOAAAAA12A8C13B099'"),
            std::to_string(kLongLine));
}

TEST_P(MalformedCorpusTest, MaxErrorsBelowTheCountFailsAndCommitsNothing) {
  auto r = Etl({"--max-errors", std::to_string(expected_.size() - 1)});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("exceed --max-errors"), std::string::npos) << r.err;
  // Exactly as many as there are passes.
  auto ok = Etl({"--max-errors", std::to_string(expected_.size())});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(One("select count(*) as n from load_errors"), std::to_string(expected_.size()));
}

INSTANTIATE_TEST_SUITE_P(Engines, MalformedCorpusTest,
                         ::testing::Combine(::testing::Values("duckdb", "postgres"),
                                            ::testing::Values("direct", "sql")),
                         [](const ::testing::TestParamInfo<Param>& p) {
                           return std::get<0>(p.param) + "_" + std::get<1>(p.param);
                         });

}  // namespace
}  // namespace sparkify
