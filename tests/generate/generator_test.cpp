#include "sparkify/generate/generator.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace sparkify::generate {
namespace {

namespace fs = std::filesystem;
using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr int64_t kMsPerDay = 86'400'000;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Splits on '\n' only; the generator never writes a trailing newline, so no empty tail.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  if (text.empty()) return lines;
  size_t begin = 0;
  for (size_t nl; (nl = text.find('\n', begin)) != std::string::npos; begin = nl + 1) {
    lines.push_back(text.substr(begin, nl - begin));
  }
  lines.push_back(text.substr(begin));
  return lines;
}

// Relative path -> contents, for every file under `root`.
std::map<std::string, std::string> Tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), root).generic_string()] = ReadAll(entry.path());
    }
  }
  return files;
}

// Accessors for values a check has already vetted; a wrong guess fails the test, not the run.
element At(element object, const char* key) {
  element value;
  EXPECT_EQ(object[key].get(value), simdjson::SUCCESS) << key;
  return value;
}
std::string Str(element value) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return "<not a string>";
  return std::string(text);
}
int64_t Int(element value) {
  int64_t number = 0;
  EXPECT_EQ(value.get_int64().get(number), simdjson::SUCCESS);
  return number;
}
double Num(element value) {
  double number = 0;
  EXPECT_EQ(value.get_double().get(number), simdjson::SUCCESS);
  return number;
}

bool IsType(element value, element_type type) { return value.type() == type; }
bool IsInt(element value) {
  return IsType(value, element_type::INT64) || IsType(value, element_type::UINT64);
}
bool IsNumber(element value) { return IsInt(value) || IsType(value, element_type::DOUBLE); }
bool IsString(element value) { return IsType(value, element_type::STRING); }
bool IsNull(element value) { return IsType(value, element_type::NULL_VALUE); }

std::vector<std::string> Keys(element object) {
  std::vector<std::string> keys;
  simdjson::dom::object fields;
  if (object.get_object().get(fields) != simdjson::SUCCESS) return keys;
  for (auto field : fields) keys.emplace_back(field.key);
  return keys;
}

const std::vector<std::string> kEventKeys = {
    "artist",    "auth",  "firstName", "gender", "itemInSession", "lastName",
    "length",    "level", "location",  "method", "page",          "registration",
    "sessionId", "song",  "status",    "ts",     "userAgent",     "userId"};
const std::vector<std::string> kSongKeys = {
    "num_songs",   "artist_id", "artist_latitude", "artist_longitude", "artist_location",
    "artist_name", "song_id",   "title",           "duration",         "year"};

// A well-formed event: parses, the 18 keys in order, each with a type a loader accepts.
bool IsGoodEvent(simdjson::dom::parser& parser, const std::string& line, element* out = nullptr) {
  element doc;
  if (parser.parse(line).get(doc) != simdjson::SUCCESS) return false;
  if (!IsType(doc, element_type::OBJECT) || Keys(doc) != kEventKeys) return false;
  auto text_or_null = [&](const char* key) {
    return IsString(At(doc, key)) || IsNull(At(doc, key));
  };
  const bool ok =
      text_or_null("artist") && IsString(At(doc, "auth")) && text_or_null("firstName") &&
      text_or_null("gender") && IsInt(At(doc, "itemInSession")) && text_or_null("lastName") &&
      (IsNumber(At(doc, "length")) || IsNull(At(doc, "length"))) && IsString(At(doc, "level")) &&
      text_or_null("location") && IsString(At(doc, "method")) && IsString(At(doc, "page")) &&
      (IsType(At(doc, "registration"), element_type::DOUBLE) || IsNull(At(doc, "registration"))) &&
      IsInt(At(doc, "sessionId")) && text_or_null("song") && IsInt(At(doc, "status")) &&
      IsInt(At(doc, "ts")) && text_or_null("userAgent") && IsString(At(doc, "userId"));
  if (ok && out != nullptr) *out = doc;
  return ok;
}

