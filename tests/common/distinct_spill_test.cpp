#include "sparkify/common/distinct_spill.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace sparkify {
namespace {

namespace fs = std::filesystem;

// Everything ForEachDistinct emits, checked to come ascending and without repeats.
std::vector<int64_t> Drain(DistinctSpill& spill) {
  std::vector<int64_t> out;
  Status s = spill.ForEachDistinct([&](std::span<const int64_t> values) {
    EXPECT_FALSE(values.empty());
    out.insert(out.end(), values.begin(), values.end());
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().ToString());
  for (size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i - 1], out[i]) << "at " << i;
  return out;
}

// Points TMPDIR at `dir` for the test's lifetime.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& dir) {
    if (const char* old = ::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", dir.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_) {
      ::setenv("TMPDIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

fs::path FreshDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("sparkify-spill-test-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(DistinctSpill, FewValuesStayInMemory) {
  DistinctSpill spill(100);
  for (int64_t v : {5, -3, 5, 9, 0, -3, 9, 9}) ASSERT_TRUE(spill.Add(v).ok());
  EXPECT_EQ(spill.added(), 8u);
  EXPECT_EQ(spill.runs_written(), 0u);
  EXPECT_EQ(Drain(spill), (std::vector<int64_t>{-3, 0, 5, 9}));
  EXPECT_EQ(spill.added(), 0u);  // empty again
  EXPECT_TRUE(Drain(spill).empty());
}

// Values in random order (every run overlaps every other) and in about ascending order with
// repeats across run boundaries (the runs barely overlap, as plays loaded in time order): the
// merge gives exactly the distinct values either way.
TEST(DistinctSpill, MergedRunsGiveEveryDistinctValueOnce) {
  std::mt19937_64 rng(7);
  for (bool nearly_sorted : {false, true}) {
    SCOPED_TRACE(nearly_sorted ? "nearly sorted" : "random");
    DistinctSpill spill(1000);
    std::set<int64_t> expected;
    int64_t t = 1'541'030'400'000'000;
    for (int i = 0; i < 25'000; ++i) {
      int64_t v;
      if (nearly_sorted) {
        t += static_cast<int64_t>(rng() % 3);  // repeats, here and there across runs
        v = t - static_cast<int64_t>(rng() % 5);
      } else {
        v = static_cast<int64_t>(rng() % 20'000) - 10'000;
      }
      expected.insert(v);
      ASSERT_TRUE(spill.Add(v).ok());
    }
    EXPECT_EQ(spill.runs_written(), 25u);
    EXPECT_EQ(Drain(spill), std::vector<int64_t>(expected.begin(), expected.end()));
  }
}

TEST(DistinctSpill, TheFileHasNoNameAndIsGoneAfter) {
  const fs::path dir = FreshDir("gone");
  ScopedTmpdir tmpdir(dir.string());
  {
    DistinctSpill spill(10);
    for (int64_t v = 0; v < 100; ++v) ASSERT_TRUE(spill.Add(v % 37).ok());
    EXPECT_EQ(spill.runs_written(), 10u);
    EXPECT_TRUE(fs::is_empty(dir)) << "the spill file is unlinked as soon as it is created";
    EXPECT_EQ(Drain(spill).size(), 37u);
  }
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(DistinctSpill, NoTemporaryFolderIsAClearError) {
  ScopedTmpdir tmpdir("/nonexistent/sparkify-spill");
  DistinctSpill spill(4);
  Status s;
  for (int64_t v = 0; v < 4 && s.ok(); ++v) s = spill.Add(v);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kIo);
  EXPECT_NE(s.error().ToString().find("TMPDIR"), std::string::npos) << s.error().ToString();
}

TEST(DistinctSpill, AnEmitErrorStopsTheMergeAndEmptiesTheSpill) {
  DistinctSpill spill(100);
  for (int64_t v = 0; v < 100'000; ++v) ASSERT_TRUE(spill.Add(v).ok());
  int calls = 0;
  Status s = spill.ForEachDistinct([&](std::span<const int64_t>) {
    ++calls;
    return Status(Error::Engine("the load failed"));
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.error().code(), ErrorCode::kEngine);
  EXPECT_EQ(spill.added(), 0u);
  EXPECT_EQ(spill.runs_written(), 0u);
}

TEST(DistinctSpill, MovesKeepTheirValues) {
  DistinctSpill a(3);
  for (int64_t v : {4, 1, 4, 2, 8, 1, 2}) ASSERT_TRUE(a.Add(v).ok());
  DistinctSpill b(std::move(a));
  DistinctSpill c;
  c = std::move(b);
  EXPECT_EQ(c.added(), 7u);
  EXPECT_EQ(Drain(c), (std::vector<int64_t>{1, 2, 4, 8}));
}

}  // namespace
}  // namespace sparkify
