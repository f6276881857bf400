// PlanLoad: how a listing compared with the load manifest becomes a load mode.
#include "sparkify/pipeline/manifest.hpp"

#include <gtest/gtest.h>

namespace sparkify::pipeline {
namespace {

source::SourceFile File(std::string uri, uint64_t size, int64_t mtime, std::string etag = "") {
  return source::SourceFile{std::move(uri), size, mtime, std::move(etag)};
}
ManifestEntry Entry(FileKind kind, std::string file, uint64_t size, int64_t mtime,
                    std::string checksum = "c0ffee", std::string etag = "") {
  return ManifestEntry{kind, std::move(file), size, mtime, std::move(etag), std::move(checksum)};
}

struct Fixture {
  std::vector<source::SourceFile> songs{File("s3://b/song/a.json", 10, 1)};
  std::vector<source::SourceFile> events{File("s3://b/log/1.json", 100, 1),
                                         File("s3://b/log/2.json", 200, 1)};
  std::vector<ManifestEntry> manifest{Entry(FileKind::kSongs, "s3://b/song/a.json", 10, 1),
                                      Entry(FileKind::kEvents, "s3://b/log/1.json", 100, 1),
                                      Entry(FileKind::kEvents, "s3://b/log/2.json", 200, 1)};
  int checksums = 0;
  std::string current_checksum = "c0ffee";
  bool loaded = true, full_refresh = false, sql = false;

