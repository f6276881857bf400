// Looks at the report as a person would: headless Chromium renders the report of the public
// sample to a PNG, and the pixels must show a page (not a blank one) at the window's size, in
// the light and the dark colour scheme and at phone width. Needs Chromium: when it is missing
// the test fails with the way to install it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "cli/cli_fixture.hpp"
#include "testing/png.hpp"

namespace sparkify::testing {
namespace {

// $SPARKIFY_CHROMIUM, else the first of chromium, chromium-browser on $PATH.
std::string FindChromium() {
  if (const char* env = std::getenv("SPARKIFY_CHROMIUM"); env != nullptr && *env != '\0') {
    return env;
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const std::string candidate = dir + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return {};
}

// The chart colours of the page's light and dark palettes (report.cpp, --bar).
constexpr Rgb kLightBar{0x3f, 0x6f, 0xb0};
constexpr Rgb kDarkBar{0x6e, 0xa8, 0xfe};

class ReportBrowserTest : public CliTest {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    ASSERT_FALSE(chromium_.empty())
        << "headless Chromium is needed to look at the report: apt-get install chromium "
           "(./scripts/setup.sh does), or set SPARKIFY_CHROMIUM to its path";
    CliTest::SetUp();
    html_ = dir_.path() + "/report.html";
    ASSERT_EQ(Sparkify("report --now 2024-01-02T03:04:05Z --out " + html_), 0) << err_;
  }

  // Renders the report in a fresh profile and reads the screenshot.
  Png Screenshot(int width, int height, const std::string& extra_flags = {}) {
    const std::string png = dir_.path() + "/shot-" + std::to_string(width) + ".png";
    const std::string command =
        "timeout 180 " + chromium_ +
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--hide-scrollbars --user-data-dir=" +
        dir_.path() + "/profile-" + std::to_string(width) +
        " --window-size=" + std::to_string(width) + "," + std::to_string(height) + " " +
        extra_flags + " --screenshot=" + png + " file://" + html_;
    std::string out, err;
    const int status = RunCommand(command, &out, &err);
    EXPECT_EQ(status, 0) << command << "\n" << err;
    std::string error;
    Png image = ReadPng(png, error);
    EXPECT_EQ(error, "") << "reading " << png << " after: " << command << "\n" << err;
    return image;
  }

  std::string chromium_;
  std::string html_;
};

size_t CountPixels(const Png& png, Rgb colour) {
  size_t n = 0;
  for (const Rgb& p : png.pixels) n += p == colour ? 1 : 0;
  return n;
}

double ShareUnlike(const Png& png, Rgb background) {
  if (png.pixels.empty()) return 0;
  return 1.0 -
         static_cast<double>(CountPixels(png, background)) / static_cast<double>(png.pixels.size());
}

size_t DistinctColours(const Png& png) {
  std::set<uint32_t> colours;
  for (const Rgb& p : png.pixels) colours.insert((uint32_t{p.r} << 16) | (p.g << 8) | p.b);
  return colours.size();
}

int Luma(Rgb p) { return (299 * p.r + 587 * p.g + 114 * p.b) / 1000; }

TEST_F(ReportBrowserTest, RendersTheSampleReportAsAPageWithCharts) {
  const Png png = Screenshot(1200, 3000);
  EXPECT_EQ(png.width, 1200u);
  EXPECT_EQ(png.height, 3000u);
  ASSERT_EQ(png.pixels.size(), 1200u * 3000u);
  const Rgb background = png.at(0, 0);
  EXPECT_GT(Luma(background), 230) << "the light scheme has a light page";
  EXPECT_GT(ShareUnlike(png, background), 0.03) << "the page is (almost) blank";
  EXPECT_GT(DistinctColours(png), 50u) << "text and charts draw many shades";
  EXPECT_GT(CountPixels(png, kLightBar), 20000u) << "the charts' bars are missing";
}

TEST_F(ReportBrowserTest, FollowsTheDarkColourScheme) {
  const Png png = Screenshot(1200, 1600, "--force-dark-mode");
  ASSERT_EQ(png.width, 1200u);
  const Rgb background = png.at(0, 0);
  EXPECT_LT(Luma(background), 40) << "the dark scheme has a dark page";
  EXPECT_GT(ShareUnlike(png, background), 0.02);
  EXPECT_GT(CountPixels(png, kDarkBar), 2000u) << "bars take the dark palette";
}

TEST_F(ReportBrowserTest, FitsAPhoneWidthWindow) {
  const Png png = Screenshot(390, 2400);
  EXPECT_EQ(png.width, 390u);
  EXPECT_EQ(png.height, 2400u);
  EXPECT_GT(ShareUnlike(png, png.at(0, 0)), 0.03);
  EXPECT_GT(CountPixels(png, kLightBar), 2000u);
}

}  // namespace
}  // namespace sparkify::testing
