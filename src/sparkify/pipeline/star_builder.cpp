#include "sparkify/pipeline/star_builder.hpp"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <tuple>

#include "sparkify/common/civil_time.hpp"
#include "sparkify/pipeline/run_support.hpp"

namespace sparkify::pipeline {
namespace {

// staging_events columns (parse/records.cpp)
constexpr size_t kEvArtist = 0, kEvFirstName = 2, kEvGender = 3, kEvItem = 4, kEvLastName = 5,
                 kEvLength = 6, kEvLevel = 7, kEvLocation = 8, kEvPage = 10, kEvSession = 12,
                 kEvSong = 13, kEvTs = 15, kEvUserAgent = 16, kEvUserId = 17;
// staging_songs columns
constexpr size_t kSoArtistId = 1, kSoLatitude = 2, kSoLongitude = 3, kSoLocation = 4,
                 kSoArtistName = 5, kSoSongId = 6, kSoTitle = 7, kSoDuration = 8, kSoYear = 9;
// The row dim_artist keeps per artist_id: the smallest song_id, then name, location,
// latitude, longitude. The row dim_song keeps per song_id: the smallest artist_id, then title,
// year, duration. Ascending, nulls last (SPEC). Every column a table keeps is compared, so
// rows that tie are the same row there.
constexpr std::array<size_t, 5> kArtistRule{kSoSongId, kSoArtistName, kSoLocation, kSoLatitude,
                                            kSoLongitude};
constexpr std::array<size_t, 4> kSongRule{kSoArtistId, kSoTitle, kSoYear, kSoDuration};

std::optional<double> DoubleAt(const ColumnBatch& b, size_t col, size_t row) {
  if (b.IsNull(col, row)) return std::nullopt;
  return b.Double(col, row);
}
std::optional<int64_t> IntAt(const ColumnBatch& b, size_t col, size_t row) {
  if (b.IsNull(col, row)) return std::nullopt;
  return b.Int(col, row);
}

std::optional<std::string_view> TextViewAt(const ColumnBatch& b, size_t col, size_t row) {
  if (b.IsNull(col, row)) return std::nullopt;
  return b.Text(col, row);
}

// Three-way comparisons with SQL's "asc nulls last" / "desc nulls last" (a string and a
// string_view compare byte-wise either way round).
template <typename A, typename B>
int AscNullsLast(const std::optional<A>& a, const std::optional<B>& b) {
  if (!a || !b) return a ? -1 : (b ? 1 : 0);
  return *a < *b ? -1 : (*b < *a ? 1 : 0);
}
template <typename A, typename B>
int DescNullsLast(const std::optional<A>& a, const std::optional<B>& b) {
  if (!a || !b) return a ? -1 : (b ? 1 : 0);
  return *a < *b ? 1 : (*b < *a ? -1 : 0);
}

// < 0 when candidate `c` sorts before `held` by the dim_user rule: ts desc, session_id desc,
// item_in_session desc, level desc (nulls last), then first_name, last_name, gender asc.
int CompareCandidates(const UserTable::CandidateView& c, const UserTable::Candidate& held) {
  int cmp = c.ts > held.ts ? -1 : (c.ts < held.ts ? 1 : 0);
  if (cmp == 0) cmp = DescNullsLast(c.session_id, held.session_id);
  if (cmp == 0) cmp = DescNullsLast(c.item_in_session, held.item_in_session);
  if (cmp == 0) cmp = DescNullsLast(c.level, held.level);
  if (cmp == 0) cmp = AscNullsLast(c.first_name, held.first_name);
  if (cmp == 0) cmp = AscNullsLast(c.last_name, held.last_name);
  if (cmp == 0) cmp = AscNullsLast(c.gender, held.gender);
  return cmp;
}

// Overwrites `out` with `v`, reusing out's buffer.
void AssignText(std::optional<std::string>& out, const std::optional<std::string_view>& v) {
  if (!v) {
    out.reset();
  } else if (out) {
    out->assign(*v);
  } else {
    out.emplace(*v);
  }
}

FieldValue Text(const std::optional<std::string>& v) {
  return v ? FieldValue::Text(*v) : FieldValue::Null();
}
FieldValue Text(const std::optional<std::string_view>& v) {
  return v ? FieldValue::Text(*v) : FieldValue::Null();
}
FieldValue Double(const std::optional<double>& v) {
  return v ? FieldValue::Double(*v) : FieldValue::Null();
}
FieldValue Int(const std::optional<int64_t>& v) {
  return v ? FieldValue::Int(*v) : FieldValue::Null();
}

int IsoWeeksInYear(int64_t y) {
  auto jan1 = civil::WeekdayFromDays(civil::DaysFromDate(y, 1, 1));
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return (jan1 == 4 || (leap && jan1 == 3)) ? 53 : 52;
}

}  // namespace

TimeParts SplitTimestamp(int64_t micros) {
  int64_t days = civil::FloorDiv(micros, civil::kMicrosPerDay);
  int64_t in_day = micros - days * civil::kMicrosPerDay;
  const civil::Date date = civil::DateFromDays(days);
  const int64_t y = date.year;
  int weekday = civil::WeekdayFromDays(days);
  int iso_weekday = weekday == 0 ? 7 : weekday;  // Monday = 1 .. Sunday = 7
  int64_t ordinal = days - civil::DaysFromDate(y, 1, 1) + 1;
  int64_t week = (ordinal - iso_weekday + 10) / 7;
  if (week < 1) {
    week = IsoWeeksInYear(y - 1);
  } else if (week > IsoWeeksInYear(y)) {
    week = 1;
  }
  return TimeParts{static_cast<int>(in_day / 3600000000LL),
                   date.day,
                   static_cast<int>(week),
                   date.month,
                   static_cast<int>(y),
                   weekday};
}

void TimeRowAppender::Append(ColumnBatch& batch, int64_t micros) {
  const int64_t day = civil::FloorDiv(micros, civil::kMicrosPerDay);
  if (day != day_) {
    parts_ = SplitTimestamp(day * civil::kMicrosPerDay);
    day_ = day;
  }
  const int64_t hour = (micros - day * civil::kMicrosPerDay) / 3'600'000'000LL;
  const FieldValue row[] = {FieldValue::Int(micros),        FieldValue::Int(hour),
                            FieldValue::Int(parts_.day),    FieldValue::Int(parts_.week),
                            FieldValue::Int(parts_.month),  FieldValue::Int(parts_.year),
                            FieldValue::Int(parts_.weekday)};
  batch.AppendRow(row);
}

const TableSchema& DimArtistSchema() {
  static const TableSchema s{"dim_artist",
                             {{"artist_id", ColumnType::kText},
                              {"name", ColumnType::kText},
                              {"location", ColumnType::kText},
                              {"latitude", ColumnType::kDouble},
                              {"longitude", ColumnType::kDouble}}};
  return s;
}
const TableSchema& DimSongSchema() {
  static const TableSchema s{"dim_song",
                             {{"song_id", ColumnType::kText},
                              {"title", ColumnType::kText},
                              {"artist_id", ColumnType::kText},
                              {"year", ColumnType::kBigInt},
                              {"duration", ColumnType::kDouble}}};
  return s;
}
const TableSchema& DimUserSchema() {
  static const TableSchema s{"dim_user",
                             {{"user_id", ColumnType::kText},
                              {"first_name", ColumnType::kText},
                              {"last_name", ColumnType::kText},
                              {"gender", ColumnType::kText},
                              {"level", ColumnType::kText}}};
  return s;
}
const TableSchema& DimTimeSchema() {
  static const TableSchema s{"dim_time",
                             {{"start_time", ColumnType::kTimestamp},
                              {"hour", ColumnType::kBigInt},
                              {"day", ColumnType::kBigInt},
                              {"week", ColumnType::kBigInt},
                              {"month", ColumnType::kBigInt},
                              {"year", ColumnType::kBigInt},
                              {"weekday", ColumnType::kBigInt}}};
  return s;
}
const TableSchema& FactSongplaySchema() {
  static const TableSchema s{"fact_songplay",
                             {{"songplay_id", ColumnType::kBigInt},
                              {"start_time", ColumnType::kTimestamp},
                              {"user_id", ColumnType::kText},
                              {"level", ColumnType::kText},
                              {"song_id", ColumnType::kText},
                              {"artist_id", ColumnType::kText},
                              {"session_id", ColumnType::kBigInt},
                              {"location", ColumnType::kText},
                              {"user_agent", ColumnType::kText}}};
  return s;
}

const TableSchema& FactLoadSchema() {
  static const TableSchema s{"fact_songplay_load", FactSongplaySchema().columns};
  return s;
}

const TableSchema& SongMatchSchema() {
  static const TableSchema s{"etl_song_match",
                             {{"title", ColumnType::kText},
                              {"artist_name", ColumnType::kText},
                              {"duration", ColumnType::kDouble},
                              {"song_id", ColumnType::kText},
                              {"artist_id", ColumnType::kText}}};
  return s;
}
const TableSchema& UserStateSchema() {
  static const TableSchema s{"etl_user_latest",
                             {{"user_id", ColumnType::kText},
                              {"ts", ColumnType::kBigInt},
                              {"session_id", ColumnType::kBigInt},
                              {"item_in_session", ColumnType::kBigInt}}};
  return s;
}
const TableSchema& UserLoadSchema() {
  static const TableSchema s = [] {
    TableSchema t{"etl_user_load", DimUserSchema().columns};
    for (size_t i = 1; i < UserStateSchema().columns.size(); ++i)
      t.columns.push_back(UserStateSchema().columns[i]);
    return t;
  }();
  return s;
}
const TableSchema& TimeLoadSchema() {
  static const TableSchema s{"etl_time_load", DimTimeSchema().columns};
  return s;
}

// --- songs -----------------------------------------------------------------------------------

SongIndex::MatchTable::Key SongIndex::MatchTable::MakeKey(std::string_view title,
                                                          std::string_view artist,
                                                          double duration) {
  if (duration == 0) duration = 0;  // -0.0 and 0.0 are equal in SQL: one key for both
  return Key{title, artist, duration};
}

uint64_t SongIndex::MatchTable::Hash(const Key& key) {
  uint64_t h = XXH3_64bits_withSeed(key.title.data(), key.title.size(), key.title.size());
  h = XXH3_64bits_withSeed(key.artist.data(), key.artist.size(), h);
  const uint64_t bits = std::bit_cast<uint64_t>(key.duration);
  return XXH3_64bits_withSeed(&bits, sizeof(bits), h);
}

void SongIndex::MatchTable::Reserve(size_t entries) {
  entries_.reserve(entries);
  slots_.Reserve(entries, [&](uint32_t i) { return Hash(KeyOf(entries_[i])); });
}

SongIndex::MatchTable::Key SongIndex::MatchTable::KeyOf(const Entry& e) const {
  const char* at = text_.data() + e.at;
  return Key{std::string_view(at, e.title_size), std::string_view(at + e.title_size, e.artist_size),
             e.duration};
}

SongIndex::Match SongIndex::MatchTable::MatchOf(const Entry& e) const {
  const char* at = text_.data() + e.at + e.title_size + e.artist_size;
  return Match{std::string_view(at, e.song_id_size),
               std::string_view(at + e.song_id_size, e.artist_id_size)};
}

void SongIndex::MatchTable::Store(Entry& e, const Key& key, const Match& match) {
  // `key` and `match` may point into text_ itself (a replaced entry's key): sizes first, then
  // append each piece from a copy of the whole record.
  std::string record;
  record.reserve(key.title.size() + key.artist.size() + match.song_id.size() +
                 match.artist_id.size());
  record.append(key.title).append(key.artist).append(match.song_id).append(match.artist_id);
  e.at = text_.size();
  e.title_size = static_cast<uint32_t>(key.title.size());
  e.artist_size = static_cast<uint32_t>(key.artist.size());
  e.song_id_size = static_cast<uint32_t>(match.song_id.size());
  e.artist_id_size = static_cast<uint32_t>(match.artist_id.size());
  e.duration = key.duration;
  text_.append(record);
}

size_t SongIndex::MatchTable::SlotOf(const Key& key, uint64_t hash) const {
  return slots_.Find(hash, [&](uint32_t i) {
    const Key held = KeyOf(entries_[i]);
    // Durations compare by their bits (MakeKey made -0.0 0.0), as the hash takes them.
    return std::bit_cast<uint64_t>(held.duration) == std::bit_cast<uint64_t>(key.duration) &&
           held.title == key.title && held.artist == key.artist;
  });
}

void SongIndex::MatchTable::Offer(const Key& key, uint64_t hash, Match match) {
  slots_.MakeRoom([&](uint32_t i) { return Hash(KeyOf(entries_[i])); });
  const size_t i = SlotOf(key, hash);
  if (!slots_.Holds(i)) {
    entries_.emplace_back();
    Store(entries_.back(), key, match);
    slots_.Put(i, static_cast<uint32_t>(entries_.size() - 1));
    return;
  }
  Entry& e = entries_[slots_.At(i)];
  const Match held = MatchOf(e);
  if (std::tie(match.song_id, match.artist_id) < std::tie(held.song_id, held.artist_id))
    Store(e, KeyOf(e), match);  // the old text stays behind: rare (one key, several songs)
}

std::optional<SongIndex::Match> SongIndex::MatchTable::Find(const Key& key, uint64_t hash) const {
  if (entries_.empty()) return std::nullopt;
  const size_t i = SlotOf(key, hash);
  if (!slots_.Holds(i)) return std::nullopt;
  return MatchOf(entries_[slots_.At(i)]);
}

void SongIndex::MatchTable::ShrinkToFit() {
  text_.shrink_to_fit();
  entries_.shrink_to_fit();
}

void SongIndex::MatchTable::ForEachSorted(
    const std::function<void(const Key&, const Match&)>& visit) const {
  std::vector<uint32_t> order(entries_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Key x = KeyOf(entries_[a]), y = KeyOf(entries_[b]);
    return std::tie(x.title, x.artist, x.duration) < std::tie(y.title, y.artist, y.duration);
  });
  for (uint32_t i : order) visit(KeyOf(entries_[i]), MatchOf(entries_[i]));
}

