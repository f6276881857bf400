#include "sparkify/sql/checks.hpp"

#include <fmt/format.h>

#include <array>

namespace sparkify::sql {
namespace {

// The texts below are templates over names from these tables only (never over input), so
// building them with fmt is safe.

struct Key {
  std::string_view table;
  std::string_view column;
};

// Primary keys, as declared in sql/catalog.cpp (kCreateStar).
constexpr std::array kPrimaryKeys{
    Key{"fact_songplay", "songplay_id"}, Key{"dim_user", "user_id"},    Key{"dim_song", "song_id"},
    Key{"dim_artist", "artist_id"},      Key{"dim_time", "start_time"},
};

struct ForeignKey {
  std::string_view table;
  std::string_view row_key;  // identifies a failing row in the sample
  std::string_view column;
  std::string_view parent;
  std::string_view parent_column;
};

// Foreign keys, as declared in sql/catalog.cpp (kCreateStar).
constexpr std::array kForeignKeys{
    ForeignKey{"fact_songplay", "songplay_id", "user_id", "dim_user", "user_id"},
    ForeignKey{"fact_songplay", "songplay_id", "song_id", "dim_song", "song_id"},
    ForeignKey{"fact_songplay", "songplay_id", "artist_id", "dim_artist", "artist_id"},
    ForeignKey{"fact_songplay", "songplay_id", "start_time", "dim_time", "start_time"},
    ForeignKey{"dim_song", "song_id", "artist_id", "dim_artist", "artist_id"},
};

// load_errors is empty after a clean load, so it is not here.
constexpr std::array<std::string_view, 7> kMustHaveRows{
    "staging_events", "staging_songs", "fact_songplay", "dim_user",
    "dim_song",       "dim_artist",    "dim_time"};

constexpr std::string_view kNotNull = R"sql(
select *
from {table}
where {column} is null
)sql";

constexpr std::string_view kUnique = R"sql(
select
    {column},
    count(*) as copies
from {table}
where {column} is not null
group by {column}
having count(*) > 1
order by copies desc, {column}
)sql";

constexpr std::string_view kRelationship = R"sql(
select
    child.{row_key},
    child.{column}
from {table} as child
left join {parent} as parent on parent.{parent_column} = child.{column}
where child.{column} is not null
    and parent.{parent_column} is null
order by child.{row_key}
)sql";

constexpr std::string_view kNotEmpty = R"sql(
select '{table} has no rows' as problem
where not exists (select 1 from {table})
)sql";

constexpr std::string_view kFactRowsMatchStaging = R"sql(
with counts as (
    select
        (select count(*) from fact_songplay) as fact_rows,
        (select count(*) from staging_events where page = 'NextSong') as next_song_events
)
select
    fact_rows,
    next_song_events
from counts
where fact_rows <> next_song_events
)sql";

constexpr std::string_view kDimTimeMatchesFact = R"sql(
with counts as (
    select
        (select count(*) from dim_time) as dim_time_rows,
        (select count(distinct start_time) from fact_songplay) as fact_start_times
)
select
    dim_time_rows,
    fact_start_times
from counts
where dim_time_rows <> fact_start_times
)sql";

// A play counted twice, however it came about (the same events loaded again from a copy of a
// file whose bytes differ, a line repeated in the raw logs, a transform that fans out, a row
// copied by hand): two fact rows of one user in one session at the same millisecond.
// fact_songplay has no item_in_session, so this is the finest key it has. GROUP BY puts NULLs
// together, so plays without a user (or session) compare as equal values, as `is not distinct
// from` would. One failing row per duplicated key, with how many plays share it and the lowest
// and highest songplay_id among them (both ids when there are two): min/max work on every
// dialect, where a list of ids would need string_agg (DuckDB, PostgreSQL) or listagg
// (Redshift).
constexpr std::string_view kUniquePlay = R"sql(
select
    session_id,
    user_id,
    start_time,
    count(*) as plays,
    min(songplay_id) as first_songplay_id,
    max(songplay_id) as last_songplay_id
