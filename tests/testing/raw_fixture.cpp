#include "testing/raw_fixture.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <random>
#include <string_view>
#include <vector>

namespace sparkify::testing {
namespace {

// Text values as JSON literals (already escaped): both engines decode them with the same
// parser, so a title and an event's song written with the same literal compare equal.
constexpr std::array<std::string_view, 24> kTexts{
    R"("Setanta matins")",
    R"("Caf\u00e9 del Mar")",
    "\"M\xC3\xB6tley Cr\xC3\xBC"
    "e\"",
    R"("tab\there")",
    R"("line\nbreak")",
    R"("back\\slash")",
    R"("quote \"x\" and 'y'")",
    R"("AC\/DC")",
    R"("note \ud83c\udfb5")",
    R"("")",
    R"("  spaces  ")",
    R"("\\N")",
    "\"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\"",
    R"("a,b;c|d")",
    R"("Brooklyn, NY")",
    R"("cr\rhere")",
    R"("Zo\u00eb")",
    R"("Sehr kosmisch")",
    R"("Yellow")",
    R"("You're The One")",
    R"("Mozilla\/5.0 (Macintosh; Intel Mac OS X 10_9_4) \"Safari\"")",
    R"("upper UPPER")",
    R"("lower lower")",
    R"("  ")",
};

std::string Shortest(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, end);
}

class Writer {
 public:
  explicit Writer(uint64_t seed) : rng_(seed) {}
  uint64_t Next() { return rng_(); }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Below(100) < percent; }
  double Unit() { return static_cast<double>(Next() >> 11) / 9007199254740992.0; }
  std::string_view Text() { return kTexts[static_cast<size_t>(Below(kTexts.size()))]; }

 private:
  std::mt19937_64 rng_;
};

void Write(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

struct Song {
  std::string id, artist_id, title, artist_name, duration;
};

}  // namespace

