#include "sparkify/source/checksum.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sparkify::source {
namespace {

TEST(ChecksumTest, DigestAndHexAgreeHoweverTheContentIsSplit) {
  ContentHash empty;
  EXPECT_EQ(empty.Hex(), "2d06800538d394c2");  // XXH3-64 of nothing (xxHash's own test vector)
  const std::string text = "{\"song_id\": \"SOABC\", \"duration\": 218.93179}\n";
  ContentHash whole, pieces;
  whole.Update(text.data(), text.size());
  for (size_t at = 0; at < text.size(); at += 7)
    pieces.Update(text.data() + at, std::min<size_t>(7, text.size() - at));
  EXPECT_EQ(whole.Digest(), pieces.Digest());
  EXPECT_EQ(whole.Hex(), whole.Digest().Hex());
  EXPECT_EQ(whole.Hex().size(), 16u);
  EXPECT_EQ(whole.Hex().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(whole.Digest(), empty.Digest());

  Checksum none;  // an unreadable file's
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.Hex(), "");
  EXPECT_FALSE(whole.Digest().empty());
  EXPECT_EQ(Checksum(0).Hex(), "0000000000000000");  // a digest of 0 is still a checksum
  EXPECT_NE(Checksum(0), none);
}

}  // namespace
}  // namespace sparkify::source
