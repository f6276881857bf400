#include "sparkify/generate/generator.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sparkify::generate {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kMsPerHour = 3'600'000;

// Limits that keep every intermediate product inside int64 and every per-day index inside
// int32; far beyond what anyone generates on one machine.
constexpr int64_t kMaxSongs = 50'000'000;
constexpr int64_t kMaxUsers = 50'000'000;
constexpr int64_t kMaxDays = 36'600;
constexpr int64_t kMaxEvents = 10'000'000'000;
constexpr int64_t kMaxMalformed = 1'000'000;
constexpr int kMaxThreads = 1024;

// ---------------------------------------------------------------------------------------------
// Random numbers. The standard distributions are implementation-defined, so every mapping from
// bits to values is written here to keep the output identical across standard libraries.

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Independent streams: each (stream, index) pair gets its own generator, so any file can be
// produced without producing the ones before it, on whatever thread picks it up.
enum class Stream : uint64_t {
  kArtist = 1,
  kSong,
  kDecoy,
  kUser,
  kDayWeight,
  kDay,
  kEventFault,
  kSongFault,
};

class Rng {
 public:
  Rng(uint64_t seed, Stream stream, uint64_t index) {
    uint64_t mix = seed ^ (static_cast<uint64_t>(stream) * 0xD1B54A32D192ED03ULL);
    mix = SplitMix64(mix) ^ (index * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL);
    for (uint64_t& word : s_) word = SplitMix64(mix);
  }

  // xoshiro256**
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // [0, n); the modulo bias (n / 2^64) is far below anything observable here.
  uint64_t Below(uint64_t n) { return n <= 1 ? 0 : Next() % n; }
  int64_t Below(int64_t n) {
    return n <= 1 ? 0 : static_cast<int64_t>(Next() % static_cast<uint64_t>(n));
  }
  int Below(int n) { return static_cast<int>(Below(static_cast<int64_t>(n))); }

