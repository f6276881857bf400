#include "sparkify/analytics/chart.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/html_scan.hpp"

namespace sparkify::analytics {
namespace {

using sql::ChartType;

int CountTags(const testing::HtmlScan& scan, const std::string& name, const std::string& cls = {}) {
  int n = 0;
  for (const auto& tag : scan.tags) {
    if (tag.name != name) continue;
    if (!cls.empty() && (!tag.attributes.count("class") || tag.attributes.at("class") != cls)) {
      continue;
    }
    ++n;
  }
  return n;
}

std::vector<std::string> TextsOfClass(const std::string& svg, const std::string& cls) {
  std::vector<std::string> out;
  const std::string open = "<text class=\"" + cls + "\"";
  for (size_t at = svg.find(open); at != std::string::npos; at = svg.find(open, at + 1)) {
    const size_t start = svg.find('>', at) + 1;
    out.push_back(svg.substr(start, svg.find("</text>", start) - start));
  }
  return out;
}

ChartOptions Options(ChartType type) { return {type, "A chart", "plays"}; }

TEST(RenderChartSvgTest, HourHistogramHas24BarsAndFillsMissingHoursWithZero) {
  const std::vector<ChartDatum> data{{"9", 5, "5"}, {"23", 2, "2"}};
  const std::string svg = RenderChartSvg(Options(ChartType::kHourHistogram), data);
  const testing::HtmlScan scan = testing::ScanHtml(svg);
  EXPECT_TRUE(scan.problems.empty()) << scan.problems.front();
  EXPECT_EQ(CountTags(scan, "rect", "bar"), 24);
  const std::vector<std::string> ticks = TextsOfClass(svg, "tick");
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), "00"), ticks.end());
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), "23"), ticks.end());
  EXPECT_NE(svg.find("<title>00:00-00:59 UTC: 0 plays</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>09:00-09:59 UTC: 5 plays</title>"), std::string::npos);
}

TEST(RenderChartSvgTest, HourHistogramDropsHoursOutsideTheDay) {
  const std::vector<ChartDatum> data{{"24", 5, "5"}, {"-1", 5, "5"}, {"x", 5, "5"}};
  const std::string svg = RenderChartSvg(Options(ChartType::kHourHistogram), data);
  EXPECT_EQ(CountTags(testing::ScanHtml(svg), "rect", "bar"), 24);
  EXPECT_EQ(svg.find(": 5 plays"), std::string::npos);
}

TEST(RenderChartSvgTest, WeekdayBarsRunSundayToSaturdayWhateverTheRowOrder) {
  const std::vector<ChartDatum> data{{"Saturday", 3, "3"}, {"Monday", 1, "1"}, {"0", 2, "2"}};
  const std::string svg = RenderChartSvg(Options(ChartType::kWeekdayBars), data);
  EXPECT_EQ(CountTags(testing::ScanHtml(svg), "rect", "bar"), 7);
  EXPECT_EQ(TextsOfClass(svg, "val"),
            (std::vector<std::string>{"2", "1", "0", "0", "0", "0", "3"}));
  const std::vector<std::string> ticks = TextsOfClass(svg, "tick");
  const std::vector<std::string> days(ticks.end() - 7, ticks.end());
  EXPECT_EQ(days, (std::vector<std::string>{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}));
}

TEST(RenderChartSvgTest, BarChartHasOneBarPerRowLongestForTheLargestValue) {
  const std::vector<ChartDatum> data{{"a", 10, "10"}, {"b", 5, "5"}, {"c", 0, "0"}};
  const std::string svg = RenderChartSvg(Options(ChartType::kBar), data);
  const testing::HtmlScan scan = testing::ScanHtml(svg);
  std::vector<double> widths;
  for (const auto& tag : scan.tags) {
    if (tag.name == "rect") widths.push_back(std::stod(tag.attributes.at("width")));
  }
  ASSERT_EQ(widths.size(), 3u);
  EXPECT_GT(widths[0], widths[1]);
  EXPECT_DOUBLE_EQ(widths[1] * 2, widths[0]);
  EXPECT_EQ(widths[2], 0);
}

TEST(RenderChartSvgTest, EscapesLabelsAndShortensLongOnesKeepingTheFullTextInTheTooltip) {
  const std::string long_title =
      "Rock & Roll <Live> \"at the Apollo\" — a very long title indeed, really";
  const std::vector<ChartDatum> data{{long_title, 3, "3"}};
  const std::string svg = RenderChartSvg(Options(ChartType::kBar), data);
  const testing::HtmlScan scan = testing::ScanHtml(svg);
  EXPECT_TRUE(scan.problems.empty()) << scan.problems.front();
  EXPECT_EQ(svg.find("<Live>"), std::string::npos);
  EXPECT_NE(scan.text.find(long_title + ": 3 plays"), std::string::npos) << scan.text;
  EXPECT_NE(scan.text.find("Rock & Roll <Live> \"at the Apol\u2026"), std::string::npos)
      << scan.text;
}

