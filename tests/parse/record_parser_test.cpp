#include "sparkify/parse/record_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sparkify/parse/records.hpp"

namespace sparkify::parse {
namespace {

// Column indexes in staging_events / staging_songs.
constexpr size_t kArtist = 0, kFirstName = 2, kItemInSession = 4, kLength = 6, kPage = 10,
                 kRegistration = 11, kSessionId = 12, kSong = 13, kTs = 15, kUserAgent = 16,
                 kUserId = 17;
constexpr size_t kSongArtistId = 1, kSongLatitude = 2, kSongArtistName = 5, kSongTitle = 7,
                 kSongDuration = 8, kSongYear = 9;

const std::string kGoodLine =
    R"({"artist":"Des'ree","auth":"Logged In","firstName":"Kaylee","gender":"F","itemInSession":1,)"
    R"("lastName":"Summers","length":246.30812,"level":"free","location":"Phoenix-Mesa-Scottsdale, AZ",)"
    R"("method":"PUT","page":"NextSong","registration":1540344794796.0,"sessionId":139,)"
    R"("song":"You Gotta Be","status":200,"ts":1541106106796,)"
    R"("userAgent":"\"Mozilla\/5.0 (Windows NT 6.1; WOW64)\"","userId":"8"})";

const std::string kGoodSong =
    R"({"num_songs": 1, "artist_id": "AR62SOJ1187FB47BB5", "artist_latitude": null, )"
    R"("artist_longitude": null, "artist_location": "", "artist_name": "Chase & Status", )"
    R"("song_id": "SOGVQGJ12AB017F169", "title": "Ten Tonne", "duration": 337.68444, "year": 2005})";

struct Parsed {
  ColumnBatch batch;
  std::vector<LoadError> errors;
  ParseCounts counts;
};

Parsed ParseEvents(const std::string& text, uint64_t first_line = 1, uint64_t first_offset = 0) {
  std::string padded = text + std::string(kPadding, '\0');
  RecordParser parser;
  CollectingSink sink;
  Parsed p{ColumnBatch(StagingEventsSchema()), {}, {}};
  p.counts = parser.ParseEventLines("events.json", 3, padded.data(), text.size(), padded.size(),
                                    first_line, first_offset, p.batch, sink);
  p.errors = sink.Take();
  return p;
}

Parsed ParseSong(const std::string& text) {
  std::string padded = text + std::string(kPadding, '\0');
  RecordParser parser;
  CollectingSink sink;
  Parsed p{ColumnBatch(StagingSongsSchema()), {}, {}};
  p.counts =
      parser.ParseSongFile("song.json", padded.data(), text.size(), padded.size(), p.batch, sink);
  p.errors = sink.Take();
  return p;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "fixture does not contain " << from;
  return s.replace(pos, from.size(), to);
}

TEST(EventParser, ParsesEveryFieldTyped) {
  Parsed p = ParseEvents(kGoodLine);
  ASSERT_EQ(p.errors.size(), 0u);
  ASSERT_EQ(p.batch.rows(), 1u);
  EXPECT_EQ(p.batch.Text(kArtist, 0), "Des'ree");
  EXPECT_EQ(p.batch.Text(kFirstName, 0), "Kaylee");
  EXPECT_EQ(p.batch.Int(kItemInSession, 0), 1);
  EXPECT_DOUBLE_EQ(p.batch.Double(kLength, 0), 246.30812);
  EXPECT_EQ(p.batch.Text(kPage, 0), "NextSong");
  EXPECT_DOUBLE_EQ(p.batch.Double(kRegistration, 0), 1540344794796.0);
  EXPECT_EQ(p.batch.Int(kSessionId, 0), 139);
  EXPECT_EQ(p.batch.Int(kTs, 0), 1541106106796);
  EXPECT_EQ(p.batch.Text(kUserId, 0), "8");
}

TEST(EventParser, UnescapesSlashesQuotesAndUnicode) {
  Parsed p =
      ParseEvents(Replace(kGoodLine, R"("artist":"Des'ree")",
                          R"("artist":"Beyonc\u00e9 \/ Sigur R\u00f3s \ud83c\udfb5 tab\there")"));
  ASSERT_EQ(p.batch.rows(), 1u);
  EXPECT_EQ(p.batch.Text(kArtist, 0),
            "Beyonc\xC3\xA9 / Sigur R\xC3\xB3s \xF0\x9F\x8E\xB5 tab\there");
  EXPECT_EQ(p.batch.Text(kUserAgent, 0), "\"Mozilla/5.0 (Windows NT 6.1; WOW64)\"");
}