  // [0, 1) with 53 random bits; IEEE arithmetic on it is exact and portable.
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }

  // True with probability p; p = 1 always, p = 0 never.
  bool Chance(double p) { return Unit() < p; }
  bool PerMille(int k) { return Below(1000) < k; }

  // [0, n), the low indices far more likely (density ~ 1/sqrt(x)): a few popular songs and
  // heavy users, a long tail of rare ones.
  int64_t Skewed(int64_t n) {
    const double u = Unit();
    const auto i = static_cast<int64_t>(u * u * static_cast<double>(n));
    return std::min(i, n - 1);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

template <typename T, size_t N>
const T& Pick(Rng& rng, const T (&list)[N]) {
  return list[rng.Below(static_cast<int64_t>(N))];
}

// ---------------------------------------------------------------------------------------------
// Text. Every list below holds JSON string *content*, already escaped exactly as it is written
// (\uXXXX for non-ASCII, \/ for slashes, \" for quotes), so song files and events carry the
// identical escaped text and a parser decodes both to the identical string.

// clang-format off
constexpr std::string_view kAdjectives[] = {
    "Broken", "Silent", "Golden", "Electric", "Midnight", "Lonely", "Wild", "Sweet", "Blue",
    "Crazy", "Secret", "Burning", "Endless", "Hollow", "Velvet", "Neon", "Paper", "Sacred",
    "Fading", "Lost", "Little", "Summer", "Winter", "Cold", "Dark", "Bright", "Final", "Restless",
    "Tender", "Strange", "Holy", "Savage", "Gentle", "Drunken", "Lazy", "Happy", "Sad", "Silver",
    "Crimson", "Falling", "Rolling", "Faithful", "Hungry", "Sleepy", "Heavy", "Easy", "Dangerous",
    "Young", "Na\\u00efve", "Sch\\u00f6n", "D\\u00e9j\\u00e0", "Sunday",
};

constexpr std::string_view kNouns[] = {
    "Heart", "Love", "Night", "Road", "Dream", "Fire", "Rain", "Sky", "Soul", "River", "City",
    "Train", "Moon", "Sun", "Star", "Ocean", "Angel", "Ghost", "Mirror", "Garden", "Highway",
    "Window", "Letter", "Song", "Dance", "Kiss", "Shadow", "Stranger", "Radio", "Machine", "Island",
    "Desert", "Thunder", "Diamond", "Memory", "Morning", "Paradise", "Revolution", "Horizon",
    "Street", "Cabaret", "Blues", "Sugar", "Whiskey", "Honey", "Lullaby", "Rhythm", "Echo",
    "Coraz\\u00f3n", "Ma\\u00f1ana", "Caf\\u00e9", "Se\\u00f1orita", "Fr\\u00fchling",
    "Tr\\u00e4ume", "Canci\\u00f3n", "Cora\\u00e7\\u00e3o", "\\u00c9t\\u00e9", "Espa\\u00f1a",
    "\\u6771\\u4eac", "\\u041c\\u043e\\u0441\\u043a\\u0432\\u0430", "Caf\\u00e9 \\u266b",
};

constexpr std::string_view kPluralNouns[] = {
    "Tops", "Kings", "Wolves", "Strangers", "Ramblers", "Lovers", "Machines", "Angels", "Rebels",
    "Horses", "Ghosts", "Saints", "Echoes", "Shadows", "Brothers", "Sisters", "Drifters", "Pilots",
    "Robots", "Tigers", "Hearts", "Crows", "Vandals", "Dreamers",
};

constexpr std::string_view kVerbs[] = {
    "Mean To", "Need You", "Feel It", "Go Home", "Let Go", "Wanna Dance", "Remember", "Believe",
    "Know Why", "Miss You", "Walk Alone", "Stop Now", "Say Goodbye", "Care",
};

constexpr std::string_view kTitleSuffixes[] = {
    "Album Version", "Live", "Remix", "Radio Edit", "Acoustic", "Demo", "Remastered", "LP Version",
    "Skit", "Instrumental", "Extended Mix", "Live at the Caf\\u00e9 Wha?",
};

constexpr std::string_view kArtistFirstNames[] = {
    "Adam", "Jeff", "Sheri", "Nina", "Otis", "Marvin", "Aretha", "Johnny", "Patsy", "Willie",
    "Dolly", "Carlos", "Ray", "Etta", "Lou", "Joni", "Tom", "Kate", "Bruce", "Sade", "Miles",
    "Ella", "Frank", "Billie", "Jos\\u00e9", "Bj\\u00f6rn", "Ren\\u00e9e", "Zo\\u00eb",
    "Ana\\u00efs", "Fran\\u00e7ois", "S\\u00f8ren", "J\\u00fcrgen", "Montserrat", "Pl\\u00e1cido",
};

constexpr std::string_view kArtistLastNames[] = {
    "Ant", "Easter", "Simone", "Redding", "Gaye", "Franklin", "Cash", "Cline", "Nelson", "Parton",
    "Santana", "Charles", "James", "Reed", "Mitchell", "Waits", "Bush", "Springsteen", "Davis",
    "Fitzgerald", "Sinatra", "Holiday", "O'Connor", "O'Brien", "Caball\\u00e9", "Dom\\u00ednguez",
    "M\\u00fcller", "Sj\\u00f6berg", "Bront\\u00eb", "Nu\\u00f1ez", "Gonz\\u00e1lez", "Kowalczyk",
};

constexpr std::string_view kLocalArtistWords[] = {
    "Gobbo", "Casualty Club", "Glorietta", "Ringtonez", "Tweedle Music", "Rated Zed", "Mr Ozone",
    "Des'mond", "Sonora Azul", "Samba Quartet", "M\\u00f6bius", "Sigr\\u00fan",
};

// Real places with coordinates, as the Million Song Dataset gives them.
struct Place {
  std::string_view name;
  int64_t lat_e5;
  int64_t lon_e5;
};
constexpr Place kPlaces[] = {
    {"Memphis, TN", 3514968, -9004892},
    {"Nashville, TN", 3616778, -8677836},
    {"London, England", 5150632, -12714},
    {"New York, NY", 4071455, -7400712},
    {"Los Angeles, CA", 3405349, -11824532},
    {"Chicago, IL", 4188415, -8763241},
    {"Paris, France", 4885693, 234120},
    {"Berlin, Germany", 5251607, 1337698},
    {"Kingston, Jamaica", 1799702, -7679358},
    {"Detroit, MI", 4233168, -8304792},
    {"Seattle, WA", 4760356, -12232944},
    {"Atlanta, GA", 3374831, -8439111},
    {"Austin, TX", 3026759, -9774299},
    {"Toronto, Ontario, Canada", 4364856, -7938533},
    {"Stockholm, Sweden", 5933217, 1806243},
    {"Sydney, Australia", -3386963, 15120695},
    {"Rio de Janeiro, Brazil", -2297673, -4319508},
    {"Mexico City, Mexico", 1943195, -9913315},
    {"Tokyo, Japan", 3568501, 13975140},
    {"Dublin, Ireland", 5334376, -624953},
    {"Reykjav\\u00edk, Iceland", 6413548, -2189541},
    {"S\\u00e3o Paulo, Brazil", -2356287, -4665468},
    {"M\\u00fcnchen, Germany", 4813641, 1157752},
    {"Montr\\u00e9al, Qu\\u00e9bec, Canada", 4551228, -7355439},
    {"New Orleans, LA", 2995369, -9007771},
    {"Manchester, England", 5347894, -224495},
    {"Havana, Cuba", 2313517, -8235895},
    {"Lagos, Nigeria", 645306, 339583},
    {"Houston, TX", 2976045, -9536978},
    {"Minneapolis, MN", 4497903, -9326493},
    {"San Francisco, CA", 3777916, -12242005},
    {"Boston, MA", 4235863, -7105670},
    {"Glasgow, Scotland", 5585725, -424251},
    {"Kansas City, MO", 3910296, -9458306},
};

// Places the dataset names without coordinates.
constexpr std::string_view kVaguePlaces[] = {
    "California - LA", "Ohio", "Texas", "UK", "Brooklyn", "Hollywood, FL", "Scandinavia",
    "New Jersey", "Europe", "Burlington, Ontario, Canada", "Bay Area, CA", "Memphis, TN",
    "Nashville, TN.", "NY - Brooklyn", "Nord-Pas-de-Calais \\/ Belgium",
};

constexpr std::string_view kMaleNames[] = {
    "Walter", "Jayden", "Jacob", "Ryan", "Kevin", "Chase", "Aiden", "Lucas", "Noah", "Dustin",
    "Wyatt", "Sean", "Connar", "Tucker", "Emery", "Mohammad", "Oliver", "Theodore", "Jordan",
    "Evan", "Colm", "Martin", "Samuel", "Brayden",
};
constexpr std::string_view kFemaleNames[] = {
    "Kaylee", "Tegan", "Lily", "Chloe", "Jacqueline", "Ava", "Sara", "Layla", "Rylan", "Kate",
    "Aleena", "Sophia", "Celeste", "Stefany", "Jizelle", "Anabelle", "Hannah", "Emily",
    "Katherine", "Avery", "Madison", "Ann", "Molly", "Alivia",
};
constexpr std::string_view kUserLastNames[] = {
    "Frye", "Summers", "Graves", "Levine", "Koch", "Cuevas", "Cruz", "Smith", "Jones", "Williams",
    "Brown", "Taylor", "Harrell", "Hogan", "Sanchez", "Robertson", "Marshall", "Patel", "Garrison",
    "Richardson", "Stewart", "Lindsey", "Herring", "Roth", "Owens", "Larson", "Rodriguez",
    "Griffin", "Montgomery", "Duffy", "O'Neill", "Cook",
};

// US metro areas in eventsim's naming.
constexpr std::string_view kUserLocations[] = {
    "San Francisco-Oakland-Hayward, CA", "Phoenix-Mesa-Scottsdale, AZ",
    "Washington-Arlington-Alexandria, DC-VA-MD-WV", "San Jose-Sunnyvale-Santa Clara, CA",
    "New Orleans-Metairie, LA", "Lubbock, TX", "Harrisburg-Carlisle, PA", "Salinas, CA",
    "La Crosse-Onalaska, WI-MN", "Chicago-Naperville-Elgin, IL-IN-WI", "Cedar Rapids, IA",
    "Portland-South Portland, ME", "Waterloo-Cedar Falls, IA",
    "Sacramento--Roseville--Arden-Arcade, CA", "New York-Newark-Jersey City, NY-NJ-PA",
    "Houston-The Woodlands-Sugar Land, TX", "Columbia, SC", "New Haven-Milford, CT",
    "Atlanta-Sandy Springs-Roswell, GA", "Salt Lake City, UT", "San Antonio-New Braunfels, TX",
    "Marinette, WI-MI", "Birmingham-Hoover, AL", "Los Angeles-Long Beach-Anaheim, CA",
    "Dallas-Fort Worth-Arlington, TX", "Detroit-Warren-Dearborn, MI",
    "Miami-Fort Lauderdale-West Palm Beach, FL", "Minneapolis-St. Paul-Bloomington, MN-WI",
    "Philadelphia-Camden-Wilmington, PA-NJ-DE-MD", "Seattle-Tacoma-Bellevue, WA",
    "Tampa-St. Petersburg-Clearwater, FL", "St. Louis, MO-IL", "Raleigh, NC", "Richmond, VA",
    "San Diego-Carlsbad, CA", "Portland-Vancouver-Hillsboro, OR-WA",
    "Nashville-Davidson--Murfreesboro--Franklin, TN", "Indianapolis-Carmel-Anderson, IN",
    "Winston-Salem, NC", "Eugene, OR",
};

// User agents as browsers sent them; eventsim keeps the quotes some of them arrived with.
// Raw text: escaped for JSON when the users are built.
constexpr std::string_view kUserAgents[] = {
    R"("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) )"
    R"(Chrome/36.0.1985.143 Safari/537.36")",
    R"("Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) )"
    R"(Chrome/36.0.1985.125 Safari/537.36")",
    R"(Mozilla/5.0 (Windows NT 5.1; rv:31.0) Gecko/20100101 Firefox/31.0)",
    R"("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu )"
    R"(Chromium/36.0.1985.125 Chrome/36.0.1985.125 Safari/537.36")",
    R"("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.78.2 (KHTML, like )"
    R"(Gecko) Version/7.0.6 Safari/537.78.2")",
    R"("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) )"
    R"(Chrome/37.0.2062.94 Safari/537.36")",
    R"(Mozilla/5.0 (Macintosh; Intel Mac OS X 10.9; rv:31.0) Gecko/20100101 Firefox/31.0)",
    R"("Mozilla/5.0 (Windows NT 6.3; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) )"
    R"(Chrome/36.0.1985.143 Safari/537.36")",
    R"("Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, )"
    R"(like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53")",
    R"(Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0)",
    R"("Mozilla/5.0 (iPad; CPU OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like )"
    R"(Gecko) Version/7.0 Mobile/11D257 Safari/9537.53")",
    R"("Mozilla/5.0 (Linux; Android 4.4.2; Nexus 5 Build/KOT49H) AppleWebKit/537.36 (KHTML, )"
    R"(like Gecko) Chrome/36.0.1985.135 Mobile Safari/537.36")",
    R"("Mozilla/5.0 (Windows NT 5.1) AppleWebKit/537.36 (KHTML, like Gecko) )"
    R"(Chrome/36.0.1985.143 Safari/537.36")",
    R"("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_0) AppleWebKit/537.36 (KHTML, like Gecko) )"
    R"(Chrome/36.0.1985.143 Safari/537.36")",
    R"(Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko)",
    R"("Mozilla/5.0 (Linux; U; Android 4.1.2; en-us; GT-I9300 Build/JZO54K) AppleWebKit/534.30 )"
    R"((KHTML, like Gecko) Version/4.0 Mobile Safari/534.30")",
    R"(Mozilla/5.0 (X11; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0)",
    R"(Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; WOW64; Trident/6.0))",
};

