#include "sparkify/analytics/format.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace sparkify::analytics {
namespace {

using engine::QueryResult;
using engine::ResultColumn;
using engine::ResultValue;
using engine::ValueKind;

QueryResult MakeResult(std::vector<ResultColumn> columns,
                       std::vector<std::vector<ResultValue>> rows) {
  return QueryResult{std::move(columns), std::move(rows)};
}

std::string Table(const QueryResult& result, bool color = false) {
  std::ostringstream out;
  WriteTable(out, result, TableStyle{color});
  return out.str();
}

std::string Csv(const QueryResult& result) {
  std::ostringstream out;
  WriteCsv(out, result);
  return out.str();
}

std::string Json(const QueryResult& result) {
  std::ostringstream out;
  WriteJson(out, result);
  return out.str();
}

// One text column holding each given value, for tests about escaping a single field.
QueryResult TextColumn(std::vector<ResultValue> values, ValueKind kind = ValueKind::kText) {
  QueryResult result{{{"v", kind}}, {}};
  for (ResultValue& v : values) result.rows.push_back({std::move(v)});
  return result;
}

// --- ParseOutputFormat -----------------------------------------------------------------------

TEST(ParseOutputFormatTest, AcceptsKnownNamesInAnyCase) {
  const std::pair<const char*, OutputFormat> cases[] = {
      {"table", OutputFormat::kTable}, {"TABLE", OutputFormat::kTable},
      {"TaBlE", OutputFormat::kTable}, {"csv", OutputFormat::kCsv},
      {"CSV", OutputFormat::kCsv},     {"json", OutputFormat::kJson},
      {"Json", OutputFormat::kJson},
  };
  for (const auto& [name, expected] : cases) {
    Result<OutputFormat> parsed = ParseOutputFormat(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, expected) << name;
  }
}

TEST(ParseOutputFormatTest, RejectsUnknownNameWithInvalidArgumentListingValidNames) {
  Result<OutputFormat> parsed = ParseOutputFormat("xml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().message(),
            "unknown output format \"xml\"; valid formats: table, csv, json");
}

TEST(ParseOutputFormatTest, RejectsNearMissesRatherThanGuessing) {
  for (const char* name : {"", " csv", "csv ", "tsv", "jsonl", "tables", "c"}) {
    Result<OutputFormat> parsed = ParseOutputFormat(name);
    ASSERT_FALSE(parsed.ok()) << '"' << name << '"';
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
  }
}

// --- Table -----------------------------------------------------------------------------------

TEST(WriteTableTest, LeftAlignsTextAndRightAlignsNumbersUnderLeftAlignedHeaders) {
  const QueryResult result =
      MakeResult({{"song", ValueKind::kText}, {"plays", ValueKind::kInteger}},
                 {{"You're The One", "37"}, {"Up", "1024"}});
  EXPECT_EQ(Table(result),
            " song           | plays\n"
            "----------------+-------\n"
            " You're The One |    37\n"
            " Up             |  1024\n"
            "(2 rows)\n");
}

TEST(WriteTableTest, SingleRowFooterIsSingular) {
  const QueryResult result = MakeResult({{"n", ValueKind::kInteger}}, {{"1"}});
  EXPECT_EQ(Table(result),
            " n\n"
            "---\n"
            " 1\n"
            "(1 row)\n");
}

TEST(WriteTableTest, EmptyResultShowsHeaderRuleAndZeroRowsFooter) {
  const QueryResult result =
      MakeResult({{"artist", ValueKind::kText}, {"plays", ValueKind::kInteger}}, {});
  EXPECT_EQ(Table(result),
            " artist | plays\n"
            "--------+-------\n"
            "(0 rows)\n");
}

TEST(WriteTableTest, ResultWithoutColumnsPrintsOnlyTheFooter) {
  EXPECT_EQ(Table(MakeResult({}, {{}, {}})), "(2 rows)\n");
}

TEST(WriteTableTest, WidensColumnToValueWiderThanHeaderAndViceVersa) {
  const QueryResult result = MakeResult(
      {{"a", ValueKind::kText}, {"a_long_header", ValueKind::kText}, {"x", ValueKind::kText}},
      {{"wide value", "b", "c"}});
  EXPECT_EQ(Table(result),
            " a          | a_long_header | x\n"
            "------------+---------------+---\n"
            " wide value | b             | c\n"
            "(1 row)\n");
}

TEST(WriteTableTest, ShowsNullDistinctFromEmptyString) {
  const QueryResult result = MakeResult({{"name", ValueKind::kText}, {"n", ValueKind::kInteger}},
                                        {{std::nullopt, std::nullopt}, {"", "5"}});
  EXPECT_EQ(Table(result),
            " name | n\n"
            "------+------\n"
            " NULL | NULL\n"
            "      |    5\n"
            "(2 rows)\n");
}

TEST(WriteTableTest, EscapesNewlinesTabsAndCarriageReturnsSoEachRowStaysOnOneLine) {
  const QueryResult result = TextColumn({"line1\nline2", "a\tb", "crlf\r\n"});
  EXPECT_EQ(Table(result),
            " v\n"
            "--------------\n"
            " line1\\nline2\n"
            " a\\tb\n"
            " crlf\\r\\n\n"
            "(3 rows)\n");
}

TEST(WriteTableTest, EscapesOtherControlCharactersSoTheyCannotDriveTheTerminal) {
  // ESC would start a terminal escape sequence, U+009B is the one-byte CSI, DEL is invisible.
  const QueryResult result =
      TextColumn({"a\x1b[31mred", "b\xc2\x9b", std::string("c\0d", 3), "e\x7f"});
  EXPECT_EQ(Table(result),
            " v\n"
            "--------------\n"
            " a\\x1b[31mred\n"
            " b\\u009b\n"
            " c\\x00d\n"
            " e\\x7f\n"
            "(4 rows)\n");
}

TEST(WriteTableTest, LeavesCommasQuotesAndBackslashesAsTheyAre) {
  const QueryResult result = TextColumn({"a, \"b\"", "C:\\music"});
  EXPECT_EQ(Table(result),
            " v\n"
            "----------\n"
            " a, \"b\"\n"
            " C:\\music\n"
            "(2 rows)\n");
}

TEST(WriteTableTest, CountsAccentedLatinLettersAsOneColumnEach) {
  const QueryResult result =
      MakeResult({{"artist", ValueKind::kText}, {"plays", ValueKind::kInteger}},
                 {{"Beyoncé", "3"}, {"Sigur Rós", "12"}, {"ABBA", "7"}});
  EXPECT_EQ(Table(result),
            " artist    | plays\n"
            "-----------+-------\n"
            " Beyoncé   |     3\n"
            " Sigur Rós |    12\n"
            " ABBA      |     7\n"
            "(3 rows)\n");
}

TEST(WriteTableTest, CountsEastAsianWideCharactersAsTwoColumns) {
  const QueryResult result =
      MakeResult({{"city", ValueKind::kText}, {"n", ValueKind::kInteger}},
                 {{"東京", "1"}, {"Tokyo", "2"}, {"서울", "3"}, {"ＡＢ", "4"}});
  EXPECT_EQ(Table(result),
            " city  | n\n"
            "-------+---\n"
            " 東京  | 1\n"
            " Tokyo | 2\n"
            " 서울  | 3\n"
            " ＡＢ  | 4\n"
            "(4 rows)\n");
}

TEST(WriteTableTest, CountsEmojiAsTwoColumns) {
  const QueryResult result = TextColumn({"🎵🎵", "abcd"});
  EXPECT_EQ(Table(result),
            " v\n"
            "------\n"
            " 🎵🎵\n"
            " abcd\n"
            "(2 rows)\n");
}

TEST(WriteTableTest, CountsCombiningMarksAndZeroWidthJoinersAsNoColumns) {
  // "Beyonce" + U+0301 COMBINING ACUTE ACCENT renders like the precomposed "Beyoncé".
  const QueryResult result =
      MakeResult({{"artist", ValueKind::kText}, {"n", ValueKind::kInteger}},
                 {{"Beyonce\xcc\x81", "1"}, {"a\u200bb", "2"}, {"abc", "3"}});
  EXPECT_EQ(Table(result),
            " artist  | n\n"
            "---------+---\n"
            " Beyonce\xcc\x81 | 1\n"
            " a\u200bb      | 2\n"
            " abc     | 3\n"
            "(3 rows)\n");
}

TEST(WriteTableTest, ReplacesEachInvalidUtf8ByteWithOneColumnReplacementCharacter) {
  // A lone continuation byte, a truncated sequence, and an overlong encoding of '/'.
  const QueryResult result = MakeResult({{"v", ValueKind::kText}, {"n", ValueKind::kInteger}},
                                        {{"a\x80z", "1"}, {"\xe6\x9d", "2"}, {"\xc0\xaf", "3"}});
  EXPECT_EQ(Table(result),
            " v   | n\n"
            "-----+---\n"
            " a\uFFFDz | 1\n"
            " \uFFFD\uFFFD  | 2\n"
            " \uFFFD\uFFFD  | 3\n"
            "(3 rows)\n");
}

TEST(WriteTableTest, ShowsNumbersBooleansAndDatesVerbatim) {
  const QueryResult result = MakeResult({{"big", ValueKind::kInteger},
                                         {"ratio", ValueKind::kFloat},
                                         {"paid", ValueKind::kBoolean},
                                         {"day", ValueKind::kDate}},
                                        {{"9223372036854775807", "0.1", "true", "2018-11-01"},
                                         {"-1", "1e+300", "false", "2018-11-30"},
                                         {"0", "NaN", std::nullopt, std::nullopt}});
  EXPECT_EQ(Table(result),
            " big                 | ratio  | paid  | day\n"
            "---------------------+--------+-------+------------\n"
            " 9223372036854775807 |    0.1 | true  | 2018-11-01\n"
            "                  -1 | 1e+300 | false | 2018-11-30\n"
            "                   0 |    NaN | NULL  | NULL\n"
            "(3 rows)\n");
}

TEST(WriteTableTest, ColorBoldsHeaderAndDimsNullWithoutChangingAlignment) {
  const QueryResult result =
      MakeResult({{"song", ValueKind::kText}, {"plays", ValueKind::kInteger}},
                 {{std::nullopt, "37"}, {"Yellow", std::nullopt}});
  EXPECT_EQ(Table(result, /*color=*/true),
            " \x1b[1msong\x1b[0m   | \x1b[1mplays\x1b[0m\n"
            "--------+-------\n"
            " \x1b[2mNULL\x1b[0m   |    37\n"
            " Yellow |  \x1b[2mNULL\x1b[0m\n"
            "(2 rows)\n");
}

TEST(WriteTableTest, WithoutColorEmitsNoEscapeCodes) {
  const QueryResult result = MakeResult({{"s", ValueKind::kText}}, {{std::nullopt}});
  EXPECT_EQ(Table(result).find('\x1b'), std::string::npos);
}

TEST(WriteTableTest, EscapesControlCharactersInHeaderNames) {
  const QueryResult result = MakeResult({{"a\nb", ValueKind::kText}}, {{"x"}});
  EXPECT_EQ(Table(result),
            " a\\nb\n"
            "------\n"
            " x\n"
            "(1 row)\n");
}

// --- CSV -------------------------------------------------------------------------------------

TEST(WriteCsvTest, WritesHeaderAndRowsWithCrlfLineEnds) {
  const QueryResult result =
      MakeResult({{"song", ValueKind::kText}, {"plays", ValueKind::kInteger}},
                 {{"You're The One", "37"}, {"Up", "1024"}});
  EXPECT_EQ(Csv(result),
            "song,plays\r\n"
            "You're The One,37\r\n"
            "Up,1024\r\n");
}

TEST(WriteCsvTest, EmptyResultWritesOnlyTheHeader) {
  const QueryResult result =
      MakeResult({{"artist", ValueKind::kText}, {"plays", ValueKind::kInteger}}, {});
  EXPECT_EQ(Csv(result), "artist,plays\r\n");
}

TEST(WriteCsvTest, QuotesFieldsHoldingCommaQuoteCrOrLfAndDoublesQuotes) {
  const QueryResult result = TextColumn(
      {"Crosby, Stills & Nash", "The \"Boss\"", "line1\nline2", "a\rb", "crlf\r\n", "\""});
  EXPECT_EQ(Csv(result),
            "v\r\n"
            "\"Crosby, Stills & Nash\"\r\n"
            "\"The \"\"Boss\"\"\"\r\n"
            "\"line1\nline2\"\r\n"
            "\"a\rb\"\r\n"
            "\"crlf\r\n\"\r\n"
            "\"\"\"\"\r\n");
}

TEST(WriteCsvTest, NullIsAnEmptyUnquotedFieldAndEmptyStringIsQuoted) {
  const QueryResult result =
      MakeResult({{"a", ValueKind::kText}, {"b", ValueKind::kText}, {"c", ValueKind::kInteger}},
                 {{std::nullopt, "", std::nullopt}, {"", std::nullopt, "1"}});
  EXPECT_EQ(Csv(result),
            "a,b,c\r\n"
            ",\"\",\r\n"
            "\"\",,1\r\n");
}

TEST(WriteCsvTest, SingleNullColumnRowIsAnEmptyLine) {
  EXPECT_EQ(Csv(TextColumn({std::nullopt, ""})),
            "v\r\n"
            "\r\n"
            "\"\"\r\n");
}

TEST(WriteCsvTest, LeavesTabsSpacesAndNonAsciiUnquoted) {
  const QueryResult result = TextColumn({"a\tb", " padded ", "Beyoncé", "Sigur Rós", "東京"});
  EXPECT_EQ(Csv(result),
            "v\r\n"
            "a\tb\r\n"
            " padded \r\n"
            "Beyoncé\r\n"
            "Sigur Rós\r\n"
            "東京\r\n");
}

TEST(WriteCsvTest, CopiesInvalidUtf8BytesVerbatim) {
  EXPECT_EQ(Csv(TextColumn({"a\x80z"})), "v\r\na\x80z\r\n");
}

TEST(WriteCsvTest, QuotesHeaderNamesWhenNeeded) {
  const QueryResult result = MakeResult({{"plain", ValueKind::kText},
                                         {"a,b", ValueKind::kText},
                                         {"say \"hi\"", ValueKind::kText},
                                         {"", ValueKind::kText}},
                                        {});
  EXPECT_EQ(Csv(result), "plain,\"a,b\",\"say \"\"hi\"\"\",\"\"\r\n");
}

TEST(WriteCsvTest, WritesNumbersBooleansAndTimestampsVerbatim) {
  const QueryResult result =
      MakeResult({{"big", ValueKind::kInteger},
                  {"ratio", ValueKind::kFloat},
                  {"paid", ValueKind::kBoolean},
                  {"ts", ValueKind::kTimestamp}},
                 {{"9223372036854775807", "1e+300", "true", "2018-11-01 21:01:46.796"},
                  {"-1", "-0", "false", "2018-11-30 00:00:00.000"}});
  EXPECT_EQ(Csv(result),
            "big,ratio,paid,ts\r\n"
            "9223372036854775807,1e+300,true,2018-11-01 21:01:46.796\r\n"
            "-1,-0,false,2018-11-30 00:00:00.000\r\n");
}

// --- JSON ------------------------------------------------------------------------------------

TEST(WriteJsonTest, WritesOneObjectPerLineInColumnOrder) {
  const QueryResult result =
      MakeResult({{"song", ValueKind::kText}, {"plays", ValueKind::kInteger}},
                 {{"You're The One", "37"}, {"Up", "1024"}});
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"song\":\"You're The One\",\"plays\":37},\n"
            "{\"song\":\"Up\",\"plays\":1024}\n"
            "]\n");
}

