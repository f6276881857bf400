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

}  // namespace
}  // namespace sparkify::pipeline