// clang-format on

// Lines a log shipper might leave behind; none is valid JSON and none is blank.
constexpr std::string_view kGarbageLines[] = {
    "<html><head><title>503 Service Unavailable</title></head><body>busy</body></html>",
    "ERROR 2018-11-03T04:05:06Z event-forwarder: connection reset by peer",
    "{{{{ not json at all",
    "artist,auth,firstName,gender,itemInSession,lastName,length",
    "\\x00\\x01 binary junk ~~~~",
};

std::string EscapeRawForJson(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + 16);
  for (char c : raw) {
    if (c == '"' || c == '\\' || c == '/') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

void AppendInt(std::string& out, int64_t value) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, res.ptr);
}

// value / 1e5 with up to five decimals, trailing zeros dropped but at least one kept
// ("267.7024", "-0.12714", "120.0"), the way Python's json module wrote the sample.
void AppendE5(std::string& out, int64_t e5) {
  if (e5 < 0) {
    out.push_back('-');
    e5 = -e5;
  }
  AppendInt(out, e5 / 100000);
  int64_t frac = e5 % 100000;
  out.push_back('.');
  if (frac == 0) {
    out.push_back('0');
    return;
  }
  char digits[5];
  for (int i = 4; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int len = 5;
  while (digits[len - 1] == '0') --len;
  out.append(digits, static_cast<size_t>(len));
}

void AppendPadded(std::string& out, int64_t value, int width) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  for (auto n = res.ptr - buf; n < width; ++n) out.push_back('0');
  out.append(buf, res.ptr);
}

std::string RandomId(Rng& rng, std::string_view prefix, int letters_first) {
  static constexpr char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string id(prefix);
  for (int i = 0; i < 16; ++i) id.push_back(kAlnum[rng.Below(i < letters_first ? 26 : 36)]);
  return id;
}

std::string SongTitle(Rng& rng) {
  std::string t;
  switch (rng.Below(12)) {
    case 0:
    case 1:
      t.append(Pick(rng, kAdjectives)).append(" ").append(Pick(rng, kNouns));
      break;
    case 2:
      t.append("The ").append(Pick(rng, kNouns));
      break;
    case 3:
      t.append(Pick(rng, kNouns)).append(" of ").append(Pick(rng, kNouns));
      break;
    case 4:
      t.append(rng.Below(2) == 0 ? "I Didn't " : "Don't ").append(Pick(rng, kVerbs));
      break;
    case 5:
      t.append(Pick(rng, kAdjectives)).append(" ").append(Pick(rng, kNouns)).append(" (");
      t.append(Pick(rng, kTitleSuffixes)).append(")");
      break;
    case 6:
      t.append(Pick(rng, kNouns)).append(" & ").append(Pick(rng, kNouns));
      break;
    case 7:
      t.append(Pick(rng, kNouns)).append("\\/").append(Pick(rng, kNouns));
      break;
    case 8:
      t.append("\\\"").append(Pick(rng, kAdjectives)).append("\\\" ").append(Pick(rng, kNouns));
      break;
    case 9:
      t.append(Pick(rng, kNouns)).append(" ");
      AppendInt(t, 1 + rng.Below(int64_t{99}));
      if (rng.Below(2) == 0) t.append("\\/7");
      break;
    case 10:
      t.append("Keepin' It ").append(Pick(rng, kAdjectives)).append(" (Skit)");
      break;
    default:
      t.append(Pick(rng, kAdjectives)).append(" ").append(Pick(rng, kAdjectives)).append(" ");
      t.append(Pick(rng, kNouns));
      break;
  }
  return t;
}

std::string ArtistName(Rng& rng) {
  std::string n;
  switch (rng.Below(11)) {
    case 0:
    case 1:
      n.append("The ").append(Pick(rng, kAdjectives)).append(" ").append(Pick(rng, kPluralNouns));
      break;
    case 2:
    case 3:
      n.append(Pick(rng, kArtistFirstNames)).append(" ").append(Pick(rng, kArtistLastNames));
      break;
    case 4:
      n.append(Pick(rng, kArtistFirstNames)).append(" ").append(Pick(rng, kArtistLastNames));
      n.append(" & The ").append(Pick(rng, kPluralNouns));
      break;
    case 5:
      n.append(Pick(rng, kLocalArtistWords));
      if (rng.Below(2) == 0) n.append(" ").append(Pick(rng, kPluralNouns));
      break;
    case 6:
      n.append("DJ ").append(Pick(rng, kNouns));
      break;
    case 7:  // several credited artists, as the dataset joins them
      n.append(Pick(rng, kArtistFirstNames)).append(" ").append(Pick(rng, kArtistLastNames));
      n.append(";").append(Pick(rng, kArtistFirstNames)).append(" ");
      n.append(Pick(rng, kArtistLastNames));
      break;
    case 8:
      n.append(Pick(rng, kNouns)).append("\\/").append(Pick(rng, kNouns));
      break;
    case 9:
      n.append(Pick(rng, kArtistFirstNames)).append("'s ").append(Pick(rng, kNouns));
      break;
    default:
      n.append(Pick(rng, kAdjectives)).append(" ").append(Pick(rng, kNouns));
      break;
  }
  return n;
}

// Song length in 1e-5 s: mostly three to five minutes, some short skits and long suites.
int64_t DurationE5(Rng& rng) {
  const int kind = rng.Below(20);
  if (kind == 0) return 2'000'000 + rng.Below(int64_t{10'000'000});   // 20..120 s
  if (kind == 1) return 40'000'000 + rng.Below(int64_t{50'000'000});  // 400..900 s
  return 12'000'000 + rng.Below(int64_t{18'000'000}) + rng.Below(int64_t{12'000'000});
}

// ---------------------------------------------------------------------------------------------
// Dates (proleptic Gregorian, days since 1970-01-01; H. Hinnant's algorithms).

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year, month, day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

std::optional<int64_t> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> std::optional<int64_t> {
    int64_t v = 0;
    const char* first = text.data() + pos;
    const auto res = std::from_chars(first, first + len, v);
    if (res.ec != std::errc() || res.ptr != first + len) return std::nullopt;
    return v;
  };
  const auto y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (!y || !m || !d || *y < 1970 || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  const int64_t days = DaysFromCivil(*y, *m, *d);
  // Rejects 2018-02-30 and friends: the day must round-trip.
  const Civil back = CivilFromDays(days);
  if (back.year != *y || back.month != *m || back.day != *d) return std::nullopt;
  return days;
}

// ---------------------------------------------------------------------------------------------
// The generated world.