void SongIndex::Remember(uint64_t hash) {
  const uint64_t bit = FilterBit(hash);
  filter_[bit / 64] |= uint64_t{1} << (bit % 64);
}

SongIndex::SongIndex() : artists_{kSoArtistId, {}}, songs_{kSoSongId, {}} {}

uint64_t SongIndex::KeyHash(const KeptRows& table, uint32_t row) const {
  return std::hash<std::string_view>()(store_->Text(row, table.key_column));
}

void SongIndex::ReserveKeys(KeptRows& table, size_t keys) const {
  table.rows.Reserve(keys, [&](uint32_t row) { return KeyHash(table, row); });
}

void SongIndex::Keep(KeptRows& table, uint32_t row, std::span<const size_t> rule) const {
  table.rows.MakeRoom([&](uint32_t kept) { return KeyHash(table, kept); });
  const std::string_view key = store_->Text(row, table.key_column);
  const size_t slot = table.rows.Find(KeyHash(table, row), [&](uint32_t kept) {
    return store_->Text(kept, table.key_column) == key;
  });
  if (!table.rows.Holds(slot) || CompareRows(row, table.rows.At(slot), rule) < 0)
    table.rows.Put(slot, row);
}

uint32_t SongIndex::RowStore::Append(const ColumnBatch& from, size_t row) {
  if (rows % kBlockRows == 0) blocks.push_back(std::make_unique<ColumnBatch>(from.schema()));
  blocks.back()->AppendRowOf(from, row);
  return static_cast<uint32_t>(rows++);
}