TEST(RenderChartSvgTest, SplitBarShowsEachShare) {
  const std::vector<ChartDatum> data{{"free", 1229, "1,229"}, {"paid", 5591, "5,591"}};
  const std::string svg = RenderChartSvg(Options(ChartType::kSplitBar), data);
  EXPECT_NE(svg.find("free: 1,229 (18.0%)"), std::string::npos);
  EXPECT_NE(svg.find("paid: 5,591 (82.0%)"), std::string::npos);
  EXPECT_NE(svg.find("class=\"seg0\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"seg1\""), std::string::npos);
}

TEST(RenderChartSvgTest, LineHasOnePointPerRowAndLabelsBothEnds) {
  std::vector<ChartDatum> data;
  for (int d = 1; d <= 30; ++d) {
    data.push_back({"2018-11-" + std::string(d < 10 ? "0" : "") + std::to_string(d), 1.0 * d,
                    std::to_string(d)});
  }
  const std::string svg = RenderChartSvg(Options(ChartType::kLine), data);
  EXPECT_EQ(CountTags(testing::ScanHtml(svg), "circle"), 30);
  EXPECT_EQ(CountTags(testing::ScanHtml(svg), "polyline"), 1);
  const std::vector<std::string> ticks = TextsOfClass(svg, "tick");
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), "2018-11-01"), ticks.end());
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), "2018-11-30"), ticks.end());
}

TEST(RenderChartSvgTest, FiguresShowEveryValueWithItsLabel) {
  const std::vector<ChartDatum> data{{"sessions", 776, "776"}, {"avg songs", 8.79, "8.789"}};
  const std::string svg = RenderChartSvg(Options(ChartType::kFigures), data);
  EXPECT_EQ(TextsOfClass(svg, "fig"), (std::vector<std::string>{"776", "8.789"}));
  EXPECT_EQ(TextsOfClass(svg, "lbl muted"), (std::vector<std::string>{"sessions", "avg songs"}));
}

TEST(RenderChartSvgTest, EmptyDataSaysSoInsteadOfDrawingNothing) {
  for (ChartType type : {ChartType::kBar, ChartType::kColumns, ChartType::kLine,
                         ChartType::kSplitBar, ChartType::kFigures}) {
    const std::string svg = RenderChartSvg(Options(type), {});
    EXPECT_NE(svg.find("No rows to draw."), std::string::npos) << sql::ChartTypeName(type);
  }
}

TEST(RenderChartSvgTest, IsOneSvgElementWithAnAccessibleName) {
  const std::vector<ChartDatum> data{{"a", 1, "1"}};
  for (ChartType type :
       {ChartType::kBar, ChartType::kHourHistogram, ChartType::kWeekdayBars, ChartType::kColumns,
        ChartType::kLine, ChartType::kSplitBar, ChartType::kFigures}) {
    const std::string svg = RenderChartSvg({type, "Plays & <more>", "plays"}, data);
    const testing::HtmlScan scan = testing::ScanHtml(svg);
    EXPECT_TRUE(scan.problems.empty()) << sql::ChartTypeName(type) << ": " << scan.problems[0];
    EXPECT_EQ(CountTags(scan, "svg"), 1);
    EXPECT_EQ(CountTags(scan, "/svg"), 1);
    EXPECT_EQ(scan.tags.front().attributes.at("aria-label"), "Plays & <more>");
    EXPECT_EQ(scan.tags.front().attributes.at("role"), "img");
  }
}

TEST(RenderChartSvgTest, ValueAxisHasRoundStepsAndSurvivesHugeValues) {
  const std::vector<ChartDatum> weekdays{{"Wednesday", 1364, "1,364"}};
  EXPECT_EQ(TextsOfClass(RenderChartSvg(Options(ChartType::kWeekdayBars), weekdays), "tick").size(),
            4u + 7u);  // 0, 500, 1,000, 1,500 and the days
  const std::string svg =
      RenderChartSvg(Options(ChartType::kColumns), std::vector<ChartDatum>{{"a", 1e300, "big"}});
  EXPECT_LE(CountTags(testing::ScanHtml(svg), "line", "grid"), 6);
}

TEST(RenderChartSvgTest, SameDataGivesTheSameBytes) {
  const std::vector<ChartDatum> data{{"a", 1.0 / 3, "0.3333"}, {"b", 2.0 / 3, "0.6667"}};
  for (ChartType type : {ChartType::kBar, ChartType::kColumns, ChartType::kLine}) {
    EXPECT_EQ(RenderChartSvg(Options(type), data), RenderChartSvg(Options(type), data));
  }
}

}  // namespace
}  // namespace sparkify::analytics