struct Artist {
  std::string id;
  std::string name;
  std::string location;
  bool has_coords = false;
  int64_t lat_e5 = 0;
  int64_t lon_e5 = 0;
};

struct Song {
  std::string track_id;
  std::string song_id;
  std::string title;
  int64_t artist = 0;
  int64_t duration_e5 = 0;
  int year = 0;
};

// What a NextSong event needs, pre-rendered: catalogue songs first, then decoys.
struct Playable {
  std::string artist_json;  // "\"name\""
  std::string title_json;
  std::string length_text;
  int64_t length_ms = 0;
};

// Pre-rendered JSON pieces of one user, in the 18-key order; index 0 is "logged out".
struct User {
  std::string names;         // "firstName":..,"gender":..,"itemInSession":
  std::string last_name;     // ,"lastName":..,"length":
  std::string location;      // ,"location":..,"method":"
  std::string registration;  // ,"registration":..,"sessionId":
  std::string tail;          // ,"userAgent":..,"userId":".."}
  bool initially_paid = false;
  int64_t upgrade_day = -1;  // day index of the free -> paid switch, -1 for none
  int64_t upgrade_ms = 0;
};

enum Page : uint8_t {
  kNextSong,
  kHome,
  kLogin,
  kLogout,
  kSettings,
  kSaveSettings,
  kUpgrade,
  kSubmitUpgrade,
  kDowngrade,
  kAbout,
  kHelp,
  kError,
};

struct PageInfo {
  std::string_view method_and_page;  // continues `"method":"`
  std::string_view status;           // continues `,"status":`
};
constexpr PageInfo kPages[] = {
    {R"(PUT","page":"NextSong")", "200"},  {R"(GET","page":"Home")", "200"},
    {R"(PUT","page":"Login")", "307"},     {R"(PUT","page":"Logout")", "307"},
    {R"(GET","page":"Settings")", "200"},  {R"(PUT","page":"Save Settings")", "307"},
    {R"(GET","page":"Upgrade")", "200"},   {R"(PUT","page":"Submit Upgrade")", "307"},
    {R"(GET","page":"Downgrade")", "200"}, {R"(GET","page":"About")", "200"},
    {R"(GET","page":"Help")", "200"},      {R"(GET","page":"Error")", "404"},
};

// Relative frequency of session starts per UTC hour: quiet nights, busy evenings.
constexpr int kHourWeights[24] = {5, 4, 3, 2, 2, 2,  3,  4, 5, 6, 6, 7,
                                  7, 7, 7, 8, 9, 10, 10, 9, 8, 7, 6, 5};

enum class FaultKind : uint8_t {
  kTruncatedLine,
  kNotJson,
  kWrongType,
  kObjectForScalar,
  kInvalidUtf8,
  kTruncatedFile,
  kJsonArray,
};
constexpr FaultKind kEventFaultKinds[] = {FaultKind::kTruncatedLine, FaultKind::kNotJson,
                                          FaultKind::kWrongType, FaultKind::kObjectForScalar,
                                          FaultKind::kInvalidUtf8};
constexpr FaultKind kSongFaultKinds[] = {FaultKind::kTruncatedFile, FaultKind::kJsonArray};

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kTruncatedLine:
      return "truncated_line";
    case FaultKind::kNotJson:
      return "not_json";
    case FaultKind::kWrongType:
      return "wrong_type";
    case FaultKind::kObjectForScalar:
      return "object_for_scalar";
    case FaultKind::kInvalidUtf8:
      return "invalid_utf8";
    case FaultKind::kTruncatedFile:
      return "truncated_file";
    case FaultKind::kJsonArray:
      return "json_array";
  }
  return "unknown";
}

struct EventFault {
  int64_t position = 0;  // inserted before good line `position` (0-based); == count: at the end
  int64_t seq = 0;       // global fault number, orders faults at the same position
  FaultKind kind = FaultKind::kNotJson;
  uint64_t salt = 0;  // drives the fault's content
  int64_t line = 0;   // 1-based line in the file
};

struct SongFault {
  Song song;
  FaultKind kind = FaultKind::kTruncatedFile;
  uint64_t salt = 0;
};

// The song files of one leaf folder song_data/<c3>/<c4>/<c5>. One worker creates the folder and
// writes its files: on a real disk creating files and folders costs far more than their bytes,
// so that work is spread over the threads too.
struct SongFolder {
  std::string dir;
  std::vector<std::pair<const Song*, const SongFault*>> files;  // fault: null for a good file
};

struct DayPlan {
  int64_t start_ms = 0;
  int64_t events = 0;
  int64_t session_base = 0;        // session ids of this day are session_base + 1 ...
  std::string rel_path;            // log_data/YYYY/MM/YYYY-MM-DD-events.json
  std::vector<EventFault> faults;  // sorted by (position, seq)
};

// One event before rendering; the day's events are sorted by (ts, session, item).
struct Ev {
  int64_t ts;
  int32_t session;
  int32_t item;
  int32_t user;  // 0: logged out
  int32_t play;  // index into plays_, -1 for pages without a song
  uint8_t page;
  uint8_t paid;
};

// Per-thread scratch space, reused from file to file.
struct Scratch {
  std::string buffer;
  std::vector<Ev> events;
  std::vector<std::pair<int64_t, int32_t>> sessions;  // (start offset, size)
  std::vector<int64_t> busy_until;
  std::vector<int64_t> upgraded_at;  // ts of the user's Submit Upgrade today, -1: none yet
  uint64_t bytes = 0;
  int64_t good_events = 0;
  int64_t next_song_events = 0;
  int64_t matched_plays = 0;
};