// < 0 when stored row `a` sorts before `b` by `columns` in turn, ascending, nulls last.
int SongIndex::CompareRows(uint32_t a, uint32_t b, std::span<const size_t> columns) const {
  const ColumnBatch &x = store_->Block(a), &y = store_->Block(b);
  const size_t i = RowStore::RowOf(a), j = RowStore::RowOf(b);
  for (size_t col : columns) {
    int c = 0;
    switch (x.schema().columns[col].type) {
      case ColumnType::kText:
        c = AscNullsLast(TextViewAt(x, col, i), TextViewAt(y, col, j));
        break;
      case ColumnType::kDouble:
        c = AscNullsLast(DoubleAt(x, col, i), DoubleAt(y, col, j));
        break;
      case ColumnType::kBigInt:
      case ColumnType::kTimestamp:
        c = AscNullsLast(IntAt(x, col, i), IntAt(y, col, j));
        break;
    }
    if (c != 0) return c;
  }
  return 0;
}

// Visits row `r`'s match if it has one (title, artist_name and duration all set): its key and
// its (song_id, artist_id), a null id as "".
template <typename Visit>
static void WithMatchOf(const ColumnBatch& songs, size_t r, Visit visit) {
  const std::optional<std::string_view> title = TextViewAt(songs, kSoTitle, r);
  const std::optional<std::string_view> artist_name = TextViewAt(songs, kSoArtistName, r);
  const std::optional<double> duration = DoubleAt(songs, kSoDuration, r);
  if (!title || !artist_name || !duration) return;
  visit(*title, *artist_name, *duration,
        SongIndex::Match{TextViewAt(songs, kSoSongId, r).value_or(""),
                         TextViewAt(songs, kSoArtistId, r).value_or("")});
}

