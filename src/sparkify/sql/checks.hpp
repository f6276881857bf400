// The SQL of the data-quality checks behind `sparkify check` (analytics/check.hpp runs them).
//
// Like a dbt data test, each check is a query that returns the rows that break a rule: no rows
// means the check passes. The built-in rules, on the star schema of SPEC section 2:
//   not_null.T.K / unique.T.K   every table's primary key K is never NULL and unique
//   relationship.T.C            every non-NULL foreign key T.C is in its parent table
//   not_empty.T                 every staging and star table has rows
//   unique_play.fact_songplay   no two plays share (session_id, user_id, start_time), NULLs
//                               compared as values: a play counted twice, however it arose;
//                               one failing row per duplicated key (plays, lowest and
//                               highest songplay_id)
//   fact_rows_match_staging     one fact_songplay row per NextSong event in staging_events
//   dim_time_matches_fact       one dim_time row per distinct fact_songplay.start_time
// The match rate is measured instead (MatchRateCounts) and compared with a floor by the
// caller. Every text is the same on DuckDB, PostgreSQL and Redshift.
//
// The staging rules (not_empty.staging_*, fact_rows_match_staging) only mean something when
// the load kept its staging tables: `etl --transform direct` (the default) fills them only
// with --keep-staging. The caller asks StagingRowCounts first and skips them when both are
// empty.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/sql/dialect.hpp"

namespace sparkify::sql {

struct CheckQuery {
  std::string name;            // "unique.dim_user.user_id"
  std::string description;     // the rule, for a person: "dim_user.user_id is unique"
  std::string sql;             // returns the failing rows
  bool needs_staging = false;  // about the staging tables: skipped when they were not kept
};

// Every built-in check, in the order they are reported.
std::vector<CheckQuery> BuiltinCheckQueries(Dialect dialect);

// One row: staging_events, staging_songs (bigint row counts).
std::string StagingRowCounts(Dialect dialect);

// One row: plays (bigint), matched (bigint: plays with a song_id).
std::string MatchRateCounts(Dialect dialect);

// The number of rows `failing_rows_query` returns, as one bigint column `failing_rows`.
// The query must be one statement (sql::StripStatementEnd removes a trailing ';').
std::string CountFailingRows(std::string_view failing_rows_query);
// At most `limit` of the rows `failing_rows_query` returns.
std::string SampleFailingRows(std::string_view failing_rows_query, int64_t limit);

}  // namespace sparkify::sql