Status WriteFile(const std::string& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Io("cannot create " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Error::Io("cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Error::Io("cannot write " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

class Generator {
 public:
  Generator(const GenerateOptions& options, int64_t first_day)
      : o_(options), first_day_(first_day) {
    out_ = o_.out_dir;
    while (out_.size() > 1 && out_.back() == '/') out_.pop_back();
    num_artists_ = o_.artists > 0 ? o_.artists : std::max<int64_t>(1, o_.songs * 2 / 3);
    start_ms_ = first_day_ * kMsPerDay;
  }

  Result<GenerateSummary> Run();

 private:
  Status BuildCatalogue();
  void BuildUsers();
  Status PlanDays();
  void PlanFaults();
  Status PrepareDirectories();
  Status RunWorkers(int threads, GenerateSummary& summary);
  Status WriteFaultTable();

  Status WriteDay(int64_t day, Scratch& s) const;
  Status WriteSongFolder(const SongFolder& folder, Scratch& s) const;
  Status WriteSongFile(const Song& song, const SongFault* fault, Scratch& s) const;
  void SimulateDay(int64_t day, Scratch& s) const;
  void AppendEvent(const Ev& ev, int64_t session_base, std::string& out) const;
  void AppendFaultLine(const EventFault& fault, const std::vector<Ev>& events, const DayPlan& plan,
                       std::string& out) const;
  void AppendSongJson(const Song& song, std::string& out) const;
  std::string SongPath(const Song& song) const;

  const GenerateOptions& o_;
  const int64_t first_day_;
  std::string out_;
  int64_t num_artists_ = 0;
  int64_t start_ms_ = 0;
  uint64_t user_stride_ = 1;
  uint64_t user_offset_ = 0;

  std::vector<Artist> artists_;
  std::vector<Song> songs_;
  std::vector<Playable> plays_;  // songs_.size() catalogue entries, then decoys
  std::vector<User> users_;      // [0] is the logged-out pseudo user
  std::vector<DayPlan> days_;
  std::vector<SongFault> song_faults_;
  std::vector<SongFolder> song_folders_;
};

Status Generator::BuildCatalogue() {
  std::unordered_set<std::string> artist_ids;
  artists_.resize(static_cast<size_t>(num_artists_));
  for (int64_t a = 0; a < num_artists_; ++a) {
    Rng rng(o_.seed, Stream::kArtist, static_cast<uint64_t>(a));
    Artist& artist = artists_[static_cast<size_t>(a)];
    do {
      artist.id = RandomId(rng, "AR", 0);
    } while (!artist_ids.insert(artist.id).second);
    artist.name = ArtistName(rng);
    if (rng.PerMille(400)) {
      const Place& place = Pick(rng, kPlaces);
      artist.has_coords = true;
      artist.lat_e5 = place.lat_e5 + rng.Below(int64_t{4001}) - 2000;
      artist.lon_e5 = place.lon_e5 + rng.Below(int64_t{4001}) - 2000;
      if (!rng.PerMille(100)) artist.location = place.name;
    } else {
      const int kind = rng.Below(4);
      if (kind == 1) artist.location = Pick(rng, kPlaces).name;
      if (kind == 2) artist.location = Pick(rng, kVaguePlaces);
    }
  }

  std::unordered_set<std::string> track_ids;
  std::unordered_set<std::string> song_ids;
  // (title, artist) pairs of real songs: decoy plays must never hit one of them.
  std::unordered_set<std::string> pairs;
  auto pair_key = [](const std::string& title, const std::string& artist) {
    std::string key = title;
    key.push_back('\x1f');
    key.append(artist);
    return key;
  };
  auto make_song = [&](Rng& rng, Song& song) {
    do {
      song.track_id = RandomId(rng, "TR", 3);
    } while (!track_ids.insert(song.track_id).second);
    do {
      song.song_id = RandomId(rng, "SO", 0);
    } while (!song_ids.insert(song.song_id).second);
    song.title = SongTitle(rng);
    song.duration_e5 = DurationE5(rng);
    song.year = rng.Below(2) == 0 ? 0 : 1950 + rng.Below(61);
  };

  songs_.resize(static_cast<size_t>(o_.songs));
  plays_.reserve(static_cast<size_t>(o_.songs) * 2);
  for (int64_t i = 0; i < o_.songs; ++i) {
    Rng rng(o_.seed, Stream::kSong, static_cast<uint64_t>(i));
    Song& song = songs_[static_cast<size_t>(i)];
    // The first num_artists_ songs give every artist one song; the rest pile onto popular ones.
    song.artist = i < num_artists_ ? i : rng.Skewed(num_artists_);
    make_song(rng, song);
    const Artist& artist = artists_[static_cast<size_t>(song.artist)];
    pairs.insert(pair_key(song.title, artist.name));
    Playable p;
    p.artist_json = "\"" + artist.name + "\"";
    p.title_json = "\"" + song.title + "\"";
    AppendE5(p.length_text, song.duration_e5);
    p.length_ms = song.duration_e5 / 100;
    plays_.push_back(std::move(p));
  }

  // Songs the app streams that the song data set does not hold (most plays in the sample).
  const int64_t decoys = std::clamp<int64_t>(o_.songs, 500, 100'000);
  for (int64_t i = 0; i < decoys; ++i) {
    Rng rng(o_.seed, Stream::kDecoy, static_cast<uint64_t>(i));
    std::string title, artist;
    int attempts = 0;
    do {
      if (++attempts > 1000) return Error::Internal("cannot invent a song title that is unused");
      title = SongTitle(rng);
      artist = ArtistName(rng);
    } while (pairs.count(pair_key(title, artist)) != 0);
    Playable p;
    p.artist_json = "\"" + artist + "\"";
    p.title_json = "\"" + title + "\"";
    const int64_t e5 = DurationE5(rng);
    AppendE5(p.length_text, e5);
    p.length_ms = e5 / 100;
    plays_.push_back(std::move(p));
  }

  const int64_t song_fault_count = o_.malformed >= 4 ? std::max<int64_t>(1, o_.malformed / 8) : 0;
  for (int64_t j = 0; j < song_fault_count; ++j) {
    Rng rng(o_.seed, Stream::kSongFault, static_cast<uint64_t>(j));
    SongFault fault;
    fault.song.artist = rng.Below(num_artists_);
    make_song(rng, fault.song);
    fault.kind = kSongFaultKinds[j % 2];
    fault.salt = rng.Next();
    song_faults_.push_back(std::move(fault));
  }
  return Status::Ok();
}

void Generator::BuildUsers() {
  users_.resize(static_cast<size_t>(o_.users) + 1);
  User& guest = users_[0];
  guest.names = R"("firstName":null,"gender":null,"itemInSession":)";
  guest.last_name = R"(,"lastName":null,"length":)";
  guest.location = R"(,"location":null,"method":")";
  guest.registration = R"(,"registration":null,"sessionId":)";
  guest.tail = R"(,"userAgent":null,"userId":""})";

  std::vector<std::string> agents;
  for (std::string_view a : kUserAgents) agents.push_back(EscapeRawForJson(a));

  for (int64_t u = 1; u <= o_.users; ++u) {
    Rng rng(o_.seed, Stream::kUser, static_cast<uint64_t>(u));
    User& user = users_[static_cast<size_t>(u)];
    const bool male = rng.Below(2) == 0;
    const std::string_view first = male ? Pick(rng, kMaleNames) : Pick(rng, kFemaleNames);
    user.names.append(R"("firstName":")").append(first).append(R"(","gender":")");
    user.names.append(male ? "M" : "F").append(R"(","itemInSession":)");
    user.last_name.append(R"(,"lastName":")").append(Pick(rng, kUserLastNames));
    user.last_name.append(R"(","length":)");
    user.location.append(R"(,"location":")").append(Pick(rng, kUserLocations));
    user.location.append(R"(","method":")");
    // Registered before the period starts, like eventsim's users.
    const int64_t registration = start_ms_ - kMsPerHour - rng.Below(90 * kMsPerDay);
    user.registration.append(R"(,"registration":)");
    AppendInt(user.registration, registration);
    user.registration.append(R"(.0,"sessionId":)");
    const auto agent = static_cast<size_t>(rng.Skewed(static_cast<int64_t>(agents.size())));
    user.tail.append(R"(,"userAgent":")").append(agents[agent]).append(R"(","userId":")");
    AppendInt(user.tail, u);
    user.tail.append("\"}");
    user.initially_paid = rng.PerMille(250);
    if (!user.initially_paid && rng.PerMille(300)) {
      const int64_t offset = rng.Below(o_.days * kMsPerDay);
      user.upgrade_ms = start_ms_ + offset;
      user.upgrade_day = offset / kMsPerDay;
    }
  }
  // Spreads the heavy users over the id range instead of piling them onto ids 1, 2, 3...
  for (uint64_t prime : {1'000'003ULL, 998'244'353ULL}) {
    if (static_cast<uint64_t>(o_.users) % prime != 0) {
      user_stride_ = prime;
      break;
    }
  }
  Rng rng(o_.seed, Stream::kUser, 0);
  user_offset_ = rng.Below(static_cast<uint64_t>(o_.users));
}

Status Generator::PlanDays() {
  // Days get uneven shares (weights 700..1300), split exactly so they sum to `events`.
  std::vector<int64_t> cumulative(static_cast<size_t>(o_.days) + 1, 0);
  for (int64_t d = 0; d < o_.days; ++d) {
    Rng rng(o_.seed, Stream::kDayWeight, static_cast<uint64_t>(d));
    cumulative[static_cast<size_t>(d) + 1] =
        cumulative[static_cast<size_t>(d)] + 700 + rng.Below(int64_t{601});
  }
  const int64_t total = cumulative.back();
  auto share_before = [&](int64_t d) {
    const int64_t c = cumulative[static_cast<size_t>(d)];
    // events * c / total without overflow: (events % total) * c < total^2 < 2^63.
    return (o_.events / total) * c + (o_.events % total) * c / total;
  };
  days_.resize(static_cast<size_t>(o_.days));
  for (int64_t d = 0; d < o_.days; ++d) {
    DayPlan& plan = days_[static_cast<size_t>(d)];
    plan.start_ms = start_ms_ + d * kMsPerDay;
    plan.session_base = share_before(d);
    plan.events = share_before(d + 1) - plan.session_base;
    if (plan.events > std::numeric_limits<int32_t>::max()) {
      return Error::InvalidArgument("more than 2^31 events in one day: use more --days");
    }
    const Civil c = CivilFromDays(first_day_ + d);
    std::string& path = plan.rel_path;
    path = "log_data/";
    AppendPadded(path, c.year, 4);
    path += '/';
    AppendPadded(path, c.month, 2);
    path += '/';
    AppendPadded(path, c.year, 4);
    path += '-';
    AppendPadded(path, c.month, 2);
    path += '-';
    AppendPadded(path, c.day, 2);
    path += "-events.json";
  }
  return Status::Ok();
}

void Generator::PlanFaults() {
  const int64_t event_faults = o_.malformed - static_cast<int64_t>(song_faults_.size());
  for (int64_t i = 0; i < event_faults; ++i) {
    Rng rng(o_.seed, Stream::kEventFault, static_cast<uint64_t>(i));
    const int64_t day = i * o_.days / event_faults;  // spread evenly over the period
    DayPlan& plan = days_[static_cast<size_t>(day)];
    EventFault fault;
    fault.position = rng.Below(plan.events + 1);
    fault.seq = i;
    fault.kind = kEventFaultKinds[i % 5];
    fault.salt = rng.Next();
    plan.faults.push_back(fault);
  }
  for (DayPlan& plan : days_) {
    std::sort(plan.faults.begin(), plan.faults.end(), [](const EventFault& a, const EventFault& b) {
      return std::pair(a.position, a.seq) < std::pair(b.position, b.seq);
    });
    for (size_t k = 0; k < plan.faults.size(); ++k) {
      plan.faults[k].line = plan.faults[k].position + static_cast<int64_t>(k) + 1;
    }
  }
}

std::string Generator::SongPath(const Song& song) const {
  std::string path = out_ + "/song_data/";
  path += song.track_id[2];
  path += '/';
  path += song.track_id[3];
  path += '/';
  path += song.track_id[4];
  path += '/';
  path += song.track_id;
  path += ".json";
  return path;
}

Status Generator::PrepareDirectories() {
  std::error_code ec;
  for (const char* sub : {"song_data", "log_data"}) {
    const fs::path dir = fs::path(out_) / sub;
    if (!fs::exists(dir, ec)) continue;
    if (o_.overwrite) {
      fs::remove_all(dir, ec);
      if (ec) return Error::Io("cannot remove " + dir.string() + ": " + ec.message());
    } else if (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)) {
      return Error::InvalidArgument(
          dir.string() +
          " already holds data; choose another output directory or allow overwriting (--force)");
    }
  }
  // A fault table left by an earlier run would describe files that are no longer there.
  fs::remove(fs::path(out_) / "injected_faults.tsv", ec);

  // Month folders and the two upper song levels here; the leaf song folders in the workers.
  std::set<std::string> dirs;
  for (const DayPlan& plan : days_) {
    dirs.insert(out_ + "/" + plan.rel_path.substr(0, plan.rel_path.rfind('/')));
  }
  std::map<std::string, SongFolder> folders;  // sorted: a stable order of work items
  auto add_song = [&](const Song& song, const SongFault* fault) {
    std::string leaf = SongPath(song);
    leaf.resize(leaf.rfind('/'));
    dirs.insert(leaf.substr(0, leaf.size() - 2));
    SongFolder& folder = folders[leaf];
    folder.files.emplace_back(&song, fault);
  };
  for (const Song& song : songs_) add_song(song, nullptr);
  for (const SongFault& fault : song_faults_) add_song(fault.song, &fault);
  song_folders_.clear();
  song_folders_.reserve(folders.size());
  for (auto& [dir, folder] : folders) {
    folder.dir = dir;
    song_folders_.push_back(std::move(folder));
  }
  for (const std::string& dir : dirs) {
    fs::create_directories(dir, ec);
    if (ec) return Error::Io("cannot create directory " + dir + ": " + ec.message());
  }
  return Status::Ok();
}

void Generator::AppendSongJson(const Song& song, std::string& out) const {
  const Artist& artist = artists_[static_cast<size_t>(song.artist)];
  out += R"({"num_songs": 1, "artist_id": ")";
  out += artist.id;
  out += R"(", "artist_latitude": )";
  if (artist.has_coords) {
    AppendE5(out, artist.lat_e5);
  } else {
    out += "null";
  }
  out += R"(, "artist_longitude": )";
  if (artist.has_coords) {
    AppendE5(out, artist.lon_e5);
  } else {
    out += "null";
  }
  out += R"(, "artist_location": ")";
  out += artist.location;
  out += R"(", "artist_name": ")";
  out += artist.name;
  out += R"(", "song_id": ")";
  out += song.song_id;
  out += R"(", "title": ")";
  out += song.title;
  out += R"(", "duration": )";
  AppendE5(out, song.duration_e5);
  out += R"(, "year": )";
  AppendInt(out, song.year);
  out += '}';
}