void SongIndex::Add(const ColumnBatch& songs) {
  for (size_t r = 0; r < songs.rows(); ++r) {
    // The dimension rows: stored once, each table keeping the row its rule picks per key. A
    // stored row's match waits for ReleaseDimensionRows; a row with neither id (rare) is not
    // stored, so its match goes in now.
    const bool has_artist = !songs.IsNull(kSoArtistId, r), has_song = !songs.IsNull(kSoSongId, r);
    if (!has_artist && !has_song) {
      WithMatchOf(songs, r, [&](auto title, auto artist, double duration, Match match) {
        AddMatch(title, artist, duration, match);
      });
      continue;
    }
    const uint32_t id = store_->Append(songs, r);
    if (has_artist) Keep(artists_, id, kArtistRule);
    if (has_song) Keep(songs_, id, kSongRule);
  }
}

std::optional<SongIndex::Match> SongIndex::Find(std::string_view title, std::string_view artist,
                                                double duration) const {
  const MatchTable::Key key = MatchTable::MakeKey(title, artist, duration);
  const uint64_t hash = MatchTable::Hash(key);
  const uint64_t bit = FilterBit(hash);
  if ((filter_[bit / 64] >> (bit % 64) & 1) == 0) return std::nullopt;
  return matches_.Find(key, hash);
}

