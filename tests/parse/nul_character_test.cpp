// PostgreSQL text cannot hold NUL, so a "\u0000" in a text field rejects the record on every
// engine alike, and no reason or excerpt ever carries a NUL byte (issue #4).
#include <gtest/gtest.h>

#include <string>

#include "sparkify/parse/record_parser.hpp"
#include "sparkify/parse/records.hpp"

namespace sparkify::parse {
namespace {

std::vector<LoadError> ParseEvents(const std::string& text, ColumnBatch& batch) {
  std::string buffer = text;
  buffer.resize(text.size() + kPadding);
  RecordParser parser;
  CollectingSink sink;
  parser.ParseEventLines("e.json", 0, buffer.data(), text.size(), buffer.size(), 1, 0, batch, sink);
  return sink.Take();
}

TEST(NulCharacterTest, RejectsNulInATextField) {
  ColumnBatch batch(StagingEventsSchema());
  auto errors = ParseEvents(
      "{\"ts\":1,\"page\":\"NextSong\",\"artist\":\"a\\u0000b\"}\n{\"ts\":2,\"page\":\"Home\"}\n",
      batch);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 1u);
  EXPECT_EQ(errors[0].reason,
            "field \"artist\": contains a NUL character (\\u0000), which text columns cannot "
            "store");
  EXPECT_EQ(batch.rows(), 1u);  // the good record around it loads
}

TEST(NulCharacterTest, RejectsNulInASongFile) {
  std::string text = R"({"song_id":"S\u0000","artist_id":"A"})";
  std::string buffer = text;
  buffer.resize(text.size() + kPadding);
  ColumnBatch batch(StagingSongsSchema());
  RecordParser parser;
  CollectingSink sink;
  parser.ParseSongFile("s.json", buffer.data(), text.size(), buffer.size(), batch, sink);
  auto errors = sink.Take();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].reason.find("field \"song_id\": contains a NUL"), std::string::npos);
  EXPECT_EQ(batch.rows(), 0u);
}

TEST(NulCharacterTest, ReasonsQuotingANumericStringCarryNoNulByte) {
  ColumnBatch batch(StagingEventsSchema());
  auto errors = ParseEvents("{\"ts\":1,\"page\":\"x\",\"sessionId\":\"1\\u00002\"}\n", batch);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].reason.find('\0'), std::string::npos);
  EXPECT_EQ(errors[0].reason,
            "field \"sessionId\": expected an integer, found the string "
            "\"1\\u00002\"");
}

TEST(NulCharacterTest, ReasonsCutQuotedStringsAtACodePointBoundary) {
  ColumnBatch batch(StagingEventsSchema());
  // 39 ASCII bytes, then a 2-byte character that a byte cut at 40 would split.
  std::string value = std::string(39, 'x') + "\xC3\xA9" + "yyyy";
  auto errors = ParseEvents("{\"ts\":1,\"page\":\"x\",\"length\":\"" + value + "\"}\n", batch);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].reason, "field \"length\": expected a number, found the string \"" +
                                  std::string(39, 'x') + "...\"");
}

}  // namespace
}  // namespace sparkify::parse