Status Generator::WriteSongFolder(const SongFolder& folder, Scratch& s) const {
  if (::mkdir(folder.dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error::Io("cannot create directory " + folder.dir + ": " + std::strerror(errno));
  }
  for (const auto& [song, fault] : folder.files) {
    SPARKIFY_RETURN_IF_ERROR(WriteSongFile(*song, fault, s));
  }
  return Status::Ok();
}

Status Generator::WriteSongFile(const Song& song, const SongFault* fault, Scratch& s) const {
  std::string& out = s.buffer;
  out.clear();
  if (fault == nullptr) {
    AppendSongJson(song, out);
  } else if (fault->kind == FaultKind::kJsonArray) {
    out += '[';
    AppendSongJson(song, out);
    out += ']';
  } else {  // truncated mid-object, as an interrupted upload leaves it
    AppendSongJson(song, out);
    out.resize(out.size() * (30 + fault->salt % 41) / 100);
  }
  s.bytes += out.size();
  return WriteFile(SongPath(song), out);
}

void Generator::AppendEvent(const Ev& ev, int64_t session_base, std::string& out) const {
  const User& user = users_[static_cast<size_t>(ev.user)];
  const Playable* play = ev.play >= 0 ? &plays_[static_cast<size_t>(ev.play)] : nullptr;
  out += R"({"artist":)";
  out += play ? std::string_view(play->artist_json) : std::string_view("null");
  out += ev.user == 0 ? R"(,"auth":"Logged Out",)" : R"(,"auth":"Logged In",)";
  out += user.names;
  AppendInt(out, ev.item);
  out += user.last_name;
  out += play ? std::string_view(play->length_text) : std::string_view("null");
  out += ev.paid ? R"(,"level":"paid")" : R"(,"level":"free")";
  out += user.location;
  out += kPages[ev.page].method_and_page;
  out += user.registration;
  AppendInt(out, session_base + ev.session + 1);
  out += R"(,"song":)";
  out += play ? std::string_view(play->title_json) : std::string_view("null");
  out += R"(,"status":)";
  out += kPages[ev.page].status;
  out += R"(,"ts":)";
  AppendInt(out, ev.ts);
  out += user.tail;
}

void Generator::AppendFaultLine(const EventFault& fault, const std::vector<Ev>& events,
                                const DayPlan& plan, std::string& out) const {
  // Faulty lines look like their neighbours apart from the one defect a loader must catch.
  std::string base;
  if (!events.empty()) {
    const auto idx = static_cast<size_t>(std::min<int64_t>(fault.position, plan.events - 1));
    AppendEvent(events[idx], plan.session_base, base);
  } else {
    const Ev ev{plan.start_ms, 0, 0, 0, -1, kHome, 0};
    AppendEvent(ev, plan.session_base, base);
  }
  auto replace_number = [&base](std::string_view key, std::string_view with) {
    const size_t at = base.find(key);
    if (at == std::string::npos) return;
    const size_t begin = at + key.size();
    size_t end = begin;
    while (end < base.size() && base[end] >= '0' && base[end] <= '9') ++end;
    base.replace(begin, end - begin, with);
  };
  switch (fault.kind) {
    case FaultKind::kTruncatedLine:
      base.resize(std::max<size_t>(1, base.size() * (30 + fault.salt % 41) / 100));
      break;
    case FaultKind::kNotJson:
      base = kGarbageLines[fault.salt % std::size(kGarbageLines)];
      break;
    case FaultKind::kWrongType:
      replace_number(R"("ts":)", R"("yesterday")");
      break;
    case FaultKind::kObjectForScalar:
      replace_number(R"("sessionId":)", R"({"x":1})");
      break;
    case FaultKind::kInvalidUtf8: {
      const std::string_view key = R"("auth":")";
      base.insert(base.find(key) + key.size(), "\xFF\xFE");
      break;
    }
    default:
      break;
  }
  out += base;
}