bool IsGoodSong(simdjson::dom::parser& parser, const std::string& text, element* out = nullptr) {
  element doc;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS) return false;
  if (!IsType(doc, element_type::OBJECT) || Keys(doc) != kSongKeys) return false;
  auto coord = [&](const char* key) { return IsNumber(At(doc, key)) || IsNull(At(doc, key)); };
  const bool ok = IsInt(At(doc, "num_songs")) && IsString(At(doc, "artist_id")) &&
                  coord("artist_latitude") && coord("artist_longitude") &&
                  IsString(At(doc, "artist_location")) && IsString(At(doc, "artist_name")) &&
                  IsString(At(doc, "song_id")) && IsString(At(doc, "title")) &&
                  IsNumber(At(doc, "duration")) && IsInt(At(doc, "year"));
  if (ok && out != nullptr) *out = doc;
  return ok;
}

// (title, artist_name, duration) of every well-formed song file under `root`.
std::set<std::tuple<std::string, std::string, double>> SongKeys(const fs::path& root) {
  simdjson::dom::parser parser;
  std::set<std::tuple<std::string, std::string, double>> keys;
  for (const auto& [path, text] : Tree(root / "song_data")) {
    element doc;
    if (IsGoodSong(parser, text, &doc)) {
      keys.emplace(Str(At(doc, "title")), Str(At(doc, "artist_name")), Num(At(doc, "duration")));
    }
  }
  return keys;
}

struct FaultRow {
  std::string file;
  int64_t line;
  std::string kind;
};

std::vector<FaultRow> ReadFaults(const fs::path& root) {
  std::vector<std::string> lines = Lines(ReadAll(root / "injected_faults.tsv"));
  EXPECT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "file\tline\tkind");
  std::vector<FaultRow> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const size_t a = lines[i].find('\t');
    const size_t b = lines[i].find('\t', a + 1);
    rows.push_back({lines[i].substr(0, a), std::stoll(lines[i].substr(a + 1, b - a - 1)),
                    lines[i].substr(b + 1)});
  }
  return rows;
}

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("sparkify_generator_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_);
  }
  void TearDown() override { fs::remove_all(base_); }

  GenerateOptions Small(const std::string& dir) const {
    GenerateOptions o;
    o.out_dir = (base_ / dir).string();
    o.songs = 60;
    o.events = 4000;
    o.users = 30;
    o.days = 5;
    o.match_rate = 0.3;
    o.seed = 7;
    return o;
  }

  GenerateSummary Run(const GenerateOptions& o) {
    Result<GenerateSummary> result = Generate(o);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().ToString());
    return result.ok() ? result.value() : GenerateSummary{};
  }

  fs::path base_;
};

TEST_F(GeneratorTest, SameOptionsGiveIdenticalBytesWhateverTheThreadCount) {
  GenerateOptions o = Small("a");
  o.malformed = 12;
  o.threads = 1;
  Run(o);
  o.out_dir = (base_ / "b").string();
  o.threads = 3;
  Run(o);
  o.out_dir = (base_ / "c").string();
  o.threads = 1;
  Run(o);
  const auto a = Tree(base_ / "a");
  EXPECT_GT(a.size(), 60u);
  EXPECT_TRUE(a == Tree(base_ / "b"));
  EXPECT_TRUE(a == Tree(base_ / "c"));

  o.out_dir = (base_ / "d").string();
  o.seed = 8;
  Run(o);
  EXPECT_FALSE(a == Tree(base_ / "d"));
}