RawFixture WriteRawFixture(const std::string& dir, const RawFixtureOptions& options) {
  namespace fs = std::filesystem;
  Writer w(options.seed);
  RawFixture fixture;
  fixture.songs_dir = dir + "/song_data";
  fixture.events_dir = dir + "/log_data";

  // --- songs: one object per file; artists disagree, some songs appear twice -------------
  const int artists = std::max(1, options.song_files * 2 / 3);
  std::vector<Song> songs;
  for (int i = 0; i < options.song_files; ++i) {
    const std::string path =
        fmt::format("{}/{}/{}/{}/TR{:016X}.json", fixture.songs_dir, static_cast<char>('A' + i % 3),
                    static_cast<char>('A' + i % 7), static_cast<char>('A' + i % 5), w.Next());
    if (i % 97 == 13) {  // malformed song files, one kind each
      static constexpr std::array<std::string_view, 6> kBad{
          "",
          "{\"song_id\": \"SOX\", \"artist_id\": \"ARX\"} {}",
          "[1, 2]",
          R"({"artist_id": "ARX", "title": "no id"})",
          "{\"song_id\": \"SO\xFF\", ",
          R"({"song_id": "SOX", "artist_id": "ARX", "year": "last year"})"};
      Write(path, std::string(kBad[static_cast<size_t>(i / 97) % kBad.size()]));
      ++fixture.malformed_songs;
      continue;
    }
    Song s;
    const int song_no = w.Chance(5) && i > 0 ? w.Below(i) : i;  // a few duplicate song ids
    s.id = fmt::format("SO{:08d}", song_no);
    const int artist_no = w.Below(artists);
    s.artist_id = fmt::format("AR{:06d}", artist_no);
    s.title = std::string(w.Text());
    s.artist_name = w.Chance(3) ? "112" : std::string(w.Text());
    s.duration = Shortest(30 + w.Unit() * 600);
    std::string latitude = w.Chance(40) ? "null" : Shortest(-90 + w.Unit() * 180);
    std::string longitude = w.Chance(40) ? "null" : Shortest(-180 + w.Unit() * 360);
    std::string location = w.Chance(30) ? R"("")" : std::string(w.Text());
    std::string year = w.Chance(30) ? "0" : std::to_string(1950 + w.Below(70));
    if (w.Chance(5)) year = "\"" + year + "\"";  // a number as a string converts
    const char* sep = w.Chance(20) ? ",\n    " : ", ";
    std::string body = fmt::format(
        "{{\"num_songs\": 1{sep}\"artist_id\": \"{}\"{sep}\"artist_latitude\": {}{sep}"
        "\"artist_longitude\": {}{sep}\"artist_location\": {}{sep}\"artist_name\": {}{sep}"
        "\"song_id\": \"{}\"{sep}\"title\": {}{sep}\"duration\": {}{sep}\"year\": {}}}",
        s.artist_id, latitude, longitude, location, s.artist_name, s.id, s.title, s.duration, year,
        fmt::arg("sep", sep));
    if (w.Chance(2)) body = "\xEF\xBB\xBF" + body;
    Write(path, body);
    songs.push_back(std::move(s));
  }

  // --- events: JSON Lines, one file per day -------------------------------------------------
  static constexpr std::array<std::string_view, 4> kPages{"NextSong", "NextSong", "NextSong",
                                                          "Home"};
  static constexpr std::array<std::string_view, 12> kBadLines{
      "not json at all",
      R"({"ts": 1541121934796, "page": "NextSong")",
      R"({"ts": "yesterday", "page": "NextSong"})",
      R"({"ts": 1541121934796, "page": "NextSong", "sessionId": {"a": 1}})",
      R"([{"ts": 1541121934796}])",
      R"({"ts": 1541121934796, "ts": 1541121934797, "page": "NextSong"})",
      R"({"page": "NextSong", "userId": "5"})",
      R"({"ts": 1541121934796, "page": "NextSong", "artist": "nul\u0000here"})",
      R"({"ts": 1541121934796, "page": "NextSong", "length": 1.2.3})",
      R"({"ts": 1541121934796, "page": "NextSong", "length": NaN})",
      R"({"ts": 1541121934796, "page": "NextSong"} trailing)",
      R"({"ts": 1541121934796, "page": "NextSong", "status": true})",
  };
  const int64_t day0 = 1541030400000;  // 2018-11-01 00:00:00 UTC in ms
  int bad_line = 0;
  const int event_files = std::min(options.event_files, 30);  // one file per day of November
  for (int f = 0; f < event_files; ++f) {
    const int64_t day_start = day0 + int64_t{86400000} * f;
    std::string content;
    const bool crlf = f % 10 == 3;
    std::string previous;
    for (int l = 0; l < options.events_per_file; ++l) {
      const char* eol = crlf ? "\r\n" : "\n";
      if (l % 53 == 17) {
        content += std::string(kBadLines[static_cast<size_t>(bad_line++) % kBadLines.size()]) + eol;
        ++fixture.malformed_events;
        continue;
      }
      if (l % 71 == 5) content += std::string("   ") + eol;  // blank: skipped, not an error
      if (l % 89 == 7 && !previous.empty()) {                // an exact duplicate play
        content += previous;
        continue;
      }
      const int user = w.Below(60);
      const bool logged_out = w.Chance(8);
      const int64_t ts = day_start + w.Below(86400000);
      std::string song = "null", artist = "null", length = "null";
      if (w.Chance(30) && !songs.empty()) {
        const Song& s = songs[static_cast<size_t>(w.Below(static_cast<int>(songs.size())))];
        song = s.title;
        artist = s.artist_name;
        double d = 0;
        std::from_chars(s.duration.data(), s.duration.data() + s.duration.size(), d);
        length = w.Chance(50) ? s.duration : fmt::format("{:.17g}", d);  // same double
      } else if (w.Chance(80)) {
        song = std::string(w.Text());
        artist = std::string(w.Text());
        length = Shortest(w.Unit() * 500);
      }
      std::string session = std::to_string(w.Below(1000));
      if (w.Chance(5)) session = "\"" + session + "\"";
      std::string line = fmt::format(
          "{{\"artist\":{},\"auth\":\"{}\",\"firstName\":{},\"gender\":{},\"itemInSession\":{},"
          "\"lastName\":{},\"length\":{},\"level\":\"{}\",\"location\":{},\"method\":\"PUT\","
          "\"page\":\"{}\",\"registration\":{},\"sessionId\":{},\"song\":{},\"status\":200,"
          "\"ts\":{},\"userAgent\":{},\"userId\":\"{}\"}}",
          artist, logged_out ? "Logged Out" : "Logged In",
          logged_out ? "null" : fmt::format("\"User{}\"", user),
          logged_out ? "null" : (user % 2 ? R"("F")" : R"("M")"), w.Below(100),
          logged_out ? "null" : std::string(w.Text()), length, w.Chance(30) ? "paid" : "free",
          logged_out ? "null" : std::string(w.Text()), kPages[static_cast<size_t>(w.Below(4))],
          logged_out ? "null" : Shortest(1.5e12 + w.Unit() * 1e10), session, song, ts,
          logged_out ? "null" : std::string(w.Text()), logged_out ? "" : std::to_string(user));
      previous = line + eol;
      content += previous;
    }
    Write(fs::path(fixture.events_dir) / "2018" / "11" /
              fmt::format("2018-11-{:02d}-events.json", f + 1),
          content);
  }
  return fixture;
}

}  // namespace sparkify::testing