void Generator::SimulateDay(int64_t day, Scratch& s) const {
  const DayPlan& plan = days_[static_cast<size_t>(day)];
  Rng rng(o_.seed, Stream::kDay, static_cast<uint64_t>(day));
  const int64_t song_count = o_.songs;
  const auto decoy_count = static_cast<int64_t>(plays_.size()) - song_count;
  const int64_t day_end = plan.start_ms + kMsPerDay;
  int hour_total = 0;
  for (int w : kHourWeights) hour_total += w;

  // 1. Session sizes summing exactly to the day's events, and diurnal start times.
  s.sessions.clear();
  for (int64_t left = plan.events; left > 0;) {
    int64_t size = 1 + rng.Below(int64_t{25}) + rng.Below(int64_t{25});
    if (rng.Below(10) == 0) size += rng.Below(int64_t{80});
    size = std::min(size, left);
    left -= size;
    int hour = 0;
    for (int r = rng.Below(hour_total); r >= kHourWeights[hour]; ++hour) r -= kHourWeights[hour];
    int64_t start = hour * kMsPerHour + rng.Below(kMsPerHour);
    // About 200 s per event: keep the session inside the day where that is possible.
    const int64_t latest = std::max<int64_t>(0, kMsPerDay - size * 200'000);
    if (start > latest) start = rng.Below(latest + 1);
    s.sessions.emplace_back(start, static_cast<int32_t>(size));
  }
  std::stable_sort(s.sessions.begin(), s.sessions.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  // 2. Play the sessions in start order, so a user is rarely in two sessions at once and an
  //    upgrade happens once, in the first session that reaches the user's upgrade time.
  s.busy_until.assign(static_cast<size_t>(o_.users) + 1, 0);
  s.upgraded_at.assign(static_cast<size_t>(o_.users) + 1, -1);
  s.events.clear();
  s.events.reserve(static_cast<size_t>(plan.events));
  for (size_t k = 0; k < s.sessions.size(); ++k) {
    const int64_t start_rel = s.sessions[k].first;
    const int32_t size = s.sessions[k].second;
    int64_t user_index = 0;
    for (int attempt = 0; attempt < 4; ++attempt) {
      const auto r = static_cast<uint64_t>(rng.Skewed(o_.users));
      user_index = 1 + static_cast<int64_t>((r * user_stride_ + user_offset_) %
                                            static_cast<uint64_t>(o_.users));
      if (s.busy_until[static_cast<size_t>(user_index)] <= start_rel) break;
    }
    const User& user = users_[static_cast<size_t>(user_index)];
    int64_t& upgraded_at = s.upgraded_at[static_cast<size_t>(user_index)];
    const bool paid_all_day =
        user.initially_paid || (user.upgrade_day >= 0 && user.upgrade_day < day);
    const bool upgrades_today = user.upgrade_day == day;
    bool upgrade_shown = false;
    // Some sessions start logged out (Home, About, Help) and log in later.
    bool logged_in = !rng.PerMille(60);
    int logged_out_pages = logged_in ? 0 : 1 + rng.Below(3);
    Page prev = kHome;
    int64_t t = plan.start_ms + start_rel;

    for (int32_t item = 0; item < size; ++item) {
      const int32_t left_after = size - item - 1;
      // The level is a function of the time alone, so that no user ever reads free after
      // reading paid, even across two overlapping sessions.
      const bool paid = paid_all_day || (upgraded_at >= 0 && t >= upgraded_at);
      const bool upgrade_due = upgrades_today && upgraded_at < 0 && t >= user.upgrade_ms;
      Page page;
      bool as_user = true;
      if (!logged_in) {
        as_user = false;
        if (logged_out_pages > 0) {
          const int r = rng.Below(10);
          page = r < 7 ? kHome : (r < 9 ? kAbout : kHelp);
          --logged_out_pages;
        } else {
          page = kLogin;
          logged_in = true;
        }
      } else if (upgrade_due) {
        if (!upgrade_shown && left_after >= 1) {
          page = kUpgrade;
          upgrade_shown = true;
        } else {
          page = kSubmitUpgrade;
        }
      } else if (item == 0) {
        page = rng.Below(2) == 0 ? kHome : kNextSong;
      } else if (prev == kSettings && rng.Below(2) == 0) {
        page = kSaveSettings;
      } else if (rng.PerMille(870)) {
        page = kNextSong;
      } else {
        // Home 40, Logout 10, Settings 8, Help 6, About 4, Upgrade/Downgrade 8, Error 2.
        const int r = rng.Below(78);
        if (r < 40) {
          page = kHome;
        } else if (r < 50) {
          page = kLogout;
        } else if (r < 58) {
          page = kSettings;
        } else if (r < 64) {
          page = kHelp;
        } else if (r < 68) {
          page = kAbout;
        } else if (r < 76) {
          page = paid ? kDowngrade : kUpgrade;
        } else {
          page = kError;
        }
      }

      int32_t play = -1;
      if (page == kNextSong) {
        ++s.next_song_events;
        if (rng.Chance(o_.match_rate)) {
          play = static_cast<int32_t>(rng.Skewed(song_count));
          ++s.matched_plays;
        } else {
          play = static_cast<int32_t>(song_count + rng.Skewed(decoy_count));
        }
      }
      s.events.push_back(Ev{t, static_cast<int32_t>(k), item,
                            as_user ? static_cast<int32_t>(user_index) : 0, play,
                            static_cast<uint8_t>(page), static_cast<uint8_t>(paid ? 1 : 0)});
      // Submit Upgrade itself is the last free event; everything after it is paid.
      if (page == kSubmitUpgrade) upgraded_at = t + 1;
      if (page == kLogout) {
        logged_in = false;
        logged_out_pages = 1;  // the Home page a logged-out visitor lands on, then Login
      }
      prev = page;
      int64_t step = play >= 0 ? plays_[static_cast<size_t>(play)].length_ms
                               : 3'000 + rng.Below(int64_t{57'000});
      // A session that would run past midnight is squeezed into what is left of its day.
      if (left_after > 0) step = std::min(step, (day_end - 1 - t) / left_after);
      t += step;
    }
    s.busy_until[static_cast<size_t>(user_index)] = t - plan.start_ms;
  }

  std::sort(s.events.begin(), s.events.end(), [](const Ev& a, const Ev& b) {
    if (a.ts != b.ts) return a.ts < b.ts;
    if (a.session != b.session) return a.session < b.session;
    return a.item < b.item;
  });
}

