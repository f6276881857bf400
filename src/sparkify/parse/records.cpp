#include "sparkify/parse/records.hpp"

#include <array>

namespace sparkify::parse {
namespace {

constexpr std::array<FieldSpec, 18> kEventFields{{
    {"artist", false},
    {"auth", false},
    {"firstName", false},
    {"gender", false},
    {"itemInSession", false},
    {"lastName", false},
    {"length", false},
    {"level", false},
    {"location", false},
    {"method", false},
    {"page", true},
    {"registration", false},
    {"sessionId", false},
    {"song", false},
    {"status", false},
    {"ts", true},
    {"userAgent", false},
    {"userId", false},
}};

constexpr std::array<FieldSpec, 10> kSongFields{{
    {"num_songs", false},
    {"artist_id", true},
    {"artist_latitude", false},
    {"artist_longitude", false},
    {"artist_location", false},
    {"artist_name", false},
    {"song_id", true},
    {"title", false},
    {"duration", false},
    {"year", false},
}};

}  // namespace

const TableSchema& StagingEventsSchema() {
  static const TableSchema schema{"staging_events",
                                  {{"artist", ColumnType::kText},
                                   {"auth", ColumnType::kText},
                                   {"first_name", ColumnType::kText},
                                   {"gender", ColumnType::kText},
                                   {"item_in_session", ColumnType::kBigInt},
                                   {"last_name", ColumnType::kText},
                                   {"length", ColumnType::kDouble},
                                   {"level", ColumnType::kText},
                                   {"location", ColumnType::kText},
                                   {"method", ColumnType::kText},
                                   {"page", ColumnType::kText},
                                   {"registration", ColumnType::kDouble},
                                   {"session_id", ColumnType::kBigInt},
                                   {"song", ColumnType::kText},
                                   {"status", ColumnType::kBigInt},
                                   {"ts", ColumnType::kBigInt},
                                   {"user_agent", ColumnType::kText},
                                   {"user_id", ColumnType::kText},
                                   {"event_seq", ColumnType::kBigInt}}};
  return schema;
}

std::span<const FieldSpec> EventFields() { return kEventFields; }

const TableSchema& StagingSongsSchema() {
  static const TableSchema schema{"staging_songs",
                                  {{"num_songs", ColumnType::kBigInt},
                                   {"artist_id", ColumnType::kText},
                                   {"artist_latitude", ColumnType::kDouble},
                                   {"artist_longitude", ColumnType::kDouble},
                                   {"artist_location", ColumnType::kText},
                                   {"artist_name", ColumnType::kText},
                                   {"song_id", ColumnType::kText},
                                   {"title", ColumnType::kText},
                                   {"duration", ColumnType::kDouble},
                                   {"year", ColumnType::kBigInt}}};
  return schema;
}

std::span<const FieldSpec> SongFields() { return kSongFields; }

}  // namespace sparkify::parse
