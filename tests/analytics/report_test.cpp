#include "sparkify/analytics/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "testing/engines.hpp"
#include "testing/html_scan.hpp"

namespace sparkify::analytics {
namespace {

constexpr const char* kNow = "2024-01-02 03:04:05 UTC";

// The part of the page between <section id="ID"> and its </section>.
std::string Section(const std::string& html, const std::string& id) {
  const size_t start = html.find("<section id=\"" + id + "\">");
  if (start == std::string::npos) return {};
  return html.substr(start, html.find("</section>", start) - start);
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class ReportTest : public ::testing::TestWithParam<testing::EngineFactory> {
 protected:
  void SetUp() override {
    auto opened = GetParam().open();
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    engine_ = std::move(opened).value();
    Status loaded = testing::LoadStarFixture(*engine_);
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    auto data = CollectReportData(*engine_, kNow);
    ASSERT_TRUE(data.ok()) << data.error().ToString();
    data_ = std::move(data).value();
    html_ = RenderReportHtml(data_);
    scan_ = testing::ScanHtml(html_);
  }

  std::unique_ptr<engine::Engine> engine_;
  ReportData data_;
  std::string html_;
  testing::HtmlScan scan_;
};

TEST_P(ReportTest, IsWellFormedWithEveryDataTextEscaped) {
  EXPECT_TRUE(scan_.problems.empty()) << scan_.problems.front();
  EXPECT_EQ(html_.rfind("<!doctype html>", 0), 0u);
}

TEST_P(ReportTest, LoadsNothingFromOutsideThePage) {
  for (const testing::HtmlTag& tag : scan_.tags) {
    for (const char* banned : {"script", "link", "img", "iframe", "object", "embed", "base",
                               "image", "use", "foreignobject", "audio", "video", "source"}) {
      EXPECT_NE(tag.name, banned) << "the page has a <" << banned << ">";
    }
    EXPECT_EQ(tag.attributes.count("src"), 0u) << tag.name << " has a src";
    EXPECT_EQ(tag.attributes.count("xlink:href"), 0u) << tag.name;
    if (tag.attributes.count("href")) {
      EXPECT_EQ(tag.attributes.at("href").rfind("#", 0), 0u)
          << "external link: " << tag.attributes.at("href");
    }
    for (const auto& [name, value] : tag.attributes) {
      EXPECT_NE(name.rfind("on", 0), 0u) << "event handler " << name << " on " << tag.name;
    }
  }
  EXPECT_EQ(scan_.style.find("url("), std::string::npos);
  EXPECT_EQ(scan_.style.find("@import"), std::string::npos);
  EXPECT_EQ(scan_.style.find("@font-face"), std::string::npos);
  EXPECT_EQ(html_.find("http://"), std::string::npos);
  EXPECT_EQ(html_.find("https://"), std::string::npos);
}

TEST_P(ReportTest, HasOneSvgChartPerCatalogQuestionInItsOwnSection) {
  const auto svgs = std::count_if(scan_.tags.begin(), scan_.tags.end(),
                                  [](const testing::HtmlTag& t) { return t.name == "svg"; });
  EXPECT_EQ(static_cast<size_t>(svgs), sql::NamedQueries().size());
  for (const sql::NamedQuery& q : sql::NamedQueries()) {
    const std::string section = Section(html_, std::string(q.name));
    ASSERT_FALSE(section.empty()) << "no section for " << q.name;
    EXPECT_EQ(Count(section, "<svg "), 1) << q.name;
    EXPECT_GE(Count(section, "<table>"), 1) << q.name;  // long ones come in parts
    EXPECT_NE(section.find(std::string(q.question).substr(0, 20)), std::string::npos) << q.name;
  }
}

TEST_P(ReportTest, EscapesSongTitlesNamesAndLoadErrorText) {
  for (const char* raw : {"<Live>", "<Tags>", "<b>Bad", "\"Q\""}) {
    EXPECT_EQ(html_.find(raw), std::string::npos) << raw << " is not escaped";
  }
  for (const char* decoded : {"Rock & Roll <Live>", "Ana & the <Tags>", "Quiet \"Q\"", "Björk",
                              "Reykjavík, IS", "{\"artist\":\"<b>Bad & \"", "field \"ts\""}) {
    EXPECT_NE(scan_.text.find(decoded), std::string::npos) << decoded;
  }
}

TEST_P(ReportTest, HeaderGivesTimeRangeEngineTimeAndKeyFigures) {
  EXPECT_NE(html_.find("Plays from <time>2018-11-04 09:15:00.000</time> to "
                       "<time>2018-12-01 18:00:00.000</time> UTC"),
            std::string::npos);
  EXPECT_NE(scan_.text.find(engine_->Describe()), std::string::npos);
  EXPECT_NE(scan_.text.find(std::string("made ") + kNow), std::string::npos);
  for (const char* figure :
       {"song plays\n11\n", "users\n4\n", "paid / free users\n2 / 2\n", "songs\n4\n",
        "artists\n3\n", "song match rate\n63.6%\n", "load errors\n3\n"}) {
    EXPECT_NE(scan_.text.find(figure), std::string::npos) << figure;
  }
}

TEST_P(ReportTest, HourChartHas24BarsAndWeekdayChart7) {
  EXPECT_EQ(Count(Section(html_, "plays_by_hour"), "class=\"bar\""), 24);
  EXPECT_EQ(Count(Section(html_, "plays_by_weekday"), "class=\"bar\""), 7);
}

TEST_P(ReportTest, TablesHoldTheNumbersUnderEachChart) {
  // All 24 hours, in three side-by-side parts of 8.
  const std::string hours = Section(html_, "plays_by_hour");
  EXPECT_EQ(Count(hours, "<table>"), 3);
  EXPECT_EQ(Count(hours, "<tr><td class=\"num\">"), 24);
  const std::string top = Section(html_, "top_songs");
  EXPECT_NE(top.find("<td>Rock &amp; Roll &lt;Live&gt;</td><td>Ana &amp; the &lt;Tags&gt;</td>"
                     "<td class=\"num\">3</td>"),
            std::string::npos)
      << top;
  const std::string counts = Section(html_, "table_row_counts");
  EXPECT_NE(counts.find("<td>fact_songplay</td><td class=\"num\">11</td>"), std::string::npos);
  const std::string users = Section(html_, "free_to_paid_upgrades");
  EXPECT_NE(users.find("<td>2018-11-05 21:00:00.000</td>"), std::string::npos);
}

TEST_P(ReportTest, SummarisesLoadErrorsByTableAndReasonAndListsTheFirstRows) {
  const std::string section = Section(html_, "load_errors");
  EXPECT_NE(section.find("3 records could not be loaded"), std::string::npos) << section;
  EXPECT_NE(section.find("<td>staging_events</td><td>malformed JSON</td><td class=\"num\">1</td>"),
            std::string::npos)
      << section;
  EXPECT_NE(section.find("<td>staging_events</td><td>field &quot;ts&quot;</td>"),
            std::string::npos);
  EXPECT_NE(section.find("<td>song_data/A/B/C/TRABC.json</td>"), std::string::npos);
}

TEST_P(ReportTest, SameDataAndTimeGiveTheSameBytes) {
  auto again = CollectReportData(*engine_, kNow);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(RenderReportHtml(*again), html_);
}

TEST_P(ReportTest, LeavesTheWarehouseUnchangedAndNoTransactionOpen) {
  // A write succeeds afterwards only if the report's read-only transaction was closed.
  EXPECT_TRUE(engine_->Execute("delete from load_errors").ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, ReportTest, ::testing::ValuesIn(testing::TestEngines()),
                         testing::EngineName());

class ReportWithoutTablesTest : public ::testing::TestWithParam<testing::EngineFactory> {};

TEST_P(ReportWithoutTablesTest, FailsNamingTheQueryThatCouldNotRun) {
  auto opened = GetParam().open();
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  auto data = CollectReportData(**opened, kNow);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.error().code(), ErrorCode::kEngine);
  EXPECT_NE(data.error().ToString().find("report: time range"), std::string::npos)
      << data.error().ToString();
}

INSTANTIATE_TEST_SUITE_P(Engines, ReportWithoutTablesTest,
                         ::testing::ValuesIn(testing::TestEngines()), testing::EngineName());

TEST(RenderReportHtmlTest, SaysSoWhenNothingWasRejected) {
  ReportData data;
  data.engine = "duckdb:x";
  data.generated_at = kNow;
  const std::string html = RenderReportHtml(data);
  EXPECT_NE(html.find("No record was rejected while loading"), std::string::npos);
  EXPECT_NE(html.find("No plays loaded"), std::string::npos);
  EXPECT_TRUE(testing::ScanHtml(html).problems.empty());
}

TEST(RenderReportHtmlTest, ReadsInLightAndDarkSchemesAndAtPhoneWidth) {
  const std::string html = RenderReportHtml(ReportData{});
  EXPECT_NE(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
            std::string::npos);
  EXPECT_NE(html.find("<meta name=\"color-scheme\" content=\"light dark\">"), std::string::npos);
  EXPECT_NE(html.find("@media (prefers-color-scheme: dark)"), std::string::npos);
  EXPECT_NE(html.find("@media (max-width: 600px)"), std::string::npos);
}

TEST(ParseReportTimeTest, AcceptsIsoUtcTimesAndEpochSeconds) {
  EXPECT_EQ(ParseReportTime("2024-01-02T03:04:05Z").value(), "2024-01-02 03:04:05 UTC");
  EXPECT_EQ(ParseReportTime("2024-02-29 23:59:59").value(), "2024-02-29 23:59:59 UTC");
  EXPECT_EQ(ParseReportTime("@0").value(), "1970-01-01 00:00:00 UTC");
  EXPECT_EQ(ParseReportTime("@1541105830").value(), "2018-11-01 20:57:10 UTC");
}

TEST(ParseReportTimeTest, RefusesAnythingElse) {
  for (const char* bad : {"", "now", "2024-01-02", "2024-13-01T00:00:00Z", "2023-02-29 00:00:00",
                          "2024-01-02T24:00:00Z", "2024-01-02T03:04:05+01:00", "@-5", "@1e9"}) {
    auto t = ParseReportTime(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace sparkify::analytics
