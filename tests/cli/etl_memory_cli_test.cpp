// etl under a memory limit DuckDB cannot work in: the error says what to set (sparkify's own
// setting, not DuckDB's SQL; WithMemoryLimitAdvice in cmd_etl.cpp), and nothing already loaded
// changes.
#include <gtest/gtest.h>

#include "cli/cli_fixture.hpp"

namespace sparkify::testing {
namespace {

TEST_F(CliTest, EtlOutOfMemoryAdvisesMemoryLimitAndKeepsTheLoad) {
  ASSERT_EQ(
      Sparkify("query --format csv --sql \"select count(*), sum(songplay_id) from fact_songplay\""),
      0)
      << err_;
  const std::string before = out_;
  ASSERT_NE(before.find("6820"), std::string::npos) << before;  // the sample's plays
  const std::string data = SampleDataDir();
  const int code =
      RunCommand("SPARKIFY_MEMORY_LIMIT=1MB " + Bin() + " etl --full-refresh --songs " + data +
                     "/song_data --events " + data + "/log_data" + target_,
                 &out_, &err_);
  EXPECT_EQ(code, 1) << err_;
  EXPECT_NE(err_.find("Out of Memory Error"), std::string::npos) << err_;
  EXPECT_NE(err_.find("MEMORY_LIMIT (1MB)"), std::string::npos) << err_;
  EXPECT_EQ(err_.find("SET memory_limit"), std::string::npos) << err_;
  ASSERT_EQ(
      Sparkify("query --format csv --sql \"select count(*), sum(songplay_id) from fact_songplay\""),
      0)
      << err_;
  EXPECT_EQ(out_, before);
}

}  // namespace
}  // namespace sparkify::testing