TEST_F(GeneratorTest, WritesThePublicLayout) {
  GenerateOptions o = Small("out");
  o.songs = 40;
  o.days = 7;
  o.start_date = "2018-11-28";  // crosses into December
  const GenerateSummary summary = Run(o);
  EXPECT_EQ(summary.song_files, 40);
  EXPECT_EQ(summary.event_files, 7);
  EXPECT_EQ(summary.events, 4000);
  EXPECT_EQ(summary.malformed, 0);
  EXPECT_EQ(summary.artists, 26);  // two thirds of the songs

  const auto files = Tree(base_ / "out");
  const std::regex song_path(R"(song_data/([A-Z])/([A-Z])/([A-Z])/TR([A-Z0-9]{16})\.json)");
  std::set<std::string> event_files;
  int64_t song_files = 0;
  uint64_t bytes = 0;
  for (const auto& [path, text] : files) {
    bytes += text.size();
    ASSERT_FALSE(text.empty()) << path;
    EXPECT_NE(text.back(), '\n') << path << " ends with a newline";
    std::smatch m;
    if (std::regex_match(path, m, song_path)) {
      ++song_files;
      EXPECT_EQ(m[4].str().substr(0, 3), m[1].str() + m[2].str() + m[3].str()) << path;
      EXPECT_EQ(text.find('\n'), std::string::npos) << path;
      EXPECT_EQ(text.rfind(R"({"num_songs": 1, "artist_id": "AR)", 0), 0u) << path;
    } else {
      event_files.insert(path);
    }
  }
  EXPECT_EQ(song_files, 40);
  EXPECT_EQ(bytes, summary.bytes);
  EXPECT_EQ(
      event_files,
      (std::set<std::string>{
          "log_data/2018/11/2018-11-28-events.json", "log_data/2018/11/2018-11-29-events.json",
          "log_data/2018/11/2018-11-30-events.json", "log_data/2018/12/2018-12-01-events.json",
          "log_data/2018/12/2018-12-02-events.json", "log_data/2018/12/2018-12-03-events.json",
          "log_data/2018/12/2018-12-04-events.json"}));
  EXPECT_FALSE(fs::exists(base_ / "out" / "injected_faults.tsv"));
}

TEST_F(GeneratorTest, EveryRecordParsesWithTheSampleKeysAndTypes) {
  GenerateOptions o = Small("out");
  o.events = 6000;
  o.days = 4;
  o.start_date = "2018-11-01";
  const GenerateSummary summary = Run(o);
  simdjson::dom::parser parser;

  std::set<std::string> artist_ids;
  std::map<std::string, std::string> artist_fields;  // id -> the artist columns, all songs
  int64_t with_coords = 0;
  int64_t songs = 0;
  for (const auto& [path, text] : Tree(base_ / "out" / "song_data")) {
    element doc;
    ASSERT_TRUE(IsGoodSong(parser, text, &doc)) << path << ": " << text;
    ++songs;
    EXPECT_EQ(Int(At(doc, "num_songs")), 1);
    const std::string artist_id = Str(At(doc, "artist_id"));
    EXPECT_EQ(artist_id.size(), 18u);
    EXPECT_EQ(Str(At(doc, "song_id")).size(), 18u);
    EXPECT_EQ(IsNull(At(doc, "artist_latitude")), IsNull(At(doc, "artist_longitude")));
    if (!IsNull(At(doc, "artist_latitude"))) ++with_coords;
    const int64_t year = Int(At(doc, "year"));
    EXPECT_TRUE(year == 0 || (year >= 1950 && year <= 2010)) << year;
    EXPECT_GT(Num(At(doc, "duration")), 0.0);
    // Every song of an artist repeats the same artist fields.
    const std::string fields =
        text.substr(text.find("\"artist_latitude\""),
                    text.find("\"song_id\"") - text.find("\"artist_latitude\""));
    auto [it, inserted] = artist_fields.emplace(artist_id, fields);
    if (!inserted) {
      EXPECT_EQ(it->second, fields) << path;
    }
    for (char c : text) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << path;
  }
  EXPECT_EQ(songs, 60);
  EXPECT_EQ(static_cast<int64_t>(artist_fields.size()), summary.artists);
  EXPECT_GT(with_coords, 0);
  EXPECT_LT(with_coords, songs);

  const int64_t first_day_ms = 1541030400000;  // 2018-11-01T00:00:00Z
  int64_t events = 0;
  int64_t next_songs = 0;
  std::map<std::string, std::string> user_attributes;
  std::set<std::string> agents;
  for (int day = 0; day < 4; ++day) {
    const std::string name =
        "log_data/2018/11/2018-11-0" + std::to_string(day + 1) + "-events.json";
    const std::string text = ReadAll(base_ / "out" / name);
    int64_t previous_ts = 0;
    std::map<int64_t, int64_t> next_item;  // sessionId -> expected itemInSession
    for (const std::string& line : Lines(text)) {
      element ev;
      ASSERT_TRUE(IsGoodEvent(parser, line, &ev)) << name << ": " << line;
      ++events;
      const int64_t ts = Int(At(ev, "ts"));
      EXPECT_GE(ts, first_day_ms + day * kMsPerDay);
      EXPECT_LT(ts, first_day_ms + (day + 1) * kMsPerDay);
      EXPECT_GE(ts, previous_ts) << "not sorted by ts in " << name;
      previous_ts = ts;
      int64_t& item = next_item[Int(At(ev, "sessionId"))];
      EXPECT_EQ(Int(At(ev, "itemInSession")), item) << line;
      item = Int(At(ev, "itemInSession")) + 1;

      const std::string page = Str(At(ev, "page"));
      const std::string user_id = Str(At(ev, "userId"));
      const std::string level = Str(At(ev, "level"));
      EXPECT_TRUE(level == "free" || level == "paid");
      if (user_id.empty()) {
        EXPECT_EQ(Str(At(ev, "auth")), "Logged Out");
        EXPECT_TRUE(IsNull(At(ev, "firstName")) && IsNull(At(ev, "lastName")) &&
                    IsNull(At(ev, "gender")) && IsNull(At(ev, "location")) &&
                    IsNull(At(ev, "registration")) && IsNull(At(ev, "userAgent")));
      } else {
        EXPECT_EQ(Str(At(ev, "auth")), "Logged In");
        EXPECT_GE(std::stoll(user_id), 1);
        EXPECT_LE(std::stoll(user_id), 30);
        // Everything about a user but the level is the same in every event.
        std::string attributes = Str(At(ev, "firstName")) + "|" + Str(At(ev, "lastName")) + "|" +
                                 Str(At(ev, "gender")) + "|" + Str(At(ev, "location")) + "|" +
                                 Str(At(ev, "userAgent")) + "|" +
                                 std::to_string(Num(At(ev, "registration")));
        auto [it, inserted] = user_attributes.emplace(user_id, attributes);
        if (!inserted) {
          EXPECT_EQ(it->second, attributes);
        }
        agents.insert(Str(At(ev, "userAgent")));
        EXPECT_LT(Num(At(ev, "registration")), double(first_day_ms));
      }
      if (page == "NextSong") {
        ++next_songs;
        EXPECT_EQ(Str(At(ev, "method")), "PUT");
        EXPECT_EQ(Int(At(ev, "status")), 200);
        EXPECT_TRUE(IsString(At(ev, "song")) && IsString(At(ev, "artist")) &&
                    IsType(At(ev, "length"), element_type::DOUBLE));
        EXPECT_FALSE(user_id.empty());
      } else {
        EXPECT_TRUE(IsNull(At(ev, "song")) && IsNull(At(ev, "artist")) && IsNull(At(ev, "length")))
            << line;
      }
    }
  }
  EXPECT_EQ(events, 6000);
  EXPECT_EQ(events, summary.events);
  EXPECT_EQ(next_songs, summary.next_song_events);
  EXPECT_GT(next_songs, events * 7 / 10);
  EXPECT_LT(next_songs, events * 9 / 10);
  EXPECT_GT(user_attributes.size(), 20u);
  EXPECT_GT(agents.size(), 4u);
  // The sample's quoting: escaped slashes, and quotes kept around some user agents.
  const std::string day1 = ReadAll(base_ / "out/log_data/2018/11/2018-11-01-events.json");
  EXPECT_NE(day1.find(R"("userAgent":"\"Mozilla\/5.0 ()"), std::string::npos);
  EXPECT_NE(day1.find(R"(.0,"sessionId":)"), std::string::npos);
}

TEST_F(GeneratorTest, MatchRateIsHonoured) {
  for (double rate : {0.0, 0.25, 1.0}) {
    GenerateOptions o = Small("rate" + std::to_string(static_cast<int>(rate * 100)));
    o.events = 20000;
    o.match_rate = rate;
    const GenerateSummary summary = Run(o);
    const auto songs = SongKeys(o.out_dir);
    simdjson::dom::parser parser;
    int64_t plays = 0;
    int64_t matched = 0;
    int64_t titles_matching_a_song = 0;
    std::set<std::pair<std::string, std::string>> song_pairs;
    for (const auto& [title, artist, duration] : songs) song_pairs.emplace(title, artist);
    for (const auto& [path, text] : Tree(fs::path(o.out_dir) / "log_data")) {
      for (const std::string& line : Lines(text)) {
        element ev;
        ASSERT_TRUE(IsGoodEvent(parser, line, &ev));
        if (Str(At(ev, "page")) != "NextSong") continue;
        ++plays;
        const std::string song = Str(At(ev, "song")), artist = Str(At(ev, "artist"));
        if (songs.count({song, artist, Num(At(ev, "length"))}) != 0) ++matched;
        if (song_pairs.count({song, artist}) != 0) ++titles_matching_a_song;
      }
    }
    EXPECT_EQ(plays, summary.next_song_events);
    EXPECT_EQ(matched, summary.matched_plays);
    // Unmatched plays use a (song, artist) no song file has, not just another length.
    EXPECT_EQ(titles_matching_a_song, matched);
    const double measured = static_cast<double>(matched) / static_cast<double>(plays);
    EXPECT_NEAR(measured, rate, 0.02) << "rate " << rate;
  }
}

TEST_F(GeneratorTest, InjectedFaultsAreListedAndBreakOnlyTheirLines) {
  GenerateOptions o = Small("out");
  o.malformed = 20;
  o.threads = 2;
  const GenerateSummary summary = Run(o);
  EXPECT_EQ(summary.malformed, 20);
  const fs::path root = o.out_dir;
  const std::vector<FaultRow> rows = ReadFaults(root);
  ASSERT_EQ(rows.size(), 20u);

  std::map<std::string, std::set<int64_t>> faulty_lines;
  std::set<std::string> kinds;
  int64_t song_faults = 0;
  for (const FaultRow& row : rows) {
    EXPECT_TRUE(faulty_lines[row.file].insert(row.line).second) << "listed twice";
    kinds.insert(row.kind);
    if (row.file.rfind("song_data/", 0) == 0) {
      ++song_faults;
      EXPECT_EQ(row.line, 1);
    } else {
      EXPECT_EQ(row.file.rfind("log_data/", 0), 0u) << row.file;
    }
  }
  EXPECT_EQ(kinds,
            (std::set<std::string>{"truncated_line", "not_json", "wrong_type", "object_for_scalar",
                                   "invalid_utf8", "truncated_file", "json_array"}));
  EXPECT_GE(song_faults, 1);
  EXPECT_LT(song_faults, 10);  // mostly event lines
  EXPECT_GT(faulty_lines.size(), 3u) << "faults spread over several files";

  simdjson::dom::parser parser;
  int64_t good_events = 0;
  int64_t good_songs = 0;
  int64_t bad_seen = 0;
  for (const auto& [path, text] : Tree(root)) {
    if (path == "injected_faults.tsv") continue;
    const auto listed = faulty_lines.find(path);
    if (path.rfind("song_data/", 0) == 0) {
      const bool good = IsGoodSong(parser, text);
      EXPECT_EQ(good, listed == faulty_lines.end()) << path << ": " << text;
      good_songs += good ? 1 : 0;
      bad_seen += good ? 0 : 1;
      continue;
    }
    const std::vector<std::string> lines = Lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
      const bool is_listed = listed != faulty_lines.end() && listed->second.count(int64_t(i) + 1);
      const bool good = IsGoodEvent(parser, lines[i]);
      EXPECT_EQ(good, !is_listed) << path << ":" << i + 1 << ": " << lines[i];
      EXPECT_FALSE(lines[i].empty() || lines[i].find_first_not_of(" \t\r") == std::string::npos)
          << "blank lines are skipped by loaders, not errors";
      good_events += good ? 1 : 0;
      bad_seen += good ? 0 : 1;
    }
  }
  EXPECT_EQ(bad_seen, 20);
  EXPECT_EQ(good_events, o.events);
  EXPECT_EQ(good_events, summary.events);
  EXPECT_EQ(good_songs, o.songs);
  EXPECT_EQ(summary.song_files, o.songs);
}

