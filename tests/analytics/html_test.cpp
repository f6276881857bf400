#include "sparkify/analytics/html.hpp"

#include <gtest/gtest.h>

namespace sparkify::analytics {
namespace {

using engine::ValueKind;

TEST(EscapeHtmlTest, EscapesMarkupCharactersForTextAndAttributes) {
  EXPECT_EQ(EscapeHtml("Rock & Roll <Live> \"Q\" 'A'"),
            "Rock &amp; Roll &lt;Live&gt; &quot;Q&quot; &#39;A&#39;");
}

TEST(EscapeHtmlTest, KeepsValidNonAsciiText) {
  EXPECT_EQ(EscapeHtml("Björk – Jóga 東京 🎵"), "Björk – Jóga 東京 🎵");
}

TEST(EscapeHtmlTest, ReplacesInvalidUtf8AndControlCharacters) {
  EXPECT_EQ(EscapeHtml("a\xff"
                       "b"),
            "a\uFFFDb");
  EXPECT_EQ(EscapeHtml(std::string("a\0b\x1b[31m", 8)), "a\uFFFDb\uFFFD[31m");
  EXPECT_EQ(EscapeHtml("tab\tand\nnewline"), "tab\tand\nnewline");
  EXPECT_EQ(EscapeHtml("c1\xc2\x9b"), "c1\uFFFD");
}

TEST(EscapeHtmlTest, CannotBeTrickedIntoClosingAnElement) {
  const std::string escaped = EscapeHtml("</title><script>alert(1)</script>");
  EXPECT_EQ(escaped.find('<'), std::string::npos);
  EXPECT_EQ(escaped.find('>'), std::string::npos);
}

TEST(ShortenTest, CutsAtCodePointsAndMarksTheCut) {
  EXPECT_EQ(Shorten("short", 10), "short");
  EXPECT_EQ(Shorten("exactly10!", 10), "exactly10!");
  EXPECT_EQ(Shorten("abcdefghijk", 5), "abcd\u2026");
  EXPECT_EQ(Shorten("ÄÖÜßéèà", 4), "ÄÖÜ\u2026");
  EXPECT_EQ(Shorten("東京都庁舎", 3), "東京\u2026");
  EXPECT_EQ(Shorten("anything", 0), "");
}

TEST(DisplayValueTest, GroupsIntegerThousands) {
  EXPECT_EQ(DisplayValue("6820", ValueKind::kInteger), "6,820");
  EXPECT_EQ(DisplayValue("-1234567", ValueKind::kInteger), "-1,234,567");
  EXPECT_EQ(DisplayValue("999", ValueKind::kInteger), "999");
  EXPECT_EQ(DisplayValue("0", ValueKind::kInteger), "0");
}

TEST(DisplayValueTest, ShowsFloatsToFourSignificantDigits) {
  EXPECT_EQ(DisplayValue("8.788659793814434", ValueKind::kFloat), "8.789");
  EXPECT_EQ(DisplayValue("0.0001466275659824047", ValueKind::kFloat), "0.0001466");
  EXPECT_EQ(DisplayValue("1.375", ValueKind::kFloat), "1.375");
  EXPECT_EQ(DisplayValue("12345.6", ValueKind::kFloat), "12,346");
  EXPECT_EQ(DisplayValue("NaN", ValueKind::kFloat), "NaN");
}

TEST(DisplayValueTest, ShowsNullAndTextAsTheyAre) {
  EXPECT_EQ(DisplayValue(std::nullopt, ValueKind::kInteger), "NULL");
  EXPECT_EQ(DisplayValue("", ValueKind::kText), "");
  EXPECT_EQ(DisplayValue("2018-11-05 21:00:00.000", ValueKind::kTimestamp),
            "2018-11-05 21:00:00.000");
  EXPECT_EQ(DisplayValue("1234", ValueKind::kText), "1234");
}

TEST(FormatPercentTest, KeepsSmallAndNearlyWholeSharesReadable) {
  EXPECT_EQ(FormatPercent(0), "0%");
  EXPECT_EQ(FormatPercent(1), "100%");
  EXPECT_EQ(FormatPercent(0.18), "18.0%");
  EXPECT_EQ(FormatPercent(1.0 / 6820), "0.015%");
  EXPECT_EQ(FormatPercent(6819.0 / 6820), "99.985%");
}

}  // namespace
}  // namespace sparkify::analytics
