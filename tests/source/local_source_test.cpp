#include "sparkify/source/local_source.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "testing/test_util.hpp"

namespace sparkify::source {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Names(const std::vector<SourceFile>& files) {
  std::vector<std::string> names;
  for (const SourceFile& f : files) names.push_back(std::string(f.name()));
  return names;
}

// A tree with what a walk must take (nested *.json, links to files and folders) and what it
// must leave (other extensions, hidden files and folders, a link to nothing).
void MakeTree(const testing::TempDir& dir) {
  testing::WriteFile(dir / "data/A/B/C/TRABC1.json", "{}");
  testing::WriteFile(dir / "data/A/B/C/TRABC2.json", "{\"a\":1}");
  testing::WriteFile(dir / "data/A/B/D/TRABD1.json", "{}");
  testing::WriteFile(dir / "data/A/top.json", "{}");
  testing::WriteFile(dir / "data/A/notes.txt", "not data");
  testing::WriteFile(dir / "data/A/json", "no extension");
  testing::WriteFile(dir / "data/.hidden.json", "{}");
  testing::WriteFile(dir / "data/.ipynb_checkpoints/x.json", "{}");
  testing::WriteFile(dir / "elsewhere/linked.json", "{}");
  testing::WriteFile(dir / "other/deep/o.json", "{}");
  fs::create_symlink(dir / "elsewhere/linked.json", dir / "data/link.json");
  fs::create_directory_symlink(dir / "other", dir / "data/other_link");
  fs::create_symlink(dir / "missing.json", dir / "data/dangling.json");
}

TEST(LocalSource, ListsJsonFilesBelowAFolderSortedWithNames) {
  testing::TempDir dir;
  MakeTree(dir);
  for (int threads : {1, 2, 5}) {
    SCOPED_TRACE(threads);
    LocalSource source(dir / "data", threads);
    auto files = source.List();
    ASSERT_TRUE(files.ok()) << files.error().ToString();
    EXPECT_EQ(Names(*files), (std::vector<std::string>{"A/B/C/TRABC1.json", "A/B/C/TRABC2.json",
                                                       "A/B/D/TRABD1.json", "A/top.json",
                                                       "link.json", "other_link/deep/o.json"}));
    for (const SourceFile& f : *files) {
      EXPECT_EQ(f.uri, dir / "data/" + std::string(f.name()));
      struct stat st {};
      ASSERT_EQ(::stat(f.uri.c_str(), &st), 0) << f.uri;
      EXPECT_EQ(f.size, static_cast<uint64_t>(st.st_size)) << f.uri;
      EXPECT_EQ(f.mtime_ms,
                static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000);
    }
    EXPECT_EQ((*files)[1].size, 7u);
  }
}

// Lists `location` and expects exactly one file: its uri, name and size.
void ExpectOneFile(const std::string& location, const std::string& uri, const std::string& name,
                   uint64_t size) {
  LocalSource source(location, 2);
  auto files = source.List();
  ASSERT_TRUE(files.ok()) << files.error().ToString();
  ASSERT_EQ(files->size(), 1u) << location;
  EXPECT_EQ((*files)[0].uri, uri);
  EXPECT_EQ((*files)[0].name(), name);
  EXPECT_EQ((*files)[0].size, size);
}

// A file's uri is the location as given and the name below it: a trailing slash is not doubled,
// a relative location stays relative (the load manifest compares uris across runs).
TEST(LocalSource, UrisKeepTheLocationAsGiven) {
  testing::TempDir dir;
  testing::WriteFile(dir / "data/x/a.json", "{}");
  ExpectOneFile(dir / "data/", dir / "data/x/a.json", "x/a.json", 2);
  const fs::path before = fs::current_path();
  fs::current_path(dir.path());
  ExpectOneFile("./data", "./data/x/a.json", "x/a.json", 2);
  fs::current_path(before);
}

TEST(LocalSource, ALocationNamingOneFileListsThatFile) {
  testing::TempDir dir;
  testing::WriteFile(dir / "one/events.json", "{}\n{}\n");
  ExpectOneFile(dir / "one/events.json", dir / "one/events.json", "events.json", 6);
}

TEST(LocalSource, MissingLocationAndEmptyFolder) {
  testing::TempDir dir;
  LocalSource missing(dir / "nope", 2);
  auto none = missing.List();
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().ToString().find("no such file or folder"), std::string::npos);

  fs::create_directories(dir / "empty/a/b");
  LocalSource empty(dir / "empty", 2);
  auto files = empty.List();
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
}

// A folder the walk cannot read fails the listing, naming the folder (a partial listing would
// load some files and silently leave the rest). Root reads every folder, so this needs a user.
TEST(LocalSource, UnreadableFolderFailsTheListing) {
  if (::geteuid() == 0) {
    // Root bypasses permissions: make the folder unreadable by replacing it with a link loop.
    testing::TempDir dir;
    testing::WriteFile(dir / "data/ok/a.json", "{}");
    fs::create_directory_symlink(dir / "data/loop", dir / "data/loop");
    LocalSource source(dir / "data", 2);
    auto files = source.List();
    ASSERT_FALSE(files.ok());
    EXPECT_NE(files.error().ToString().find(dir / "data/loop"), std::string::npos)
        << files.error().ToString();
    return;
  }
  testing::TempDir dir;
  testing::WriteFile(dir / "data/ok/a.json", "{}");
  testing::WriteFile(dir / "data/locked/b.json", "{}");
  fs::permissions(dir / "data/locked", fs::perms::none);
  LocalSource source(dir / "data", 2);
  auto files = source.List();
  fs::permissions(dir / "data/locked", fs::perms::owner_all);
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.error().ToString().find("locked"), std::string::npos);
}

// Many folders, walked by several threads: every file once, whatever the thread count.
TEST(LocalSource, ManyFoldersListTheSameAtEveryThreadCount) {
  testing::TempDir dir;
  std::vector<std::string> expected;
  for (int a = 0; a < 6; ++a) {
    for (int b = 0; b < 6; ++b) {
      for (int f = 0; f < 3; ++f) {
        std::string name = std::string(1, static_cast<char>('A' + a)) + "/" +
                           std::string(1, static_cast<char>('A' + b)) + "/T" + std::to_string(f) +
                           ".json";
        testing::WriteFile(dir / "songs/" + name, "{}");
        expected.push_back(name);
      }
    }
  }
  std::sort(expected.begin(), expected.end());
  for (int threads : {1, 2, 3, 8}) {
    LocalSource source(dir / "songs", threads);
    auto files = source.List();
    ASSERT_TRUE(files.ok());
    EXPECT_EQ(Names(*files), expected) << threads << " threads";
  }
}

}  // namespace
}  // namespace sparkify::source
