// SongIndex::Find: every song file's (title, artist, duration) is found, with the smallest
// song_id on duplicates, and nothing else is — through the Bloom filter in front of the table.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

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
  // The rows' matches join the match table as the rows go (etl frees them once dim_artist and
  // dim_song are loaded): only then are they found.
  EXPECT_FALSE(index.Find("Title 1", "Artist 1", 100.25).has_value());
  ColumnBatch artists_before(DimArtistSchema());
  index.AppendArtists(artists_before);
  EXPECT_EQ(artists_before.rows(), 998u);  // "Artist 0" .. "Artist 996", "Nobody"
  index.ReleaseDimensionRows();
  ColumnBatch artists(DimArtistSchema());
  index.AppendArtists(artists);
  EXPECT_EQ(artists.rows(), 0u);
  for (int i = 0; i < kSongs; ++i) {
    std::optional<SongIndex::Match> m = index.Find(
        "Title " + std::to_string(i), "Artist " + std::to_string(i % 997), 100.0 + i * 0.25);
    ASSERT_TRUE(m.has_value()) << i;
    ASSERT_EQ(m->song_id, "SO" + std::to_string(i));
  }
  int false_matches = 0;
  for (int i = 0; i < kSongs; ++i) {
    // Same title and artist, another duration; another artist; a title never seen.
    false_matches += index
                         .Find("Title " + std::to_string(i), "Artist " + std::to_string(i % 997),
                               100.125 + i * 0.25)
                         .has_value();
    false_matches += index
                         .Find("Title " + std::to_string(i),
                               "Artist " + std::to_string((i + 1) % 997), 100.0 + i * 0.25)
                         .has_value();
    false_matches += index.Find("Other " + std::to_string(i), "Artist 1", 100.0).has_value();
  }
  EXPECT_EQ(false_matches, 0);
  std::optional<SongIndex::Match> zero =
      index.Find("Zero", "Nobody", 0.0);  // -0.0 = 0.0, as in SQL
  ASSERT_TRUE(zero.has_value());
  EXPECT_EQ(zero->song_id, "SOZERO");

  // An index rebuilt from the match table answers the same.
  ColumnBatch matches(SongMatchSchema());
  index.AppendMatches(matches);
  SongIndex rebuilt;
  for (size_t r = 0; r < matches.rows(); ++r) {
    rebuilt.AddMatch(matches.Text(0, r), matches.Text(1, r), matches.Double(2, r),
                     {matches.Text(3, r), matches.Text(4, r)});
  }
  for (int i = 0; i < kSongs; i += 7) {
    std::optional<SongIndex::Match> m = rebuilt.Find(
        "Title " + std::to_string(i), "Artist " + std::to_string(i % 997), 100.0 + i * 0.25);
    ASSERT_TRUE(m.has_value()) << i;
    EXPECT_EQ(m->song_id, "SO" + std::to_string(i));
  }
  EXPECT_FALSE(rebuilt.Find("Title 1", "Artist 2", 100.25).has_value());
}

// dim_artist and dim_song from song files that disagree: per artist_id the row with the
// smallest song_id (then name, location, latitude, longitude), per song_id the row with the
// smallest artist_id (then title, year, duration), nulls last; checked against a plain
// reading of those rules over every row.
// The match key is (title, artist, duration) and not their concatenation; of several songs with
// one key the smallest (song_id, artist_id) wins, whichever comes first; AppendMatches gives
// the table sorted by title, artist, duration.
TEST(SongIndexTest, MatchTableKeepsKeysApartAndTheSmallestSong) {
  SongIndex index;
  index.AddMatch("ab", "c", 1.0, {"SO1", "AR1"});
  index.AddMatch("a", "bc", 1.0, {"SO2", "AR2"});
  index.AddMatch("a", "bc", 2.0, {"SO3", "AR3"});
  index.AddMatch("t", "a", 5.0, {"SO9", "AR9"});
  index.AddMatch("t", "a", 5.0, {"SO4", "AR9"});  // smaller: replaces SO9
  index.AddMatch("t", "a", 5.0, {"SO4", "AR1"});  // smaller artist_id: replaces AR9
  index.AddMatch("t", "a", 5.0, {"SO5", "AR0"});  // larger song_id: ignored
  index.AddMatch("", "", 0.0, {"SOE", ""});       // empty strings are a key like any other
  EXPECT_EQ(index.MatchCount(), 5u);
  EXPECT_EQ(index.Find("ab", "c", 1.0)->song_id, "SO1");
  EXPECT_EQ(index.Find("a", "bc", 1.0)->song_id, "SO2");
  EXPECT_EQ(index.Find("a", "bc", 2.0)->artist_id, "AR3");
  EXPECT_FALSE(index.Find("abc", "", 1.0).has_value());
  EXPECT_FALSE(index.Find("a", "bc", 3.0).has_value());
  std::optional<SongIndex::Match> t = index.Find("t", "a", 5.0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->song_id, "SO4");
  EXPECT_EQ(t->artist_id, "AR1");
  EXPECT_EQ(index.Find("", "", -0.0)->song_id, "SOE");

  ColumnBatch rows(SongMatchSchema());
  index.AppendMatches(rows);
  std::vector<std::string> got;
  for (size_t r = 0; r < rows.rows(); ++r) {
    got.push_back(std::string(rows.Text(0, r)) + "|" + std::string(rows.Text(1, r)) + "|" +
                  std::to_string(rows.Double(2, r)) + "|" + std::string(rows.Text(3, r)) + "|" +
                  std::string(rows.Text(4, r)));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"||0.000000|SOE|", "a|bc|1.000000|SO2|AR2",
                                           "a|bc|2.000000|SO3|AR3", "ab|c|1.000000|SO1|AR1",
                                           "t|a|5.000000|SO4|AR1"}));
}

