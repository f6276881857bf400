// The "direct" transform: the star schema computed in C++ while the raw files are parsed,
// instead of staging everything and running the SQL transform. It implements exactly the
// rules of the SQL catalog (sql/catalog.cpp), which tests check by building both ways and
// comparing row for row:
//   - dim_artist: per artist_id, the values of the row with the smallest
//     (song_id, artist_name, artist_location, artist_latitude, artist_longitude), nulls last;
//   - dim_song: per song_id, the smallest (artist_id, title, year, duration), nulls last;
//   - song match: (title, artist_name, duration) -> the smallest (song_id, artist_id);
//   - dim_user: per non-empty user_id, the event that sorts first by ts desc, session_id desc,
//     item_in_session desc, level desc (nulls last), then first_name, last_name, gender asc;
//   - dim_time: every distinct start_time of a play, ISO week, weekday 0 = Sunday;
//   - fact_songplay: every NextSong event, numbered in load order (event_seq).
// Strings compare byte-wise, as DuckDB does and PostgreSQL does under collation "C".
//
// Threads: SongIndex is built on one thread, then shared read-only. Each worker owns one
// PlayMapper. UserTable and TimeSet are filled on the consumer thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sparkify/common/column_batch.hpp"
#include "sparkify/common/number_slots.hpp"
#include "sparkify/pipeline/stage.hpp"

namespace sparkify::pipeline {

const TableSchema& DimArtistSchema();
const TableSchema& DimSongSchema();
const TableSchema& DimUserSchema();
const TableSchema& DimTimeSchema();
// fact_songplay's columns; songplay_id is left 0 by PlayMapper and set by the consumer.
const TableSchema& FactSongplaySchema();
// The same columns, named for the temporary table plays wait in (sql::Stmt::kCreateFactLoad).
const TableSchema& FactLoadSchema();
// The state incremental runs resume from (sql::Stmt::kCreateLoadState): which song each
// (title, artist_name, duration) matches, and each user's latest event.
const TableSchema& SongMatchSchema();  // etl_song_match
const TableSchema& UserStateSchema();  // etl_user_latest
// Incremental runs: users whose row changes (dim_user columns, then the state columns) and new
// start times wait here before they are upserted (sql::Stmt::kCreateUpsertLoads).
const TableSchema& UserLoadSchema();  // etl_user_load
const TableSchema& TimeLoadSchema();  // etl_time_load

// Calendar fields of a UTC timestamp, as dim_time stores them.
struct TimeParts {
  int hour, day, week, month, year, weekday;
};
TimeParts SplitTimestamp(int64_t micros);
// Appends dim_time rows (DimTimeSchema's columns) for times in microseconds. Only the hour
// differs within a day: the other fields are computed once per day and reused while the times
// stay in it, which for times in ascending order is nearly always.
class TimeRowAppender {
 public:
  void Append(ColumnBatch& batch, int64_t micros);

 private:
  int64_t day_ = INT64_MIN;  // days since the epoch of parts_
  TimeParts parts_{};
};

class SongIndex {
 public:
  SongIndex();
  // Makes room for about `songs` rows (one per song file, usually): no rehashing as they come.
  void Reserve(size_t songs) {
    ReserveKeys(artists_, songs);
    ReserveKeys(songs_, songs);
    matches_.Reserve(songs);
  }
  // Adds staging_songs rows. Their matches join the match table in ReleaseDimensionRows.
  void Add(const ColumnBatch& songs);
  // Called by the Append functions below each time `out` holds kRowsPerFlush rows; it loads
  // and empties `out`, so a large index is loaded a batch at a time rather than copied whole.
  // Without one, every row is appended to `out`.
  using Flush = std::function<void()>;
  static constexpr size_t kRowsPerFlush = 8192;
  // Appends the dim_artist / dim_song rows, sorted by key.
  void AppendArtists(ColumnBatch& out, const Flush& flush = nullptr) const;
  void AppendSongs(ColumnBatch& out, const Flush& flush = nullptr) const;
  // Once dim_artist / dim_song are loaded: turns the rows added into the match table, a block
  // of rows at a time, each block freed (and its pages given back) as soon as its matches are
  // in, so the rows and the whole match table are never held at once (glibc's heap while L's
  // dimensions load: 55.6 → 48.1 MB; 300,000 song files peaked at 219 MB instead of 271;
  // docs/BENCHMARKS.md, session 16). AppendArtists / AppendSongs then append nothing.
  void ReleaseDimensionRows();