Status Generator::WriteDay(int64_t day, Scratch& s) const {
  const DayPlan& plan = days_[static_cast<size_t>(day)];
  SimulateDay(day, s);
  std::string& out = s.buffer;
  out.clear();
  out.reserve(static_cast<size_t>(plan.events) * 480 + plan.faults.size() * 512);
  bool first_line = true;
  auto start_line = [&] {
    if (!first_line) out += '\n';
    first_line = false;
  };
  size_t next_fault = 0;
  auto emit_faults_before = [&](int64_t position) {
    while (next_fault < plan.faults.size() && plan.faults[next_fault].position == position) {
      start_line();
      AppendFaultLine(plan.faults[next_fault], s.events, plan, out);
      ++next_fault;
    }
  };
  for (size_t i = 0; i < s.events.size(); ++i) {
    emit_faults_before(static_cast<int64_t>(i));
    start_line();
    AppendEvent(s.events[i], plan.session_base, out);
  }
  emit_faults_before(plan.events);
  s.good_events += static_cast<int64_t>(s.events.size());
  s.bytes += out.size();
  return WriteFile(out_ + "/" + plan.rel_path, out);
}

Status Generator::RunWorkers(int threads, GenerateSummary& summary) {
  const auto day_count = static_cast<int64_t>(days_.size());
  const int64_t total = day_count + static_cast<int64_t>(song_folders_.size());
  threads = static_cast<int>(std::clamp<int64_t>(threads, 1, std::max<int64_t>(1, total)));

  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::optional<std::pair<int64_t, Error>> first_error;  // lowest item index wins
  std::vector<Scratch> scratch(static_cast<size_t>(threads));

  auto work = [&](Scratch& s) {
    // Days first: they are the big items, and the small song files then fill the gaps.
    for (int64_t item = next++; item < total && !failed.load(); item = next++) {
      Status status;
      if (item < day_count) {
        status = WriteDay(item, s);
      } else {
        status = WriteSongFolder(song_folders_[static_cast<size_t>(item - day_count)], s);
      }
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first_error || item < first_error->first) first_error.emplace(item, status.error());
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i)
    pool.emplace_back(work, std::ref(scratch[static_cast<size_t>(i)]));
  work(scratch[0]);
  for (std::thread& t : pool) t.join();
  if (first_error) return std::move(first_error->second);
  for (const Scratch& s : scratch) {
    summary.bytes += s.bytes;
    summary.events += s.good_events;
    summary.next_song_events += s.next_song_events;
    summary.matched_plays += s.matched_plays;
  }
  return Status::Ok();
}

Status Generator::WriteFaultTable() {
  struct Row {
    std::string file;
    int64_t line;
    FaultKind kind;
  };
  std::vector<Row> rows;
  for (const DayPlan& plan : days_) {
    for (const EventFault& f : plan.faults) rows.push_back({plan.rel_path, f.line, f.kind});
  }
  for (const SongFault& f : song_faults_) {
    rows.push_back({SongPath(f.song).substr(out_.size() + 1), 1, f.kind});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
  std::string text = "file\tline\tkind\n";
  for (const Row& row : rows) {
    text += row.file;
    text += '\t';
    AppendInt(text, row.line);
    text += '\t';
    text += FaultKindName(row.kind);
    text += '\n';
  }
  return WriteFile(out_ + "/injected_faults.tsv", text);
}

Result<GenerateSummary> Generator::Run() {
  SPARKIFY_RETURN_IF_ERROR(BuildCatalogue());
  BuildUsers();
  SPARKIFY_RETURN_IF_ERROR(PlanDays());
  PlanFaults();
  SPARKIFY_RETURN_IF_ERROR(PrepareDirectories());
  int threads = o_.threads;
  if (threads == 0) threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  GenerateSummary summary;
  SPARKIFY_RETURN_IF_ERROR(RunWorkers(threads, summary));
  if (o_.malformed > 0) SPARKIFY_RETURN_IF_ERROR(WriteFaultTable());
  summary.song_files = static_cast<int64_t>(songs_.size());
  summary.event_files = static_cast<int64_t>(days_.size());
  summary.malformed = o_.malformed;
  summary.artists = num_artists_;
  return summary;
}

Status Validate(const GenerateOptions& o) {
  auto out_of_range = [](const char* name, int64_t value, int64_t lo, int64_t hi) -> Status {
    if (value >= lo && value <= hi) return Status::Ok();
    return Error::InvalidArgument(std::string(name) + " must be between " + std::to_string(lo) +
                                  " and " + std::to_string(hi) + ", got " + std::to_string(value));
  };
  if (o.out_dir.empty()) return Error::InvalidArgument("an output directory is required");
  SPARKIFY_RETURN_IF_ERROR(out_of_range("songs", o.songs, 1, kMaxSongs));
  SPARKIFY_RETURN_IF_ERROR(out_of_range("artists", o.artists, 0, o.songs));
  SPARKIFY_RETURN_IF_ERROR(out_of_range("events", o.events, 0, kMaxEvents));
  SPARKIFY_RETURN_IF_ERROR(out_of_range("users", o.users, 1, kMaxUsers));
  SPARKIFY_RETURN_IF_ERROR(out_of_range("days", o.days, 1, kMaxDays));
  SPARKIFY_RETURN_IF_ERROR(out_of_range("malformed", o.malformed, 0, kMaxMalformed));
  SPARKIFY_RETURN_IF_ERROR(out_of_range("threads", o.threads, 0, kMaxThreads));
  if (!(o.match_rate >= 0.0 && o.match_rate <= 1.0)) {
    char text[32];
    const auto res = std::to_chars(text, text + sizeof(text), o.match_rate);
    return Error::InvalidArgument("match rate must be between 0 and 1, got " +
                                  std::string(text, res.ptr));
  }
  const std::optional<int64_t> first = ParseDate(o.start_date);
  if (!first) {
    return Error::InvalidArgument("start date must be a valid YYYY-MM-DD date from 1970 on, got '" +
                                  o.start_date + "'");
  }
  if (*first + o.days - 1 > DaysFromCivil(9999, 12, 31)) {
    return Error::InvalidArgument("the generated period must end before the year 10000");
  }
  return Status::Ok();
}

}  // namespace

Result<GenerateSummary> Generate(const GenerateOptions& options) {
  SPARKIFY_RETURN_IF_ERROR(Validate(options));
  Generator generator(options, *ParseDate(options.start_date));
  return generator.Run();
}

}  // namespace sparkify::generate