// MatchBytes counts what the match table holds (etl gives DuckDB that much less during the
// events): at least the filter, then the entries and their text as they come.
TEST(SongIndexTest, MatchBytesGrowWithTheMatches) {
  SongIndex index;
  const size_t empty = index.MatchBytes();
  EXPECT_GE(empty, size_t{512} << 10);  // the filter of 2^22 bits
  const std::string title(200, 't');
  for (int i = 0; i < 1000; ++i) {
    index.AddMatch(title + std::to_string(i), "artist", 1.0, {"SO" + std::to_string(i), "AR1"});
  }
  EXPECT_GE(index.MatchBytes(), empty + 1000 * 200);  // the titles alone
  EXPECT_LT(index.MatchBytes(), empty + 1000 * 1000);
}

TEST(SongIndexTest, DimensionRowsFollowTheRulesOverConflictingFiles) {
  struct Song {
    std::string artist_id, song_id;
    std::optional<std::string> name, location, title;
    std::optional<double> latitude, longitude, duration;
    std::optional<int64_t> year;
  };
  std::vector<Song> all;
  for (int i = 0; i < 4000; ++i) {
    Song s;
    s.artist_id = "AR" + std::to_string(i % 61);
    s.song_id = "SO" + std::to_string((i * 17) % 500);
    if (i % 7) s.name = "Name " + std::to_string(i % 5);
    if (i % 3) s.location = "Loc " + std::to_string(i % 4);
    if (i % 11) s.title = "Title " + std::to_string(i % 6);
    if (i % 2) s.latitude = (i % 9) * 1.5;
    if (i % 5) s.longitude = -(i % 8) * 0.5;
    if (i % 13) s.duration = 100 + i % 3;
    if (i % 4) s.year = 2000 + i % 2;
    all.push_back(s);
  }
  auto text = [](const std::optional<std::string>& v) {
    return v ? FieldValue::Text(*v) : FieldValue::Null();
  };
  auto number = [](const std::optional<double>& v) {
    return v ? FieldValue::Double(*v) : FieldValue::Null();
  };
  ColumnBatch batch(parse::StagingSongsSchema());
  for (const Song& s : all) {
    const FieldValue row[] = {FieldValue::Int(1),
                              FieldValue::Text(s.artist_id),
                              number(s.latitude),
                              number(s.longitude),
                              text(s.location),
                              text(s.name),
                              FieldValue::Text(s.song_id),
                              text(s.title),
                              number(s.duration),
                              s.year ? FieldValue::Int(*s.year) : FieldValue::Null()};
    batch.AppendRow(row);
  }
  SongIndex index;
  index.Add(batch);

  // Nulls last: an empty optional sorts after every value.
  auto key = [](const auto& v) {
    return std::make_pair(!v.has_value(), v.value_or(decltype(*v){}));
  };
  std::map<std::string, const Song*> artist_pick, song_pick;
  for (const Song& s : all) {
    const Song*& a = artist_pick[s.artist_id];
    if (!a || std::make_tuple(s.song_id, key(s.name), key(s.location), key(s.latitude),
                              key(s.longitude)) <
                  std::make_tuple(a->song_id, key(a->name), key(a->location), key(a->latitude),
                                  key(a->longitude)))
      a = &s;
    const Song*& b = song_pick[s.song_id];
    if (!b || std::make_tuple(s.artist_id, key(s.title), key(s.year), key(s.duration)) <
                  std::make_tuple(b->artist_id, key(b->title), key(b->year), key(b->duration)))
      b = &s;
  }
  auto or_null = [](const auto& v) {
    if (!v) return std::string("null");
    if constexpr (std::is_same_v<std::decay_t<decltype(*v)>, std::string>) {
      return *v;
    } else {
      return std::to_string(*v);
    }
  };
  std::string expected_artists, expected_songs;
  for (const auto& [id, s] : artist_pick) {
    expected_artists += id + "|" + or_null(s->name) + "|" + or_null(s->location) + "|" +
                        or_null(s->latitude) + "|" + or_null(s->longitude) + "\n";
  }
  for (const auto& [id, s] : song_pick) {
    expected_songs += id + "|" + or_null(s->title) + "|" + s->artist_id + "|" + or_null(s->year) +
                      "|" + or_null(s->duration) + "\n";
  }
  auto rows = [](const ColumnBatch& b) {
    std::string out;
    for (size_t r = 0; r < b.rows(); ++r) {
      for (size_t c = 0; c < b.columns(); ++c) {
        if (c) out += "|";
        if (b.IsNull(c, r)) {
          out += "null";
        } else if (b.schema().columns[c].type == ColumnType::kText) {
          out += b.Text(c, r);
        } else if (b.schema().columns[c].type == ColumnType::kDouble) {
          out += std::to_string(b.Double(c, r));
        } else {
          out += std::to_string(b.Int(c, r));
        }
      }
      out += "\n";
    }
    return out;
  };
  ColumnBatch artists(DimArtistSchema()), songs(DimSongSchema());
  index.AppendArtists(artists);
  index.AppendSongs(songs);
  EXPECT_EQ(artists.rows(), 61u);
  EXPECT_EQ(songs.rows(), 500u);
  EXPECT_EQ(rows(artists), expected_artists);
  EXPECT_EQ(rows(songs), expected_songs);
}