TEST(WriteJsonTest, SingleRowHasNoTrailingComma) {
  EXPECT_EQ(Json(MakeResult({{"n", ValueKind::kInteger}}, {{"1"}})), "[\n{\"n\":1}\n]\n");
}

TEST(WriteJsonTest, EmptyResultIsAnEmptyArray) {
  EXPECT_EQ(Json(MakeResult({{"n", ValueKind::kInteger}}, {})), "[]\n");
}

TEST(WriteJsonTest, KeepsLargeIntegersExact) {
  const QueryResult result =
      TextColumn({"9223372036854775807", "-9223372036854775808", "18446744073709551616", "0", "-7"},
                 ValueKind::kInteger);
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"v\":9223372036854775807},\n"
            "{\"v\":-9223372036854775808},\n"
            "{\"v\":18446744073709551616},\n"
            "{\"v\":0},\n"
            "{\"v\":-7}\n"
            "]\n");
}

TEST(WriteJsonTest, WritesFiniteFloatsAsNumbersVerbatim) {
  const QueryResult result =
      TextColumn({"0.1", "1e+300", "-0", "2.5E-8", "123"}, ValueKind::kFloat);
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"v\":0.1},\n"
            "{\"v\":1e+300},\n"
            "{\"v\":-0},\n"
            "{\"v\":2.5E-8},\n"
            "{\"v\":123}\n"
            "]\n");
}