void SongIndex::AddMatch(std::string_view title, std::string_view artist, double duration,
                         Match match) {
  const MatchTable::Key key = MatchTable::MakeKey(title, artist, duration);
  const uint64_t hash = MatchTable::Hash(key);
  Remember(hash);
  matches_.Offer(key, hash, match);
}

void SongIndex::AppendMatches(ColumnBatch& out, const Flush& flush) const {
  matches_.ForEachSorted([&](const MatchTable::Key& key, const Match& match) {
    const FieldValue row[] = {FieldValue::Text(key.title), FieldValue::Text(key.artist),
                              FieldValue::Double(key.duration), FieldValue::Text(match.song_id),
                              FieldValue::Text(match.artist_id)};
    out.AppendRow(row);
    if (flush && out.rows() >= kRowsPerFlush) flush();
  });
}

std::vector<uint32_t> SongIndex::SortedRows(const KeptRows& table) const {
  std::vector<uint32_t> rows;
  rows.reserve(table.rows.size());
  table.rows.ForEach([&](uint32_t row) { rows.push_back(row); });
  std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
    return store_->Text(a, table.key_column) < store_->Text(b, table.key_column);
  });
  return rows;
}

void SongIndex::AppendArtists(ColumnBatch& out, const Flush& flush) const {
  for (uint32_t id : SortedRows(artists_)) {
    const ColumnBatch& b = store_->Block(id);
    const size_t r = RowStore::RowOf(id);
    const FieldValue row[] = {
        FieldValue::Text(b.Text(kSoArtistId, r)), Text(TextViewAt(b, kSoArtistName, r)),
        Text(TextViewAt(b, kSoLocation, r)), Double(DoubleAt(b, kSoLatitude, r)),
        Double(DoubleAt(b, kSoLongitude, r))};
    out.AppendRow(row);
    if (flush && out.rows() >= kRowsPerFlush) flush();
  }
}