TEST(EventParser, NullsBecomeSqlNull) {
  Parsed p = ParseEvents(Replace(kGoodLine, R"("length":246.30812)", R"("length":null)"));
  ASSERT_EQ(p.batch.rows(), 1u);
  EXPECT_TRUE(p.batch.IsNull(kLength, 0));
  EXPECT_FALSE(p.batch.IsNull(kSong, 0));
}

TEST(EventParser, ConvertsNumbersInStringsForNumericFields) {
  std::string line = Replace(kGoodLine, R"("sessionId":139)", R"("sessionId":"140")");
  line = Replace(line, R"("length":246.30812)", R"("length":"246.5")");
  Parsed p = ParseEvents(line);
  ASSERT_EQ(p.errors.size(), 0u) << p.errors[0].reason;
  EXPECT_EQ(p.batch.Int(kSessionId, 0), 140);
  EXPECT_DOUBLE_EQ(p.batch.Double(kLength, 0), 246.5);
}

TEST(EventParser, ConvertsNumbersForTextFields) {
  Parsed p = ParseEvents(Replace(Replace(kGoodLine, R"("userId":"8")", R"("userId":8)"),
                                 R"("artist":"Des'ree")", R"("artist":112)"));
  ASSERT_EQ(p.errors.size(), 0u);
  EXPECT_EQ(p.batch.Text(kUserId, 0), "8");
  EXPECT_EQ(p.batch.Text(kArtist, 0), "112");
}

TEST(EventParser, AcceptsIntegralFloatForIntegerField) {
  Parsed p = ParseEvents(Replace(kGoodLine, R"("status":200)", R"("status":200.0)"));
  ASSERT_EQ(p.errors.size(), 0u);
}

TEST(EventParser, RejectsWordInNumericField) {
  Parsed p = ParseEvents(Replace(kGoodLine, R"("ts":1541106106796)", R"("ts":"yesterday")"));
  EXPECT_EQ(p.batch.rows(), 0u);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 1u);
  EXPECT_NE(p.errors[0].reason.find("\"ts\""), std::string::npos) << p.errors[0].reason;
  EXPECT_NE(p.errors[0].reason.find("yesterday"), std::string::npos) << p.errors[0].reason;
}

TEST(EventParser, RejectsFractionInIntegerField) {
  Parsed p = ParseEvents(Replace(kGoodLine, R"("sessionId":139)", R"("sessionId":139.5)"));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_NE(p.errors[0].reason.find("sessionId"), std::string::npos);
}

TEST(EventParser, RejectsObjectWhereScalarBelongs) {
  Parsed p = ParseEvents(Replace(kGoodLine, R"("sessionId":139)", R"("sessionId":{"x":1})"));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_NE(p.errors[0].reason.find("found an object"), std::string::npos) << p.errors[0].reason;
}

TEST(EventParser, RejectsArrayAndBooleanInTextField) {
  Parsed a = ParseEvents(Replace(kGoodLine, R"("song":"You Gotta Be")", R"("song":["a"])"));
  Parsed b = ParseEvents(Replace(kGoodLine, R"("song":"You Gotta Be")", R"("song":true)"));
  ASSERT_EQ(a.errors.size(), 1u);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_NE(a.errors[0].reason.find("found an array"), std::string::npos);
  EXPECT_NE(b.errors[0].reason.find("found a boolean"), std::string::npos);
}

TEST(EventParser, RejectsMissingOrNullRequiredField) {
  Parsed missing = ParseEvents(Replace(kGoodLine, R"("ts":1541106106796,)", ""));
  Parsed null_ts = ParseEvents(Replace(kGoodLine, R"("ts":1541106106796)", R"("ts":null)"));
  ASSERT_EQ(missing.errors.size(), 1u);
  ASSERT_EQ(null_ts.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].reason, "required field \"ts\" is missing");
  EXPECT_EQ(null_ts.errors[0].reason, "required field \"ts\" is null");
}