TEST(WriteJsonTest, WritesNonFiniteFloatsAsCanonicalStrings) {
  const QueryResult result = TextColumn(
      {"NaN", "Infinity", "-Infinity", "nan", "-nan", "inf", "+inf", "-INF"}, ValueKind::kFloat);
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"v\":\"NaN\"},\n"
            "{\"v\":\"Infinity\"},\n"
            "{\"v\":\"-Infinity\"},\n"
            "{\"v\":\"NaN\"},\n"
            "{\"v\":\"NaN\"},\n"
            "{\"v\":\"Infinity\"},\n"
            "{\"v\":\"Infinity\"},\n"
            "{\"v\":\"-Infinity\"}\n"
            "]\n");
}

TEST(WriteJsonTest, NumberKindWithTextThatIsNotAJsonNumberBecomesAString) {
  const QueryResult result =
      TextColumn({"007", "+1", "1.", ".5", "0x10", "", "12abc", "1e", "--1", "1 ", "NaN"},
                 ValueKind::kInteger);
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"v\":\"007\"},\n"
            "{\"v\":\"+1\"},\n"
            "{\"v\":\"1.\"},\n"
            "{\"v\":\".5\"},\n"
            "{\"v\":\"0x10\"},\n"
            "{\"v\":\"\"},\n"
            "{\"v\":\"12abc\"},\n"
            "{\"v\":\"1e\"},\n"
            "{\"v\":\"--1\"},\n"
            "{\"v\":\"1 \"},\n"
            "{\"v\":\"NaN\"}\n"
            "]\n");
}

