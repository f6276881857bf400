// Only engine/postgres/ may include libpq-fe.h (STYLE.md: keep C headers out of headers that
// many files include; issue #4).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

TEST(LibpqBoundaryTest, OnlyEnginePostgresIncludesLibpq) {
  const std::filesystem::path src = std::filesystem::path(SPARKIFY_SOURCE_DIR) / "src";
  const std::filesystem::path allowed = src / "sparkify" / "engine" / "postgres";
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    const auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const bool includes = text.str().find("#include <libpq-fe.h>") != std::string::npos;
    const bool in_allowed = entry.path().parent_path() == allowed;
    const bool is_header = ext == ".hpp";
    if (includes) {
      EXPECT_TRUE(in_allowed && !is_header) << entry.path() << " includes libpq-fe.h";
    }
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
