// SongIndex::Find: every song file's (title, artist, duration) is found, with the smallest
// song_id on duplicates, and nothing else is — through the Bloom filter in front of the table.
#include <gtest/gtest.h>

#include <string>

#include "sparkify/parse/records.hpp"
#include "sparkify/pipeline/star_builder.hpp"

namespace sparkify::pipeline {
namespace {

void AddSong(ColumnBatch& batch, const std::string& song_id, const std::string& title,
             const std::string& artist, double duration) {
  const std::string artist_id = "AR" + artist;
  const FieldValue row[] = {FieldValue::Int(1),           FieldValue::Text(artist_id),
                            FieldValue::Null(),           FieldValue::Null(),
                            FieldValue::Text(""),         FieldValue::Text(artist),
                            FieldValue::Text(song_id),    FieldValue::Text(title),
                            FieldValue::Double(duration), FieldValue::Int(2000)};
  batch.AppendRow(row);
}

TEST(SongIndexTest, FindsEverySongAndNothingElse) {
  ColumnBatch songs(parse::StagingSongsSchema());
  constexpr int kSongs = 200000;  // enough to fill the filter well past its sweet spot
  for (int i = 0; i < kSongs; ++i) {
    AddSong(songs, "SO" + std::to_string(i), "Title " + std::to_string(i),
            "Artist " + std::to_string(i % 997), 100.0 + i * 0.25);
  }
  AddSong(songs, "SOB", "Title 5", "Artist 5", 101.25);  // a duplicate: SO5 < SOB stays
  AddSong(songs, "SOZERO", "Zero", "Nobody", -0.0);
  SongIndex index;
  index.Add(songs);
  for (int i = 0; i < kSongs; ++i) {
    const SongIndex::Match* m = index.Find("Title " + std::to_string(i),
                                           "Artist " + std::to_string(i % 997), 100.0 + i * 0.25);
    ASSERT_NE(m, nullptr) << i;
    ASSERT_EQ(m->song_id, "SO" + std::to_string(i));
  }
  int false_matches = 0;
  for (int i = 0; i < kSongs; ++i) {
    // Same title and artist, another duration; another artist; a title never seen.
    false_matches += index.Find("Title " + std::to_string(i), "Artist " + std::to_string(i % 997),
                                100.125 + i * 0.25) != nullptr;
    false_matches +=
        index.Find("Title " + std::to_string(i), "Artist " + std::to_string((i + 1) % 997),
                   100.0 + i * 0.25) != nullptr;
    false_matches += index.Find("Other " + std::to_string(i), "Artist 1", 100.0) != nullptr;
  }
  EXPECT_EQ(false_matches, 0);
  const SongIndex::Match* zero = index.Find("Zero", "Nobody", 0.0);  // -0.0 = 0.0, as in SQL
  ASSERT_NE(zero, nullptr);
  EXPECT_EQ(zero->song_id, "SOZERO");

  // An index rebuilt from the match table answers the same.
  ColumnBatch matches(SongMatchSchema());
  index.AppendMatches(matches);
  SongIndex rebuilt;
  for (size_t r = 0; r < matches.rows(); ++r) {
    rebuilt.AddMatch(matches.Text(0, r), matches.Text(1, r), matches.Double(2, r),
                     {std::string(matches.Text(3, r)), std::string(matches.Text(4, r))});
  }
  for (int i = 0; i < kSongs; i += 7) {
    const SongIndex::Match* m = rebuilt.Find("Title " + std::to_string(i),
                                             "Artist " + std::to_string(i % 997), 100.0 + i * 0.25);
    ASSERT_NE(m, nullptr) << i;
    EXPECT_EQ(m->song_id, "SO" + std::to_string(i));
  }
  EXPECT_EQ(rebuilt.Find("Title 1", "Artist 2", 100.25), nullptr);

  // Without its dimension rows (etl frees them once dim_artist / dim_song are loaded) the index
  // still matches every song and still gives the whole match table.
  index.ReleaseDimensionRows();
  ColumnBatch artists(DimArtistSchema());
  index.AppendArtists(artists);
  EXPECT_EQ(artists.rows(), 0u);
  for (int i = 0; i < kSongs; i += 3) {
    const SongIndex::Match* m = index.Find("Title " + std::to_string(i),
                                           "Artist " + std::to_string(i % 997), 100.0 + i * 0.25);
    ASSERT_NE(m, nullptr) << i;
    EXPECT_EQ(m->song_id, "SO" + std::to_string(i));
  }
  ColumnBatch matches_after(SongMatchSchema());
  index.AppendMatches(matches_after);
  EXPECT_EQ(matches_after.rows(), matches.rows());
}

}  // namespace
}  // namespace sparkify::pipeline