TEST(EventParser, IgnoresUnknownFields) {
  Parsed p =
      ParseEvents(Replace(kGoodLine, R"("auth":)", R"("extra":{"deep":[1,2,{"x":null}]},"auth":)"));
  EXPECT_EQ(p.errors.size(), 0u);
  EXPECT_EQ(p.batch.rows(), 1u);
}

TEST(EventParser, RejectsDuplicateKnownKey) {
  Parsed p = ParseEvents(Replace(kGoodLine, R"("auth":)", R"("ts":1,"auth":)"));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].reason, "duplicate key \"ts\"");
}

TEST(EventParser, RejectsTruncatedLineAndKeepsNeighbours) {
  std::string text = kGoodLine + "\n" + kGoodLine.substr(0, 80) + "\n" + kGoodLine;
  Parsed p = ParseEvents(text, 1, 0);
  EXPECT_EQ(p.batch.rows(), 2u);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 2u);
  EXPECT_EQ(p.errors[0].byte_offset, kGoodLine.size() + 1);
  EXPECT_EQ(p.errors[0].file, "events.json");
  EXPECT_EQ(p.errors[0].table, "staging_events");
  EXPECT_NE(p.errors[0].reason.find("malformed JSON"), std::string::npos) << p.errors[0].reason;
  EXPECT_EQ(p.errors[0].excerpt, kGoodLine.substr(0, 80));
  EXPECT_EQ(p.counts.lines, 3u);
}

TEST(EventParser, RejectsGarbageAndTrailingContent) {
  Parsed p = ParseEvents("not json at all\n" + kGoodLine + " {}\n[1,2]\n42");
  EXPECT_EQ(p.batch.rows(), 0u);
  ASSERT_EQ(p.errors.size(), 4u);
  EXPECT_EQ(p.errors[1].reason, "unexpected content after the JSON object");
  EXPECT_EQ(p.errors[2].reason, "expected a JSON object, found an array");
  EXPECT_EQ(p.errors[3].reason, "expected a JSON object, found a number");
}

TEST(EventParser, RejectsInvalidUtf8WithSafeExcerpt) {
  Parsed p = ParseEvents(Replace(kGoodLine, "Kaylee", "Kay\xff\xfelee"));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].reason, "invalid UTF-8 in the input");
  EXPECT_EQ(p.errors[0].excerpt.find('\xff'), std::string::npos);
  EXPECT_NE(p.errors[0].excerpt.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(EventParser, RejectsNanAndInfinityByName) {
  // simdjson calls NaN a truncated document and -Infinity a wrong type; the reason names them.
  for (const char* literal : {"NaN", "Infinity", "-Infinity", "nan", "-inf"}) {
    Parsed p = ParseEvents(Replace(kGoodLine, "246.30812", literal));
    ASSERT_EQ(p.errors.size(), 1u) << literal;
    EXPECT_EQ(p.errors[0].reason, std::string("field \"length\": NaN and Infinity are not JSON "
                                              "numbers (found ") +
                                      literal + ")");
  }
  Parsed ts = ParseEvents(Replace(kGoodLine, "1541106106796", "Infinity"));
  ASSERT_EQ(ts.errors.size(), 1u);
  EXPECT_EQ(ts.errors[0].reason,
            "field \"ts\": NaN and Infinity are not JSON numbers (found Infinity)");
  Parsed text = ParseEvents(Replace(kGoodLine, R"("Des'ree")", "NaN"));
  ASSERT_EQ(text.errors.size(), 1u);
  EXPECT_EQ(text.errors[0].reason,
            "field \"artist\": NaN and Infinity are not JSON numbers (found NaN)");
}

TEST(EventParser, RejectsNumberOutOfRangeByName) {
  Parsed p = ParseEvents(Replace(kGoodLine, "246.30812", "1e400"));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].reason, "field \"length\": number out of range (found 1e400)");
}

TEST(EventParser, RejectsRawControlCharacterInString) {
  Parsed p = ParseEvents(Replace(kGoodLine, "Kaylee", "Kay\x01lee"));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].reason, "malformed JSON: unescaped control character in a string");
}