TEST(WriteJsonTest, FloatKindWithTextThatIsNotAJsonNumberBecomesAnEscapedString) {
  EXPECT_EQ(Json(TextColumn({"1,5", "\"2\""}, ValueKind::kFloat)),
            "[\n"
            "{\"v\":\"1,5\"},\n"
            "{\"v\":\"\\\"2\\\"\"}\n"
            "]\n");
}

TEST(WriteJsonTest, WritesBooleansAsLiteralsAndAnythingElseAsString) {
  const QueryResult result = TextColumn({"true", "false", "TRUE", "1"}, ValueKind::kBoolean);
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"v\":true},\n"
            "{\"v\":false},\n"
            "{\"v\":\"TRUE\"},\n"
            "{\"v\":\"1\"}\n"
            "]\n");
}

TEST(WriteJsonTest, NullIsNullAndEmptyStringIsEmptyString) {
  const QueryResult result =
      MakeResult({{"s", ValueKind::kText}, {"i", ValueKind::kInteger}, {"b", ValueKind::kBoolean}},
                 {{std::nullopt, std::nullopt, std::nullopt}, {"", "1", "true"}});
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"s\":null,\"i\":null,\"b\":null},\n"
            "{\"s\":\"\",\"i\":1,\"b\":true}\n"
            "]\n");
}