  // A song a play matches. The views point into the index: valid until it changes.
  struct Match {
    std::string_view song_id;
    std::string_view artist_id;
  };
  // The song a play of (title, artist, duration) matches, if any: of the rows added, only once
  // ReleaseDimensionRows has run; of AddMatch's, at once.
  std::optional<Match> Find(std::string_view title, std::string_view artist, double duration) const;

  // The match table alone (SongMatchSchema rows, sorted by title, artist, duration), and back:
  // an index rebuilt from it with AddMatch answers Find exactly as the one built from the song
  // files. AddMatch copies the text it is given.
  void AppendMatches(ColumnBatch& out, const Flush& flush = nullptr) const;
  void AddMatch(std::string_view title, std::string_view artist, double duration, Match match);
  size_t MatchCount() const { return matches_.size(); }
  // The memory the match table and its filter hold: all the index holds once
  // ReleaseDimensionRows has run.
  size_t MatchBytes() const { return matches_.bytes() + filter_.size() * sizeof(uint64_t); }

 private:
  // Every staging_songs row added, in blocks of column batches (one arena of text per column:
  // ~250 bytes a song, where a row of std::strings took ~1 KB twice over), numbered from 0 in
  // the order added.
  struct RowStore {
    static constexpr size_t kBlockRows = 4096;
    std::vector<std::unique_ptr<ColumnBatch>> blocks;
    size_t rows = 0;
    uint32_t Append(const ColumnBatch& from, size_t row);
    const ColumnBatch& Block(uint32_t id) const { return *blocks[id / kBlockRows]; }
    static size_t RowOf(uint32_t id) { return id % kBlockRows; }
    std::string_view Text(uint32_t id, size_t col) const { return Block(id).Text(col, RowOf(id)); }
  };
  // For each key of one text column (artist_id, song_id; never null), the stored row its rule
  // keeps: an index of row numbers hashed by that column's text. NumberSlots takes ~10 bytes a
  // key where a std::unordered_map took ~40 (L's 166,000 keys: 9 MB at the song phase's peak).
  struct KeptRows {
    size_t key_column;
    NumberSlots rows;
  };
  uint64_t KeyHash(const KeptRows& table, uint32_t row) const;
  void ReserveKeys(KeptRows& table, size_t keys) const;
  // Keeps stored row `row` for its key in `table` if the key is new, or if `rule` (columns
  // compared in turn, CompareRows) sorts it before the row kept.
  void Keep(KeptRows& table, uint32_t row, std::span<const size_t> rule) const;
  int CompareRows(uint32_t a, uint32_t b, std::span<const size_t> columns) const;
  // The rows `table` keeps, sorted by its key column.
  std::vector<uint32_t> SortedRows(const KeptRows& table) const;

  // (title, artist, duration) -> the smallest (song_id, artist_id), compact: every entry's four
  // strings in one arena and an open-addressed table of entry numbers, ~100 bytes a song where
  // a std::unordered_map of std::string keys and ids took ~270 (L's 100,000 songs: 27 MB).
  class MatchTable {
   public:
    struct Key {
      std::string_view title, artist;
      double duration;  // -0.0 made 0.0: they are equal in SQL
    };
    static Key MakeKey(std::string_view title, std::string_view artist, double duration);
    static uint64_t Hash(const Key& key);
    void Reserve(size_t entries);
    // Makes room for `bytes` more of text (the four strings of the entries to come).
    void ReserveText(size_t bytes) { text_.reserve(text_.size() + bytes); }
    // Adds the match, or keeps the smaller (song_id, artist_id) if the key is there.
    void Offer(const Key& key, uint64_t hash, Match match);
    std::optional<Match> Find(const Key& key, uint64_t hash) const;
    void ShrinkToFit();
    size_t size() const { return entries_.size(); }
    size_t bytes() const {
      return text_.capacity() + entries_.capacity() * sizeof(Entry) + slots_.bytes();
    }
    // Every (key, match), sorted by title, artist, duration.
    void ForEachSorted(const std::function<void(const Key&, const Match&)>& visit) const;