TEST_F(GeneratorTest, SomeFreeUsersUpgradeAndNobodyGoesBack) {
  GenerateOptions o = Small("out");
  o.events = 30000;
  o.users = 40;
  o.days = 10;
  Run(o);
  simdjson::dom::parser parser;
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> levels;
  int64_t submits = 0;
  for (const auto& [path, text] : Tree(fs::path(o.out_dir) / "log_data")) {
    for (const std::string& line : Lines(text)) {
      element ev;
      ASSERT_TRUE(IsGoodEvent(parser, line, &ev));
      const std::string user = Str(At(ev, "userId"));
      if (user.empty()) continue;
      // Submit Upgrade is the last free event: the switch happens when it is accepted.
      const bool submit = Str(At(ev, "page")) == "Submit Upgrade";
      submits += submit ? 1 : 0;
      levels[user].emplace_back(Int(At(ev, "ts")) * 2 + (submit ? 0 : 1), Str(At(ev, "level")));
    }
  }
  int upgraded = 0;
  int paid_only = 0;
  for (auto& [user, history] : levels) {
    std::sort(history.begin(), history.end());
    bool seen_paid = false;
    bool seen_free = false;
    for (const auto& [when, level] : history) {
      if (level == "paid") seen_paid = true;
      if (level == "free") {
        EXPECT_FALSE(seen_paid) << "user " << user << " went back to free";
        seen_free = true;
      }
    }
    upgraded += seen_free && seen_paid ? 1 : 0;
    paid_only += seen_paid && !seen_free ? 1 : 0;
  }
  EXPECT_GE(upgraded, 1);
  EXPECT_GE(paid_only, 1);
  EXPECT_GE(submits, 1);
}