TEST(WriteJsonTest, WritesTextTimestampsAndDatesAsStringsEvenWhenTheyLookLikeNumbers) {
  const QueryResult result =
      MakeResult({{"t", ValueKind::kText}, {"ts", ValueKind::kTimestamp}, {"d", ValueKind::kDate}},
                 {{"42", "2018-11-01 21:01:46.796", "2018-11-01"}});
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"t\":\"42\",\"ts\":\"2018-11-01 21:01:46.796\",\"d\":\"2018-11-01\"}\n"
            "]\n");
}

TEST(WriteJsonTest, EscapesQuotesBackslashesAndControlCharacters) {
  const QueryResult result = TextColumn({"The \"Boss\"", "C:\\music", "a\nb\tc\rd", "\b\f",
                                         std::string("nul\0x", 5), "\x1b[0m\x1f", "a,b"});
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"v\":\"The \\\"Boss\\\"\"},\n"
            "{\"v\":\"C:\\\\music\"},\n"
            "{\"v\":\"a\\nb\\tc\\rd\"},\n"
            "{\"v\":\"\\b\\f\"},\n"
            "{\"v\":\"nul\\u0000x\"},\n"
            "{\"v\":\"\\u001b[0m\\u001f\"},\n"
            "{\"v\":\"a,b\"}\n"
            "]\n");
}