   private:
    struct Entry {
      uint64_t at;  // offset in text_ of title, artist, song_id, artist_id, in turn
      uint32_t title_size, artist_size, song_id_size, artist_id_size;
      double duration;
    };
    Key KeyOf(const Entry& e) const;
    Match MatchOf(const Entry& e) const;
    void Store(Entry& e, const Key& key, const Match& match);
    // The slot of slots_ holding `key`'s entry number, or where it would go.
    size_t SlotOf(const Key& key, uint64_t hash) const;
    std::string text_;
    std::vector<Entry> entries_;
    NumberSlots slots_;  // entry numbers by their keys' Hash
  };
  // Most plays match no song (the benchmark sets: 95%). A one-hash Bloom filter of the match
  // keys (4 Mbit, 512 KB: ~2% false hits at 100,000 songs) answers those without walking the
  // hash table, which was 10% of a load's CPU (docs/BENCHMARKS.md). Its bit is the top of the
  // table's hash.
  static constexpr int kFilterBits = 22;
  static uint64_t FilterBit(uint64_t hash) { return hash >> (64 - kFilterBits); }
  void Remember(uint64_t hash);

  std::unique_ptr<RowStore> store_ = std::make_unique<RowStore>();
  KeptRows artists_;  // artist_id -> the dim_artist row
  KeptRows songs_;    // song_id -> the dim_song row
  MatchTable matches_;
  std::vector<uint64_t> filter_ = std::vector<uint64_t>((uint64_t{1} << kFilterBits) / 64);
};

// The latest attributes of every user, per the dim_user rule.
class UserTable {
 public:
  struct Candidate {
    int64_t ts = 0;
    std::optional<int64_t> session_id, item_in_session;
    std::optional<std::string> level, first_name, last_name, gender;
  };
  // The same, borrowing its text (an event row's), copied only when it wins.
  struct CandidateView {
    int64_t ts = 0;
    std::optional<int64_t> session_id, item_in_session;
    std::optional<std::string_view> level, first_name, last_name, gender;
  };
  // Keeps `c` for `user_id` if it sorts before the one held (or none is); true if kept.
  bool Offer(std::string_view user_id, const CandidateView& c);
  bool Offer(std::string_view user_id, const Candidate& c);
  void Merge(UserTable&& other);
  // Merge, returning the ids whose row changed (new users included), sorted.
  std::vector<std::string> MergeChanged(UserTable&& other);
  void AppendUsers(ColumnBatch& out) const;  // dim_user rows, sorted by user_id
  void AppendState(ColumnBatch& out) const;  // UserStateSchema rows, sorted by user_id
  // UserLoadSchema rows of `ids` (each held).
  void AppendUserLoad(ColumnBatch& out, const std::vector<std::string>& ids) const;
  size_t size() const { return users_.size(); }

 private:
  // Looked up by string_view, without building a key string per event.
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  std::unordered_map<std::string, Candidate, IdHash, std::equal_to<>> users_;
};

// Turns staging_events rows into fact rows and user candidates. One per worker thread.
class PlayMapper final : public RowMapper {
 public:
  explicit PlayMapper(const SongIndex& songs) : songs_(songs) {}
  // Appends one fact row to `plays` (songplay_id 0) when `event` (a staging_events row) is a
  // NextSong event, and offers every event with a user to the mapper's own UserTable.
  void MapRow(std::span<const FieldValue> event, ColumnBatch& plays) override;
  UserTable& users() { return users_; }

 private:
  const SongIndex& songs_;
  UserTable users_;
};

}  // namespace sparkify::pipeline