TEST(EventParser, NamesARawNulByteInsideOrOutsideAString) {
  Parsed inside = ParseEvents(Replace(kGoodLine, "Kaylee", std::string("Kay\0lee", 7)));
  Parsed padding = ParseEvents(kGoodLine + "\n" + std::string(100, '\0'));
  ASSERT_EQ(inside.errors.size(), 1u);
  ASSERT_EQ(padding.errors.size(), 1u);
  const std::string reason =
      "malformed JSON: a NUL byte (0x00) in the text, which JSON does not allow";
  EXPECT_EQ(inside.errors[0].reason, reason);
  EXPECT_EQ(padding.errors[0].reason, reason);
  EXPECT_EQ(padding.errors[0].line, 2u);
  EXPECT_EQ(padding.batch.rows(), 1u);
  EXPECT_EQ(padding.errors[0].excerpt.find('\0'), std::string::npos);
}

TEST(EventParser, RejectsABomThatDoesNotStartTheFile) {
  Parsed p = ParseEvents(kGoodLine + "\n\xEF\xBB\xBF" + kGoodLine + "\n");
  EXPECT_EQ(p.batch.rows(), 1u);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 2u);
  EXPECT_NE(p.errors[0].reason.find("byte order mark (BOM) in the middle of the file"),
            std::string::npos)
      << p.errors[0].reason;
  // A block that does not start the file skips no BOM either.
  Parsed later = ParseEvents("\xEF\xBB\xBF" + kGoodLine + "\n", 7, 4096);
  EXPECT_EQ(later.errors.size(), 1u);
}

TEST(EventParser, RejectsDeeplyNestedJunkInAKnownField) {
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  Parsed p = ParseEvents(Replace(kGoodLine, R"("auth":"Logged In")", R"("auth":)" + deep));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_NE(p.errors[0].reason.find("found an array"), std::string::npos);
}

// On-Demand skips unknown values by counting brackets, without checking them: these loaded
// before unknown values were validated.
TEST(EventParser, RejectsMalformedJsonInAnUnknownField) {
  for (const char* junk : {"[1,,2]", "[1,2}", "{\"a\":}", "{\"a\" 1}", "[tru]", "nul", "01",
                           "1.2.3", "\"bad \\q escape\"", "[NaN]", "-"}) {
    Parsed p = ParseEvents(
        Replace(kGoodLine, R"("auth":)", std::string(R"("junk":)") + junk + R"(,"auth":)"));
    EXPECT_EQ(p.batch.rows(), 0u) << junk;
    ASSERT_EQ(p.errors.size(), 1u) << junk;
    EXPECT_TRUE(p.errors[0].reason.starts_with("field \"junk\": "))
        << junk << ": " << p.errors[0].reason;
  }
}

TEST(EventParser, RejectsUnknownFieldNestedDeeperThanTheLimit) {
  auto nested = [](size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  Parsed deep =
      ParseEvents(Replace(kGoodLine, R"("auth":)", R"("junk":)" + nested(5000) + R"(,"auth":)"));
  ASSERT_EQ(deep.errors.size(), 1u);
  EXPECT_EQ(deep.errors[0].reason,
            "field \"junk\": malformed JSON: nested too deeply (more than 1024 levels)");
  // Unbalanced nesting is malformed wherever it is.
  Parsed open = ParseEvents(
      Replace(kGoodLine, R"("auth":)", R"("junk":)" + std::string(3000, '[') + R"(,"auth":)"));
  EXPECT_EQ(open.errors.size(), 1u);
  // Well-formed unknown values within the limit are ignored, however shaped.
  Parsed fine = ParseEvents(Replace(kGoodLine, R"("auth":)",
                                    R"("junk":)" + nested(1000) +
                                        R"(,"more":{"a":[1,2.5e3,"x\u00e9",true,)"
                                        R"(false,null,{}]},"s":"x","n":-0.5,"auth":)"));
  EXPECT_EQ(fine.errors.size(), 0u) << (fine.errors.empty() ? "" : fine.errors[0].reason);
  EXPECT_EQ(fine.batch.rows(), 1u);
}

TEST(EventParser, SkipsBlankLinesAndHandlesCrlfAndBom) {
  std::string text = "\xEF\xBB\xBF" + kGoodLine + "\r\n\r\n   \n" + kGoodLine + "\r\n";
  Parsed p = ParseEvents(text);
  EXPECT_EQ(p.errors.size(), 0u);
  EXPECT_EQ(p.batch.rows(), 2u);
  EXPECT_EQ(p.counts.lines, 4u);
}

TEST(EventParser, CountsLinesFromTheBlockStart) {
  Parsed p = ParseEvents(kGoodLine + "\n{oops\n", 41, 9000);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 42u);
  EXPECT_EQ(p.errors[0].byte_offset, 9000 + kGoodLine.size() + 1);
}