TEST(WriteJsonTest, KeepsValidUtf8AsIs) {
  const QueryResult result =
      TextColumn({"Beyoncé", "Sigur Rós", "東京", "🎵", "Beyonce\xcc\x81", "\x7f"});
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"v\":\"Beyoncé\"},\n"
            "{\"v\":\"Sigur Rós\"},\n"
            "{\"v\":\"東京\"},\n"
            "{\"v\":\"🎵\"},\n"
            "{\"v\":\"Beyonce\xcc\x81\"},\n"
            "{\"v\":\"\x7f\"}\n"
            "]\n");
}

TEST(WriteJsonTest, EscapesJavaScriptLineSeparators) {
  EXPECT_EQ(Json(TextColumn({"a\u2028b\u2029c"})), "[\n{\"v\":\"a\\u2028b\\u2029c\"}\n]\n");
}

TEST(WriteJsonTest, ReplacesEachInvalidUtf8ByteWithReplacementCharacter) {
  // Lone continuation, truncated 3-byte sequence, UTF-8-encoded surrogate, byte 0xFF.
  const QueryResult result = TextColumn({"a\x80z", "\xe6\x9d", "\xed\xa0\x80", "\xff"});
  EXPECT_EQ(Json(result),
            "[\n"
            "{\"v\":\"a\uFFFDz\"},\n"
            "{\"v\":\"\uFFFD\uFFFD\"},\n"
            "{\"v\":\"\uFFFD\uFFFD\uFFFD\"},\n"
            "{\"v\":\"\uFFFD\"}\n"
            "]\n");
}

TEST(WriteJsonTest, EscapesKeys) {
  const QueryResult result =
      MakeResult({{"say \"hi\"", ValueKind::kInteger}, {"a\\b\n", ValueKind::kText}}, {{"1", "x"}});
  EXPECT_EQ(Json(result), "[\n{\"say \\\"hi\\\"\":1,\"a\\\\b\\n\":\"x\"}\n]\n");
}

// --- catalog-shaped results with awkward values (issue #7) -----------------------------------