void SongIndex::ReleaseDimensionRows() {
  artists_.rows = NumberSlots();  // their buffers too
  songs_.rows = NumberSlots();
  // The text the matches take, reserved at once: grown by doubling instead, the arena would
  // ask for ever larger runs of pages that the freed blocks' holes cannot give.
  size_t text_bytes = 0;
  for (const std::unique_ptr<ColumnBatch>& block : store_->blocks) {
    for (size_t r = 0; r < block->rows(); ++r) {
      WithMatchOf(*block, r, [&](auto title, auto artist, double, const Match& match) {
        text_bytes += title.size() + artist.size() + match.song_id.size() + match.artist_id.size();
      });
    }
  }
  matches_.ReserveText(text_bytes);
  for (std::unique_ptr<ColumnBatch>& block : store_->blocks) {
    for (size_t r = 0; r < block->rows(); ++r) {
      WithMatchOf(*block, r, [&](auto title, auto artist, double duration, Match match) {
        AddMatch(title, artist, duration, match);
      });
    }
    block.reset();
    ReleaseFreedMemory();
  }
  store_ = std::make_unique<RowStore>();
  matches_.ShrinkToFit();
}

void SongIndex::AppendSongs(ColumnBatch& out, const Flush& flush) const {
  for (uint32_t id : SortedRows(songs_)) {
    const ColumnBatch& b = store_->Block(id);
    const size_t r = RowStore::RowOf(id);
    const FieldValue row[] = {FieldValue::Text(b.Text(kSoSongId, r)),
                              Text(TextViewAt(b, kSoTitle, r)), Text(TextViewAt(b, kSoArtistId, r)),
                              Int(IntAt(b, kSoYear, r)), Double(DoubleAt(b, kSoDuration, r))};
    out.AppendRow(row);
    if (flush && out.rows() >= kRowsPerFlush) flush();
  }
}

// --- users -----------------------------------------------------------------------------------

bool UserTable::Offer(std::string_view user_id, const Candidate& c) {
  return Offer(user_id, CandidateView{c.ts, c.session_id, c.item_in_session, c.level, c.first_name,
                                      c.last_name, c.gender});
}

bool UserTable::Offer(std::string_view user_id, const CandidateView& c) {
  auto it = users_.find(user_id);
  if (it == users_.end())
    it = users_.emplace(std::string(user_id), Candidate{}).first;
  else if (CompareCandidates(c, it->second) >= 0)
    return false;
  Candidate& held = it->second;
  held.ts = c.ts;
  held.session_id = c.session_id;
  held.item_in_session = c.item_in_session;
  AssignText(held.level, c.level);
  AssignText(held.first_name, c.first_name);
  AssignText(held.last_name, c.last_name);
  AssignText(held.gender, c.gender);
  return true;
}