TEST(EventParser, EmptyInputYieldsNothing) {
  Parsed p = ParseEvents("");
  EXPECT_EQ(p.batch.rows(), 0u);
  EXPECT_EQ(p.errors.size(), 0u);
}

TEST(SongParser, ParsesOneObject) {
  Parsed p = ParseSong(kGoodSong);
  ASSERT_EQ(p.errors.size(), 0u);
  ASSERT_EQ(p.batch.rows(), 1u);
  EXPECT_EQ(p.batch.Text(kSongArtistId, 0), "AR62SOJ1187FB47BB5");
  EXPECT_TRUE(p.batch.IsNull(kSongLatitude, 0));
  EXPECT_EQ(p.batch.Text(kSongArtistName, 0), "Chase & Status");
  EXPECT_EQ(p.batch.Text(kSongTitle, 0), "Ten Tonne");
  EXPECT_DOUBLE_EQ(p.batch.Double(kSongDuration, 0), 337.68444);
  EXPECT_EQ(p.batch.Int(kSongYear, 0), 2005);
}

TEST(SongParser, ParsesPrettyPrintedFileWithBom) {
  std::string pretty =
      "\xEF\xBB\xBF{\n    \"num_songs\": 1,\n    \"artist_id\": \"ARX\",\n"
      "    \"song_id\": \"SOX\",\n    \"title\": \"T\",\n    \"duration\": 1.5\n}\n";
  Parsed p = ParseSong(pretty);
  ASSERT_EQ(p.errors.size(), 0u);
  EXPECT_EQ(p.batch.rows(), 1u);
}

TEST(SongParser, ConvertsNumericArtistName) {
  Parsed p = ParseSong(Replace(kGoodSong, R"("Chase & Status")", "112"));
  ASSERT_EQ(p.errors.size(), 0u);
  EXPECT_EQ(p.batch.Text(kSongArtistName, 0), "112");
}

TEST(SongParser, RejectsEmptyTruncatedArrayAndTwoObjects) {
  EXPECT_EQ(ParseSong("").errors.at(0).reason, "empty file: expected one JSON object");
  EXPECT_EQ(ParseSong("  \n").errors.at(0).reason, "empty file: expected one JSON object");
  Parsed truncated = ParseSong(kGoodSong.substr(0, 50));
  ASSERT_EQ(truncated.errors.size(), 1u);
  EXPECT_NE(truncated.errors[0].reason.find("malformed JSON"), std::string::npos);
  EXPECT_EQ(ParseSong("[" + kGoodSong + "]").errors.at(0).reason,
            "expected a JSON object, found an array");
  EXPECT_EQ(ParseSong(kGoodSong + "\n" + kGoodSong).errors.at(0).reason,
            "expected exactly one JSON object, found more content after it");
  EXPECT_EQ(ParseSong(kGoodSong + "\n" + kGoodSong).batch.rows(), 0u);
}

TEST(SongParser, RequiresSongAndArtistIds) {
  Parsed p =
      ParseSong(Replace(kGoodSong, R"("song_id": "SOGVQGJ12AB017F169")", R"("song_id": null)"));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].reason, "required field \"song_id\" is null");
  EXPECT_EQ(p.errors[0].line, 1u);
  EXPECT_EQ(p.errors[0].table, "staging_songs");
}

TEST(SafeExcerpt, CutsAtCodePointBoundary) {
  std::string s = std::string(118, 'a') + "\xC3\xA9\xC3\xA9";
  std::string e = SafeExcerpt(s, 120);
  EXPECT_EQ(e, std::string(118, 'a') + "\xC3\xA9...");
}

}  // namespace
}  // namespace sparkify::parse