// top_songs-like rows: markup characters, quotes, accents, a CJK title, a NULL artist and a
// NULL count.
QueryResult AwkwardSongs() {
  return MakeResult(
      {{"title", ValueKind::kText}, {"artist", ValueKind::kText}, {"plays", ValueKind::kInteger}},
      {{"Rock & Roll <Live>", "Ana & the <Tags>", "12"},
       {"Jóga", "Björk", "3"},
       {"東京", "Quiet \"Q\", Jr.", "1"},
       {"", std::nullopt, std::nullopt}});
}

TEST(WriteTableTest, AlignsAwkwardCatalogRowsByDisplayWidth) {
  EXPECT_EQ(Table(AwkwardSongs()),
            " title              | artist           | plays\n"
            "--------------------+------------------+-------\n"
            " Rock & Roll <Live> | Ana & the <Tags> |    12\n"
            " Jóga               | Björk            |     3\n"
            " 東京               | Quiet \"Q\", Jr.   |     1\n"
            "                    | NULL             |  NULL\n"
            "(4 rows)\n");
}

TEST(WriteCsvTest, QuotesAwkwardCatalogRowsPerRfc4180) {
  EXPECT_EQ(Csv(AwkwardSongs()),
            "title,artist,plays\r\n"
            "Rock & Roll <Live>,Ana & the <Tags>,12\r\n"
            "Jóga,Björk,3\r\n"
            "東京,\"Quiet \"\"Q\"\", Jr.\",1\r\n"
            "\"\",,\r\n");
}

TEST(WriteJsonTest, WritesAwkwardCatalogRowsWithNumbersAsNumbersAndNullAsNull) {
  EXPECT_EQ(Json(AwkwardSongs()),
            "[\n"
            "{\"title\":\"Rock & Roll <Live>\",\"artist\":\"Ana & the <Tags>\",\"plays\":12},\n"
            "{\"title\":\"Jóga\",\"artist\":\"Björk\",\"plays\":3},\n"
            "{\"title\":\"東京\",\"artist\":\"Quiet \\\"Q\\\", Jr.\",\"plays\":1},\n"
            "{\"title\":\"\",\"artist\":null,\"plays\":null}\n"
            "]\n");
}

TEST(WriteJsonTest, WritesShareAndTimestampColumnsAsNumberAndString) {
  const QueryResult result =
      MakeResult({{"share", ValueKind::kFloat},
                  {"upgraded_at", ValueKind::kTimestamp},
                  {"day", ValueKind::kDate}},
                 {{"0.0001466275659824047", "2018-11-05 21:00:00.000", "2018-11-05"},
                  {"-1e-05", std::nullopt, std::nullopt}});
  EXPECT_EQ(Json(result),
            "[\n{\"share\":0.0001466275659824047,\"upgraded_at\":\"2018-11-05 21:00:00.000\","
            "\"day\":\"2018-11-05\"},\n{\"share\":-1e-05,\"upgraded_at\":null,\"day\":null}\n]\n");
}

// --- WriteResult -----------------------------------------------------------------------------

TEST(WriteResultTest, DispatchesToTheChosenFormat) {
  const QueryResult result = MakeResult({{"n", ValueKind::kInteger}}, {{std::nullopt}});
  std::ostringstream table, csv, json, colored;
  WriteResult(table, result, OutputFormat::kTable);
  WriteResult(csv, result, OutputFormat::kCsv);
  WriteResult(json, result, OutputFormat::kJson);
  WriteResult(colored, result, OutputFormat::kTable, TableStyle{true});
  EXPECT_EQ(table.str(), " n\n------\n NULL\n(1 row)\n");
  EXPECT_EQ(csv.str(), "n\r\n\r\n");
  EXPECT_EQ(json.str(), "[\n{\"n\":null}\n]\n");
  EXPECT_EQ(colored.str(), " \x1b[1mn\x1b[0m\n------\n \x1b[2mNULL\x1b[0m\n(1 row)\n");
}

}  // namespace
}  // namespace sparkify::analytics
