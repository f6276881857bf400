// PlanLoad: how a listing compared with the load manifest becomes a load mode.
#include "sparkify/pipeline/manifest.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sparkify::pipeline {
namespace {

// The name of s3://b/<folder>/<name>: the path below the folder.
std::string NameIn(const std::string& uri) {
  const size_t folder = uri.find('/', 5);
  return uri.substr(uri.find('/', folder + 1) + 1);
}
source::SourceFile File(std::string uri, uint64_t size, int64_t mtime, std::string etag = "") {
  std::string name = NameIn(uri);
  return source::SourceFile{std::move(uri), size, mtime, std::move(etag), std::move(name)};
}
// A manifest row of a file last read from `uri`.
ManifestEntry Entry(FileKind kind, std::string uri, uint64_t size, int64_t mtime,
                    std::string checksum = "c0ffee", std::string etag = "") {
  ManifestEntry e;
  e.kind = kind;
  e.file = NameIn(uri);
  e.location = std::move(uri);
  e.size = size;
  e.mtime_ms = mtime;
  e.etag = std::move(etag);
  e.checksum = std::move(checksum);
  return e;
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
  std::map<std::string, std::string> checksum_of;     // by uri, else current_checksum
  std::map<std::string, source::SourceFile> located;  // what locate finds, by location
  bool loaded = true, full_refresh = false, sql = false;

  LoadPlan Plan() {
    PlanInputs in;
    in.songs = &songs;
    in.events = &events;
    in.manifest = loaded ? &manifest : nullptr;
    in.full_refresh = full_refresh;
    in.sql_transform = sql;
    in.checksum = [this](const source::SourceFile& f) -> Result<std::string> {
      ++checksums;
      auto it = checksum_of.find(f.uri);
      return it == checksum_of.end() ? current_checksum : it->second;
    };
    in.locate = [this](const std::string& location) -> Result<source::SourceFile> {
      auto it = located.find(location);
      if (it == located.end()) return Error::NotFound(location + ": no such file");
      return it->second;
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
  etag.events[0].set_etag("\"new\"");
  etag.manifest[1].etag = "\"old\"";
  etag.current_checksum = "beef";
  EXPECT_EQ(etag.Plan().mode, LoadMode::kRebuild);
  Fixture reuploaded;  // a multipart upload of the same bytes has another ETag
  reuploaded.events[0].set_etag("\"abc-2\"");
  reuploaded.manifest[1].etag = "\"old\"";
  EXPECT_EQ(reuploaded.Plan().mode, LoadMode::kNothing);
  EXPECT_EQ(reuploaded.checksums, 1);
  Fixture same_etag;
  same_etag.manifest[1].etag = "\"e\"";
  same_etag.events[0].set_etag(same_etag.manifest[1].etag);
  same_etag.current_checksum = "beef";
  EXPECT_EQ(same_etag.Plan().mode, LoadMode::kNothing) << "one ETag, one content";
  EXPECT_EQ(same_etag.checksums, 0);
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

TEST(PlanLoadTest, FilesNoLongerListedAreKept) {
  Fixture f;
  f.events.erase(f.events.begin());
  LoadPlan p = f.Plan();
  EXPECT_EQ(p.mode, LoadMode::kNothing);
  ASSERT_EQ(p.events.kept.size(), 1u);
  EXPECT_EQ(p.events.kept[0].file, "1.json");
  EXPECT_EQ(p.events.kept[0].location, "s3://b/log/1.json");
  EXPECT_TRUE(p.events.unreadable.empty()) << "nothing needs them: they are not looked for";
}

TEST(PlanLoadTest, AnEmptyManifestIsAFirstLoad) {
  Fixture f;
  f.manifest.clear();
  LoadPlan p = f.Plan();
  EXPECT_EQ(p.mode, LoadMode::kFull);
  EXPECT_EQ(p.reason, "no earlier load: every file is loaded");
}

TEST(PlanLoadTest, AFileIsItsNameNotItsLocation) {
  // The same folder copied elsewhere (another bucket, or a local mirror): same names and
  // content, so nothing is new; the content is verified once, since the place changed.
  Fixture copied;
  copied.songs = {File("s3://c/copy/a.json", 10, 7)};
  copied.events = {File("s3://c/copy/1.json", 100, 7), File("s3://c/copy/2.json", 200, 7)};
  LoadPlan p = copied.Plan();
  EXPECT_EQ(p.mode, LoadMode::kNothing);
  EXPECT_EQ(p.events.unchanged.size(), 2u);
  EXPECT_EQ(p.events.moved.size(), 2u);
  EXPECT_EQ(p.songs.moved.size(), 1u);
  EXPECT_EQ(copied.checksums, 3);
  // A copy whose content differs is a changed file.
  Fixture edited;
  edited.events = {File("s3://c/copy/1.json", 100, 7), File("s3://c/copy/2.json", 200, 7)};
  edited.checksum_of["s3://c/copy/2.json"] = "beef";
  LoadPlan q = edited.Plan();
  EXPECT_EQ(q.mode, LoadMode::kRebuild);
  ASSERT_EQ(q.events.changed.size(), 1u);
  EXPECT_EQ(q.events.changed[0], 1u);
}

TEST(PlanLoadTest, SameContentUnderAnotherNameIsNotLoadedAgain) {
  Fixture f;
  f.events.push_back(File("s3://b/log/3.json", 100, 9));  // 1.json's size and content
  LoadPlan p = f.Plan();
  EXPECT_EQ(p.mode, LoadMode::kNothing);
  ASSERT_EQ(p.events.same_content.size(), 1u);
  EXPECT_EQ(p.events.same_content[0].index, 2u);
  EXPECT_EQ(p.events.same_content[0].loaded_as, "1.json");
  EXPECT_TRUE(p.events.fresh.empty());
  Fixture other;
  other.events.push_back(File("s3://b/log/3.json", 100, 9));
  other.checksum_of["s3://b/log/3.json"] = "beef";
  EXPECT_EQ(other.Plan().mode, LoadMode::kAppend) << "same size, other content: new";
  Fixture bigger;
  bigger.events.push_back(File("s3://b/log/3.json", 101, 9));
  EXPECT_EQ(bigger.Plan().mode, LoadMode::kAppend);
  EXPECT_EQ(bigger.checksums, 0) << "no loaded file of its size: not read";
}

TEST(PlanLoadTest, ARebuildNeedsTheKeptFilesWhereTheyWereLastRead) {
  Fixture f;  // 1.json is no longer listed, and a new song file forces a rebuild
  f.events.erase(f.events.begin());
  f.songs.push_back(File("s3://b/song/b.json", 11, 5));
  f.located["s3://b/log/1.json"] = File("s3://b/log/1.json", 100, 1);
  LoadPlan p = f.Plan();
  EXPECT_EQ(p.mode, LoadMode::kRebuild);
  ASSERT_EQ(p.events.kept.size(), 1u);
  EXPECT_TRUE(p.events.unreadable.empty());
  std::optional<std::vector<source::SourceFile>> merged = FilesToLoad(f.events, p.events, p.mode);
  ASSERT_TRUE(merged.has_value());
  const std::vector<source::SourceFile>& load = *merged;
  ASSERT_EQ(load.size(), 2u);
  EXPECT_EQ(load[0].uri, "s3://b/log/1.json") << "kept files join the listed ones by name";
  EXPECT_EQ(load[0].name(), "1.json");
  EXPECT_EQ(load[1].uri, "s3://b/log/2.json");

  Fixture gone = f;
  gone.located.clear();
  LoadPlan q = gone.Plan();
  ASSERT_EQ(q.events.unreadable.size(), 1u);
  EXPECT_EQ(q.events.unreadable[0].reason, "no longer there");
  Fixture resized = f;
  resized.located["s3://b/log/1.json"].size = 99;
  ASSERT_EQ(resized.Plan().events.unreadable.size(), 1u);
  Fixture rewritten = f;
  rewritten.checksum_of["s3://b/log/1.json"] = "beef";
  rewritten.located["s3://b/log/1.json"].mtime_ms = 42;
  LoadPlan r = rewritten.Plan();
  ASSERT_EQ(r.events.unreadable.size(), 1u);
  EXPECT_EQ(r.events.unreadable[0].reason, "its content changed (checksum differs)");
}

TEST(PlanLoadTest, FilesToLoadLeavesOutWhatIsLoadedUnderAnotherName) {
  Fixture f;
  f.events.push_back(File("s3://b/log/3.json", 100, 9));
  f.full_refresh = false;
  LoadPlan p = f.Plan();
  std::optional<std::vector<source::SourceFile>> load =
      FilesToLoad(f.events, p.events, LoadMode::kRebuild);
  ASSERT_TRUE(load.has_value());
  ASSERT_EQ(load->size(), 2u);
  EXPECT_EQ((*load)[1].uri, "s3://b/log/2.json");
  EXPECT_FALSE(FilesToLoad(f.songs, p.songs, LoadMode::kRebuild).has_value())
      << "nothing left out and nothing kept: the listing as it is";
}

TEST(ConvertLegacyManifestTest, OldKeysBecomeNamesBelowTheLocation) {
  std::vector<ManifestEntry> legacy{Entry(FileKind::kEvents, "/old/data/log/2018/11/a.json", 1, 1),
                                    Entry(FileKind::kEvents, "/old/data/log/2018/12/b.json", 1, 1),
                                    Entry(FileKind::kSongs, "/data/song/A/x.json", 1, 1)};
  for (ManifestEntry& e : legacy) e.file = e.location;  // as kSelectLegacyManifest reads them
  std::vector<source::SourceFile> songs{
      source::SourceFile{"/data/song/A/x.json", 1, 1, "", "A/x.json"}};
  std::vector<source::SourceFile> events{
      source::SourceFile{"/new/log/2018/11/a.json", 1, 1, "", "2018/11/a.json"}};
  std::vector<ManifestEntry> named = ConvertLegacyManifest(legacy, songs, events);
  EXPECT_EQ(named[0].file, "2018/11/a.json") << "the listed name its location ends with";
  EXPECT_EQ(named[1].file, "2018/12/b.json") << "below the root the recognised rows show";
  EXPECT_EQ(named[2].file, "A/x.json") << "the listed file at that location";
  EXPECT_EQ(named[0].location, "/old/data/log/2018/11/a.json");
  // Nothing listed: the rows' common folder is their root.
  std::vector<ManifestEntry> alone = ConvertLegacyManifest(legacy, {}, {});
  EXPECT_EQ(alone[0].file, "11/a.json");
  EXPECT_EQ(alone[1].file, "12/b.json");
  EXPECT_EQ(alone[2].file, "x.json");
}

TEST(ManifestKeyTest, LocalPathsAreAbsoluteAndNormalS3IsAsIs) {
  EXPECT_EQ(ManifestKey("s3://bucket/a/../b.json"), "s3://bucket/a/../b.json");
  EXPECT_EQ(ManifestKey("/data/./log/../log/x.json"), "/data/log/x.json");
  EXPECT_EQ(ManifestKey("x.json").front(), '/');
}

// CopyPrefixes: each prefix must cover chosen files only, and together all of them.
std::vector<source::SourceFile> Listing(const std::vector<std::string>& keys) {
  std::vector<source::SourceFile> files;
  for (const std::string& k : keys) files.push_back({"s3://b/" + k, 1, 0, "", k});
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
