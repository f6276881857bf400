// A DuckDB file holding the public sample, loaded by the sparkify binary itself (create-tables
// then etl --keep-staging, so every check applies), for tests of the command line: exit
// codes, what goes to stdout and stderr.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "testing/engines.hpp"
#include "testing/test_util.hpp"

namespace sparkify::testing {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.path() + "/sample.duckdb";
    target_ = " --target duckdb:" + db_;
    const std::string data = SampleDataDir();
    std::string err;
    ASSERT_EQ(RunCommand(Bin() + " create-tables" + target_, nullptr, &err), 0) << err;
    ASSERT_EQ(RunCommand(Bin() + " etl --keep-staging" + target_ + " --songs " + data +
                             "/song_data --events " + data + "/log_data",
                         nullptr, &err),
              0)
        << err;
  }

  static std::string Bin() { return SparkifyBinary() + " --no-color"; }

  // Runs `sparkify ARGS --target <the sample>`; returns the exit code.
  int Sparkify(const std::string& args) {
    return RunCommand(Bin() + " " + args + target_, &out_, &err_);
  }

  TempDir dir_;
  std::string db_;
  std::string target_;
  std::string out_;
  std::string err_;
};

}  // namespace sparkify::testing