// With a flush, the rows come a batch of at most kRowsPerFlush at a time; together they are
// the rows appended without one, in the same order.
TEST(SongIndexTest, FlushedAppendsGiveTheSameRowsInBatches) {
  ColumnBatch staged(parse::StagingSongsSchema());
  const int songs = 2 * static_cast<int>(SongIndex::kRowsPerFlush) + 123;
  for (int i = 0; i < songs; ++i) {
    AddSong(staged, "SO" + std::to_string(i), "Title " + std::to_string(i),
            "Artist " + std::to_string(i), 100.0 + i);
  }
  SongIndex index;
  index.Add(staged);
  auto check = [&](const TableSchema& schema, auto append) {
    ColumnBatch whole(schema);
    append(whole, SongIndex::Flush());
    ColumnBatch batch(schema), joined(schema);
    std::vector<size_t> sizes;
    append(batch, [&] {
      sizes.push_back(batch.rows());
      for (size_t r = 0; r < batch.rows(); ++r) joined.AppendRowOf(batch, r);
      batch.Clear();
    });
    for (size_t r = 0; r < batch.rows(); ++r) joined.AppendRowOf(batch, r);
    EXPECT_EQ(sizes, std::vector<size_t>(2, SongIndex::kRowsPerFlush)) << schema.name;
    ASSERT_EQ(joined.rows(), static_cast<size_t>(songs)) << schema.name;
    ASSERT_EQ(whole.rows(), joined.rows()) << schema.name;
    for (size_t r = 0; r < whole.rows(); ++r) {
      for (size_t c = 0; c < whole.columns(); ++c) {
        const FieldValue a = whole.Value(c, r), b = joined.Value(c, r);
        ASSERT_TRUE(a.kind == b.kind && a.int_value == b.int_value &&
                    a.double_value == b.double_value && a.text == b.text)
            << schema.name << " row " << r << " column " << c;
      }
    }
  };
  check(DimArtistSchema(),
        [&](ColumnBatch& b, const SongIndex::Flush& f) { index.AppendArtists(b, f); });
  check(DimSongSchema(),
        [&](ColumnBatch& b, const SongIndex::Flush& f) { index.AppendSongs(b, f); });
  index.ReleaseDimensionRows();  // the rows become the match table
  check(SongMatchSchema(),
        [&](ColumnBatch& b, const SongIndex::Flush& f) { index.AppendMatches(b, f); });
}

}  // namespace
}  // namespace sparkify::pipeline