TEST_F(GeneratorTest, RejectsBadOptions) {
  const GenerateOptions good = Small("out");
  std::vector<std::pair<std::string, GenerateOptions>> cases;
  auto add = [&](const std::string& what, auto mutate) {
    GenerateOptions o = good;
    mutate(o);
    cases.emplace_back(what, o);
  };
  add("empty out", [](GenerateOptions& o) { o.out_dir.clear(); });
  add("no songs", [](GenerateOptions& o) { o.songs = 0; });
  add("negative songs", [](GenerateOptions& o) { o.songs = -5; });
  add("negative artists", [](GenerateOptions& o) { o.artists = -1; });
  add("more artists than songs", [](GenerateOptions& o) { o.artists = o.songs + 1; });
  add("negative events", [](GenerateOptions& o) { o.events = -1; });
  add("no users", [](GenerateOptions& o) { o.users = 0; });
  add("no days", [](GenerateOptions& o) { o.days = 0; });
  add("negative malformed", [](GenerateOptions& o) { o.malformed = -1; });
  add("negative threads", [](GenerateOptions& o) { o.threads = -2; });
  add("match rate above 1", [](GenerateOptions& o) { o.match_rate = 1.5; });
  add("negative match rate", [](GenerateOptions& o) { o.match_rate = -0.1; });
  add("NaN match rate", [](GenerateOptions& o) { o.match_rate = std::nan(""); });
  add("date garbage", [](GenerateOptions& o) { o.start_date = "yesterday"; });
  add("date without padding", [](GenerateOptions& o) { o.start_date = "2018-1-01"; });
  add("no such day", [](GenerateOptions& o) { o.start_date = "2018-02-30"; });
  add("month 13", [](GenerateOptions& o) { o.start_date = "2018-13-01"; });
  add("before 1970", [](GenerateOptions& o) { o.start_date = "1969-12-31"; });
  add("past year 9999", [](GenerateOptions& o) {
    o.start_date = "9999-12-31";
    o.days = 2;
  });
  for (const auto& [what, o] : cases) {
    Result<GenerateSummary> result = Generate(o);
    ASSERT_FALSE(result.ok()) << what;
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument) << what;
  }
  EXPECT_FALSE(fs::exists(base_ / "out")) << "nothing is written for bad options";

  // Leap day is a real day.
  GenerateOptions leap = good;
  leap.start_date = "2020-02-29";
  leap.days = 1;
  EXPECT_TRUE(Generate(leap).ok());
}

TEST_F(GeneratorTest, RefusesToMixWithEarlierDataUnlessAskedToOverwrite) {
  GenerateOptions o = Small("out");
  o.malformed = 5;
  Run(o);
  o.malformed = 0;
  Result<GenerateSummary> again = Generate(o);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kInvalidArgument);

  o.overwrite = true;
  o.songs = 10;
  o.days = 2;
  Run(o);
  const auto files = Tree(o.out_dir);
  EXPECT_EQ(files.size(), 12u) << "old song and event files are gone";
  EXPECT_EQ(files.count("injected_faults.tsv"), 0u) << "a stale fault table is removed";
}

TEST_F(GeneratorTest, ZeroEventsGiveEmptyDayFiles) {
  GenerateOptions o = Small("out");
  o.events = 0;
  o.days = 2;
  const GenerateSummary summary = Run(o);
  EXPECT_EQ(summary.events, 0);
  EXPECT_EQ(ReadAll(fs::path(o.out_dir) / "log_data/2018/11/2018-11-01-events.json"), "");
}

}  // namespace
}  // namespace sparkify::generate
