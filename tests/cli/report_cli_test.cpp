#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_fixture.hpp"

namespace sparkify::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using ReportCliTest = CliTest;

TEST_F(ReportCliTest, WritesTheSameFileForTheSameDataAndNow) {
  const std::string a = dir_.path() + "/a.html", b = dir_.path() + "/b.html";
  ASSERT_EQ(Sparkify("report --now 2024-01-02T03:04:05Z --out " + a), 0) << err_;
  EXPECT_EQ(out_, "") << "the report goes to the file";
  ASSERT_EQ(Sparkify("report --now 2024-01-02T03:04:05Z --out " + b), 0) << err_;
  const std::string html = Slurp(a);
  EXPECT_EQ(html, Slurp(b));
  EXPECT_NE(html.find("made 2024-01-02 03:04:05 UTC"), std::string::npos);
  EXPECT_NE(html.find("6,820"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(a + ".tmp"));
}

TEST_F(ReportCliTest, SourceDateEpochStandsInForNow) {
  ASSERT_EQ(RunCommand("SOURCE_DATE_EPOCH=1704164645 " + Bin() + " report --out -" + target_, &out_,
                       &err_),
            0)
      << err_;
  EXPECT_NE(out_.find("made 2024-01-02 03:04:05 UTC"), std::string::npos);
  EXPECT_EQ(out_.rfind("<!doctype html>", 0), 0u);
}

TEST_F(ReportCliTest, BadNowIsAUsageError) {
  EXPECT_EQ(Sparkify("report --now yesterday --out " + dir_.path() + "/x.html"), 2);
  EXPECT_NE(err_.find("--now \"yesterday\" is not a time"), std::string::npos) << err_;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/x.html"));
}

TEST_F(ReportCliTest, UnwritableOutputFails) {
  EXPECT_EQ(Sparkify("report --out /nonexistent/dir/report.html"), 1);
  EXPECT_NE(err_.find("cannot create"), std::string::npos) << err_;
}

}  // namespace
}  // namespace sparkify::testing
