#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sparkify/source/source.hpp"

namespace sparkify::source {
namespace {

TEST(SourceFileTest, KeepsNameAndEtagWhereverTheNameComesFrom) {
  // The usual case: the name is the uri's tail.
  SourceFile listed("/data/song_data/A/B/TRAB1.json", 10, 20, "", "A/B/TRAB1.json");
  EXPECT_EQ(listed.name(), "A/B/TRAB1.json");
  EXPECT_EQ(listed.etag(), "");
  EXPECT_EQ(NameOf(listed), "A/B/TRAB1.json");
  EXPECT_EQ(listed.size, 10u);
  EXPECT_EQ(listed.mtime_ms, 20);

  // A name that is not the uri's tail (a manifest entry read elsewhere), and an ETag.
  SourceFile other("s3://bucket/log/1.json", 1, 2, "\"e-1\"", "2018/11/1.json");
  EXPECT_EQ(other.name(), "2018/11/1.json");
  EXPECT_EQ(other.etag(), "\"e-1\"");

  // No name: NameOf falls back to the uri.
  SourceFile nameless("/x/y.json", 1, 2);
  EXPECT_EQ(nameless.name(), "");
  EXPECT_EQ(NameOf(nameless), "/x/y.json");

  // The whole uri as its name.
  SourceFile whole("/x/y.json", 1, 2, "", "/x/y.json");
  EXPECT_EQ(whole.name(), "/x/y.json");

  // Setters keep the other part; a name can be cleared.
  other.set_name("1.json");  // now a tail
  EXPECT_EQ(other.name(), "1.json");
  EXPECT_EQ(other.etag(), "\"e-1\"");
  other.set_etag("");
  EXPECT_EQ(other.etag(), "");
  EXPECT_EQ(other.name(), "1.json");
  listed.set_etag("abc");
  EXPECT_EQ(listed.name(), "A/B/TRAB1.json");
  listed.set_name({});
  EXPECT_EQ(listed.name(), "");
  EXPECT_EQ(listed.etag(), "abc");
  // Setting a name from the file's own uri or name.
  whole.set_name(std::string_view(whole.uri).substr(3));
  EXPECT_EQ(whole.name(), "y.json");
  whole.set_name(whole.name().substr(2));
  EXPECT_EQ(whole.name(), "json");
}

TEST(SourceFileTest, CopiesAndMovesKeepEverything) {
  std::vector<SourceFile> files;
  for (int i = 0; i < 100; ++i) {
    const std::string name = "dir/f" + std::to_string(i) + ".json";
    files.emplace_back("/root/" + name, i, i, i % 2 ? "tag" + std::to_string(i) : "",
                       i % 3 ? name : "elsewhere/" + name);
  }
  std::vector<SourceFile> copies = files;  // copies share what they can
  files.clear();
  files.shrink_to_fit();
  for (int i = 0; i < 100; ++i) {
    const std::string name = "dir/f" + std::to_string(i) + ".json";
    EXPECT_EQ(copies[i].uri, "/root/" + name);
    EXPECT_EQ(copies[i].name(), i % 3 ? name : "elsewhere/" + name);
    EXPECT_EQ(copies[i].etag(), i % 2 ? "tag" + std::to_string(i) : "");
  }
}

}  // namespace
}  // namespace sparkify::source