void UserTable::Merge(UserTable&& other) {
  for (const auto& [id, c] : other.users_) Offer(id, c);
  other.users_.clear();
}

std::vector<std::string> UserTable::MergeChanged(UserTable&& other) {
  std::vector<std::string> changed;
  for (const auto& [id, c] : other.users_) {
    if (Offer(id, c)) changed.push_back(id);
  }
  other.users_.clear();
  std::sort(changed.begin(), changed.end());
  return changed;
}

void UserTable::AppendState(ColumnBatch& out) const {
  std::vector<const std::pair<const std::string, Candidate>*> sorted;
  for (const auto& kv : users_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* kv : sorted) {
    const Candidate& c = kv->second;
    const FieldValue row[] = {FieldValue::Text(kv->first), FieldValue::Int(c.ts), Int(c.session_id),
                              Int(c.item_in_session)};
    out.AppendRow(row);
  }
}

void UserTable::AppendUserLoad(ColumnBatch& out, const std::vector<std::string>& ids) const {
  for (const std::string& id : ids) {
    auto it = users_.find(id);
    if (it == users_.end()) continue;
    const Candidate& c = it->second;
    const FieldValue row[] = {FieldValue::Text(id), Text(c.first_name),    Text(c.last_name),
                              Text(c.gender),       Text(c.level),         FieldValue::Int(c.ts),
                              Int(c.session_id),    Int(c.item_in_session)};
    out.AppendRow(row);
  }
}

void UserTable::AppendUsers(ColumnBatch& out) const {
  std::vector<const std::pair<const std::string, Candidate>*> sorted;
  for (const auto& kv : users_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* kv : sorted) {
    const Candidate& c = kv->second;
    const FieldValue row[] = {FieldValue::Text(kv->first), Text(c.first_name), Text(c.last_name),
                              Text(c.gender), Text(c.level)};
    out.AppendRow(row);
  }
}

// --- plays -----------------------------------------------------------------------------------

void PlayMapper::MapRow(std::span<const FieldValue> event, ColumnBatch& plays) {
  auto is_null = [&](size_t col) { return event[col].kind == FieldValue::Kind::kNull; };
  auto int_at = [&](size_t col) {
    return is_null(col) ? std::nullopt : std::optional<int64_t>(event[col].int_value);
  };
  auto text_at = [&](size_t col) {
    return is_null(col) ? std::nullopt : std::optional<std::string_view>(event[col].text);
  };
  const std::string_view user_id = event[kEvUserId].text;  // empty when NULL
  const bool has_user = !user_id.empty();
  const int64_t ts = event[kEvTs].int_value;  // required: never NULL
  if (has_user) {
    users_.Offer(user_id, UserTable::CandidateView{ts, int_at(kEvSession), int_at(kEvItem),
                                                   text_at(kEvLevel), text_at(kEvFirstName),
                                                   text_at(kEvLastName), text_at(kEvGender)});
  }
  if (is_null(kEvPage) || event[kEvPage].text != "NextSong") return;
  std::optional<SongIndex::Match> match;
  if (!is_null(kEvSong) && !is_null(kEvArtist) && !is_null(kEvLength)) {
    match = songs_.Find(event[kEvSong].text, event[kEvArtist].text, event[kEvLength].double_value);
  }
  const FieldValue row[] = {FieldValue::Int(0),
                            FieldValue::Int(ts * 1000),
                            has_user ? FieldValue::Text(user_id) : FieldValue::Null(),
                            event[kEvLevel],
                            match ? FieldValue::Text(match->song_id) : FieldValue::Null(),
                            match ? FieldValue::Text(match->artist_id) : FieldValue::Null(),
                            event[kEvSession],
                            event[kEvLocation],
                            event[kEvUserAgent]};
  plays.AppendRow(row);
}

}  // namespace sparkify::pipeline