  LoadPlan Plan() {
    PlanInputs in;
    in.songs = &songs;
    in.events = &events;
    in.manifest = loaded ? &manifest : nullptr;
    in.full_refresh = full_refresh;
    in.sql_transform = sql;
    in.checksum = [this](FileKind, const source::SourceFile&) -> Result<std::string> {
      ++checksums;
      return current_checksum;
    };
    auto plan = PlanLoad(in);
    EXPECT_TRUE(plan.ok());
    return plan.ok() ? *plan : LoadPlan{};
  }
};

TEST(PlanLoadTest, FirstLoadAndFullRefreshLoadEverything) {
  Fixture f;
  f.loaded = false;
  EXPECT_EQ(f.Plan().mode, LoadMode::kFull);
  EXPECT_EQ(f.Plan().events.fresh.size(), 2u);
  Fixture g;
  g.full_refresh = true;
  EXPECT_EQ(g.Plan().mode, LoadMode::kFull);
}

TEST(PlanLoadTest, NothingNewIsNothing) {
  Fixture f;
  LoadPlan p = f.Plan();
  EXPECT_EQ(p.mode, LoadMode::kNothing);
  EXPECT_EQ(p.reason.rfind("0 new files", 0), 0u);
  EXPECT_EQ(p.events.unchanged.size(), 2u);
  EXPECT_EQ(f.checksums, 0) << "same size and time: no file is read";
}

TEST(PlanLoadTest, NewEventFilesAfterTheLoadedOnesAppend) {
  Fixture f;
  f.events.push_back(File("s3://b/log/3.json", 300, 5));
  LoadPlan p = f.Plan();
  EXPECT_EQ(p.mode, LoadMode::kAppend);
  ASSERT_EQ(p.events.fresh.size(), 1u);
  EXPECT_EQ(p.events.fresh[0], 2u);
  f.sql = true;
  EXPECT_EQ(f.Plan().mode, LoadMode::kRebuild) << "the SQL transform always rebuilds";
}

TEST(PlanLoadTest, WhatAppendingCannotDoExactlyRebuilds) {
  Fixture earlier;
  earlier.events.insert(earlier.events.begin(), File("s3://b/log/0.json", 5, 5));
  EXPECT_EQ(earlier.Plan().mode, LoadMode::kRebuild);
  Fixture song;
  song.songs.push_back(File("s3://b/song/b.json", 11, 5));
  EXPECT_EQ(song.Plan().mode, LoadMode::kRebuild);
  Fixture resized;
  resized.events[1].size = 201;
  LoadPlan p = resized.Plan();
  EXPECT_EQ(p.mode, LoadMode::kRebuild);
  EXPECT_EQ(p.events.changed.size(), 1u);
  EXPECT_EQ(resized.checksums, 0) << "a new size needs no checksum";
  Fixture etag;
  etag.events[0].etag = "\"new\"";
  etag.manifest[1].etag = "\"old\"";
  EXPECT_EQ(etag.Plan().mode, LoadMode::kRebuild);
}

TEST(PlanLoadTest, ANewModificationTimeIsSettledByTheChecksum) {
  Fixture touched;
  touched.events[0].mtime_ms = 99;
  EXPECT_EQ(touched.Plan().mode, LoadMode::kNothing);
  EXPECT_EQ(touched.checksums, 1);
  Fixture edited;
  edited.events[0].mtime_ms = 99;
  edited.current_checksum = "beef";
  EXPECT_EQ(edited.Plan().mode, LoadMode::kRebuild);
}

TEST(PlanLoadTest, GoneFilesAreListed) {
  Fixture f;
  f.events.erase(f.events.begin());
  LoadPlan p = f.Plan();
  EXPECT_EQ(p.mode, LoadMode::kNothing);
  ASSERT_EQ(p.events.gone.size(), 1u);
  EXPECT_EQ(p.events.gone[0], "s3://b/log/1.json");
}

TEST(ManifestKeyTest, LocalPathsAreAbsoluteAndNormalS3IsAsIs) {
  EXPECT_EQ(ManifestKey("s3://bucket/a/../b.json"), "s3://bucket/a/../b.json");
  EXPECT_EQ(ManifestKey("/data/./log/../log/x.json"), "/data/log/x.json");
  EXPECT_EQ(ManifestKey("x.json").front(), '/');
}

// CopyPrefixes: each prefix must cover chosen files only, and together all of them.
std::vector<source::SourceFile> Listing(const std::vector<std::string>& keys) {
  std::vector<source::SourceFile> files;
  for (const std::string& k : keys) files.push_back({"s3://b/" + k, 1, 0, ""});
  return files;
}

void ExpectExactCover(const std::vector<source::SourceFile>& listing,
                      const std::vector<size_t>& chosen, const std::vector<std::string>& prefixes) {
  std::vector<bool> is_chosen(listing.size(), false);
  for (size_t i : chosen) is_chosen[i] = true;
  std::vector<int> covered(listing.size(), 0);
  for (const std::string& p : prefixes) {
    for (size_t i = 0; i < listing.size(); ++i) {
      if (!listing[i].uri.starts_with(p)) continue;
      EXPECT_TRUE(is_chosen[i]) << p << " would also COPY " << listing[i].uri;
      ++covered[i];
    }
  }
  for (size_t i : chosen) EXPECT_EQ(covered[i], 1) << listing[i].uri;
}

TEST(CopyPrefixesTest, NewFilesAfterTheLoadedOnesShareAFewPrefixes) {
  const auto listing =
      Listing({"log_data/2018/11/2018-11-01-events.json", "log_data/2018/11/2018-11-02-events.json",
               "log_data/2018/11/2018-11-30-events.json", "log_data/2018/12/2018-12-01-events.json",
               "log_data/2018/12/2018-12-02-events.json"});
  auto one_month = CopyPrefixes(listing, {3, 4});
  ASSERT_TRUE(one_month.ok()) << one_month.error().ToString();
  EXPECT_EQ(*one_month, std::vector<std::string>{"s3://b/log_data/2018/12/2018-12-0"});
  ExpectExactCover(listing, {3, 4}, *one_month);

  // 11-30 and December share "log_data/2018/1", which also covers 11-01: split by month.
  auto spanning = CopyPrefixes(listing, {2, 3, 4});
  ASSERT_TRUE(spanning.ok());
  EXPECT_EQ(spanning->size(), 2u);
  ExpectExactCover(listing, {2, 3, 4}, *spanning);

  auto everything = CopyPrefixes(listing, {0, 1, 2, 3, 4});
  ASSERT_TRUE(everything.ok());
  EXPECT_EQ(*everything, std::vector<std::string>{"s3://b/log_data/2018/1"});
  auto nothing = CopyPrefixes(listing, {});
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

TEST(CopyPrefixesTest, ScatteredChoicesAreCoveredExactly) {
  std::vector<std::string> keys;
  for (int day = 1; day <= 30; ++day) {
    for (const char* hour : {"a", "b", "c"}) {
      keys.push_back("e/2018-11-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "-" +
                     hour + ".json");
    }
  }
  const auto listing = Listing(keys);
  for (unsigned seed = 1; seed <= 50; ++seed) {
    std::vector<size_t> chosen;
    for (size_t i = 0; i < listing.size(); ++i) {
      if ((i * 2654435761u + seed * 40503u) % 7 < 3) chosen.push_back(i);
    }
    auto prefixes = CopyPrefixes(listing, chosen);
    ASSERT_TRUE(prefixes.ok()) << prefixes.error().ToString();
    ExpectExactCover(listing, chosen, *prefixes);
    EXPECT_LE(prefixes->size(), chosen.size());
  }
}

TEST(CopyPrefixesTest, AFileAnotherKeyExtendsCannotBeCopiedAlone) {
  const auto listing = Listing({"e/a.json", "e/a.json/b.json"});
  auto prefixes = CopyPrefixes(listing, {0});
  ASSERT_FALSE(prefixes.ok());
  EXPECT_NE(prefixes.error().message().find("--full-refresh"), std::string::npos);
  auto both = CopyPrefixes(listing, {0, 1});
  ASSERT_TRUE(both.ok());
  ExpectExactCover(listing, {0, 1}, *both);
}

}  // namespace
}  // namespace sparkify::pipeline