from fact_songplay
group by session_id, user_id, start_time
having count(*) > 1
order by plays desc, first_songplay_id, session_id, start_time
)sql";

// A file the load manifest lists twice: its key, (kind, file), is declared on PostgreSQL and
// Redshift but not enforced on DuckDB (sql/catalog.cpp, manifest_key). A second row would make
// incremental runs trust whichever they read last.
constexpr std::string_view kUniqueManifestFile = R"sql(
select
    kind,
    file,
    count(*) as copies
from load_manifest
group by kind, file
having count(*) > 1
order by copies desc, kind, file
)sql";

constexpr std::string_view kStagingRowCounts = R"sql(
select
    (select count(*) from staging_events) as staging_events,
    (select count(*) from staging_songs) as staging_songs
)sql";

constexpr std::string_view kMatchRateCounts = R"sql(
select
    count(*) as plays,
    count(song_id) as matched
from fact_songplay
)sql";

std::string Trim(std::string_view text) {
  while (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

std::vector<CheckQuery> BuiltinCheckQueries(Dialect /*dialect*/) {
  std::vector<CheckQuery> checks;
  for (const Key& k : kPrimaryKeys) {
    checks.push_back(
        {fmt::format("not_null.{}.{}", k.table, k.column),
         fmt::format("{}.{} is never NULL", k.table, k.column),
         Trim(fmt::format(kNotNull, fmt::arg("table", k.table), fmt::arg("column", k.column)))});
    checks.push_back(
        {fmt::format("unique.{}.{}", k.table, k.column),
         fmt::format("{}.{} is unique", k.table, k.column),
         Trim(fmt::format(kUnique, fmt::arg("table", k.table), fmt::arg("column", k.column)))});
  }
  for (const ForeignKey& fk : kForeignKeys) {
    checks.push_back({fmt::format("relationship.{}.{}", fk.table, fk.column),
                      fmt::format("every {}.{} that is not NULL is in {}.{}", fk.table, fk.column,
                                  fk.parent, fk.parent_column),
                      Trim(fmt::format(kRelationship, fmt::arg("table", fk.table),
                                       fmt::arg("row_key", fk.row_key),
                                       fmt::arg("column", fk.column), fmt::arg("parent", fk.parent),
                                       fmt::arg("parent_column", fk.parent_column)))});
  }
  for (std::string_view table : kMustHaveRows) {
    checks.push_back({fmt::format("not_empty.{}", table), fmt::format("{} has rows", table),
                      Trim(fmt::format(kNotEmpty, fmt::arg("table", table))),
                      table.starts_with("staging_")});
  }
  checks.push_back({"unique_play.fact_songplay",
                    "no two plays in fact_songplay share session_id, user_id and start_time",
                    Trim(kUniquePlay)});
  checks.push_back({"unique_file.load_manifest", "load_manifest lists each file (kind, file) once",
                    Trim(kUniqueManifestFile)});
  checks.push_back({"fact_rows_match_staging",
                    "fact_songplay has one row per NextSong event in staging_events",
                    Trim(kFactRowsMatchStaging), true});
  checks.push_back({"dim_time_matches_fact",
                    "dim_time has one row per distinct fact_songplay.start_time",
                    Trim(kDimTimeMatchesFact)});
  return checks;
}

std::string StagingRowCounts(Dialect /*dialect*/) { return Trim(kStagingRowCounts); }

std::string MatchRateCounts(Dialect /*dialect*/) { return Trim(kMatchRateCounts); }

std::string CountFailingRows(std::string_view failing_rows_query) {
  return fmt::format("select count(*) as failing_rows\nfrom (\n{}\n) as failing",
                     failing_rows_query);
}

std::string SampleFailingRows(std::string_view failing_rows_query, int64_t limit) {
  return fmt::format("select *\nfrom (\n{}\n) as failing\nlimit {}", failing_rows_query, limit);
}

}  // namespace sparkify::sql
