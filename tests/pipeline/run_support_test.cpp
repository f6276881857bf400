// What a run holds between its phases (pipeline/run_support.hpp).
#include "sparkify/pipeline/run_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sparkify::pipeline {
namespace {

std::vector<source::SourceFile> Listing(size_t files) {
  std::vector<source::SourceFile> listing;
  for (size_t i = 0; i < files; ++i) {
    const std::string name = "song_data/A/B/C/TRABCDE1234567" + std::to_string(i) + ".json";
    listing.push_back(source::SourceFile{"/data/" + name, 600, 0, "", name});
  }
  return listing;
}

// ReleaseSongFiles frees the listing's and the load list's buffers, not only their elements: an
// emptied vector keeps its buffer (100,000 files: 7 MB held through the events and the transform
// until session 12).
TEST(SourcesTest, ReleaseSongFilesFreesTheBuffers) {
  Sources sources;
  sources.song_files = Listing(1000);
  sources.merged_song_files = Listing(1000);
  sources.event_files = Listing(3);
  ASSERT_GE(sources.song_files.capacity(), 1000u);

  sources.ReleaseSongFiles();
  EXPECT_TRUE(sources.LoadSongFiles().empty());
  EXPECT_EQ(sources.song_files.capacity(), 0u);
  EXPECT_FALSE(sources.merged_song_files.has_value());
  EXPECT_EQ(sources.event_files.size(), 3u);  // the events are still to load
}

}  // namespace
}  // namespace sparkify::pipeline
