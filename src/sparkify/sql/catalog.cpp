#include "sparkify/sql/catalog.hpp"

#include <array>
#include <cassert>
#include <map>
#include <utility>

namespace sparkify::sql {
namespace {

struct Entry {
  Stmt stmt;
  std::string_view name;
  std::string_view default_sql;
  std::string_view postgres_sql = {};  // empty: same as default
  std::string_view redshift_sql = {};  // empty: same as postgres, else default
};

// --- DDL ------------------------------------------------------------------------------------

constexpr std::string_view kDropTables = R"sql(
drop table if exists fact_songplay;
drop table if exists dim_user;
drop table if exists dim_song;
drop table if exists dim_artist;
drop table if exists dim_time;
drop table if exists staging_events;
drop table if exists staging_songs;
drop table if exists load_errors;
drop table if exists load_manifest;
drop table if exists etl_user_latest;
drop table if exists etl_song_match;
)sql";

constexpr std::string_view kDropRuns = R"sql(
drop table if exists runs;
)sql";

// Column order follows log_json_path.json (staging_events) and the song files (staging_songs);
// the parsers' schemas (parse/records.cpp) must match, which a test checks. event_seq is the
// event's place in load order (file index in uri order * 2^32 + line): plays are numbered by it.
// Redshift stages with server-side COPY, which cannot fill event_seq: its staging_events has
// the 18 columns of log_json_path.json only (COPY maps JSONPaths to columns by position, so
// {{event_seq_column}} is empty there), and its plays are numbered by (ts, session_id,
// item_in_session) instead ({{play_order}}). ts stays epoch milliseconds (bigint), so the
// transform is the shared one and keeps millisecond precision; TIMEFORMAT only matters to a
// timestamp column. Staging is spread evenly on Redshift: it is read once, by every slice.
constexpr std::string_view kCreateStaging = R"sql(
create table staging_events (
    artist          {{text}},
    auth            {{text}},
    first_name      {{text}},
    gender          {{text}},
    item_in_session bigint,
    last_name       {{text}},
    length          {{double}},
    level           {{text}},
    location        {{text}},
    method          {{text}},
    page            {{text}},
    registration    {{double}},
    session_id      bigint,
    song            {{text}},
    status          bigint,
    ts              bigint,
    user_agent      {{text}},
    user_id         {{text}}{{event_seq_column}}
){{dist staging_events}};
create table staging_songs (
    num_songs        bigint,
    artist_id        {{text}},
    artist_latitude  {{double}},
    artist_longitude {{double}},
    artist_location  {{text}},
    artist_name      {{text}},
    song_id          {{text}},
    title            {{text}},
    duration         {{double}},
    year             bigint
){{dist staging_songs}};
)sql";

constexpr std::string_view kCreateStar = R"sql(
create table dim_user (
    user_id    {{text}} primary key,
    first_name {{text}},
    last_name  {{text}},
    gender     {{text}},
    level      {{text}}
){{dist dim_user}};
create table dim_artist (
    artist_id {{text}} {{song_dimension_key}},
    name      {{text}},
    location  {{text}},
    latitude  {{double}},
    longitude {{double}}
){{dist dim_artist}};
create table dim_song (
    song_id   {{text}} {{song_dimension_key}},
    title     {{text}},
    artist_id {{text}} {{fk dim_artist (artist_id)}},
    year      bigint,
    duration  {{double}}
){{dist dim_song}};
create table dim_time (
    start_time timestamp {{primary_key}},
    hour       bigint not null,
    day        bigint not null,
    week       bigint not null,
    month      bigint not null,
    year       bigint not null,
    weekday    bigint not null
){{dist dim_time}};
create table fact_songplay (
    songplay_id bigint{{identity}} {{primary_key}},
    start_time  timestamp not null {{deferred_fk dim_time (start_time)}},
    user_id     {{text}} {{deferred_fk dim_user (user_id)}},
    level       {{text}},
    song_id     {{text}} {{deferred_fk dim_song (song_id)}},
    artist_id   {{text}} {{deferred_fk dim_artist (artist_id)}},
    session_id  bigint,
    location    {{text}},
    user_agent  {{text}}
){{dist fact_songplay}};
)sql";

constexpr std::string_view kCreateLoadErrors = R"sql(
create table load_errors (
    table_name  {{text}} not null,
    file        {{text}} not null,
    line        bigint not null,
    byte_offset bigint not null,
    reason      {{text}} not null,
    excerpt     {{text}}
){{dist load_errors}};
)sql";

// What incremental runs resume from. load_manifest: one row per loaded file (checksum: XXH3-64
// of the content, hex; etag: the store's tag, S3 only). runs: one row per etl run, failed ones
// included (written after the rollback). etl_user_latest: the ordering fields of the event
// each dim_user row comes from. etl_song_match: the song a play of (title, artist_name,
// duration) matches, so plays of new event files match without re-reading the song files.
// Their other columns are nullable like the staging columns they come from: Redshift's COPY
// enforces no required field, and its SQL transform fills them too.
// load_manifest: a file is its kind and name (the path below the location it was listed
// under); `location` is where it was last read from (pipeline/manifest.hpp). That pair is its
// key ({{manifest_key}}).
constexpr std::string_view kCreateManifest = R"sql(
create table load_manifest (
    kind          {{text}} not null,
    file          {{text}} not null,
    location      {{text}} not null,
    size_bytes    bigint not null,
    modified_at   timestamp,
    etag          {{text}},
    checksum      {{text}},
    run_id        bigint not null,
    rows_loaded   bigint not null,
    rows_rejected bigint not null,
    loaded_at     timestamp not null{{manifest_key}}
);
)sql";

constexpr std::string_view kDropManifest = "drop table load_manifest";

constexpr std::string_view kCreateLoadState = R"sql(
create table if not exists runs (
    run_id        bigint primary key,
    started_at    timestamp not null,
    finished_at   timestamp not null,
    status        {{text}} not null,
    mode          {{text}} not null,
    arguments     {{text}},
    files_loaded  bigint not null,
    rows_loaded   bigint not null,
    rows_rejected bigint not null,
    plays_added   bigint not null,
    message       {{text}}
);
create table etl_user_latest (
    user_id         {{text}} primary key,
    ts              bigint,
    session_id      bigint,
    item_in_session bigint
);
create table etl_song_match (
    title       {{text}} not null,
    artist_name {{text}} not null,
    duration    {{double}} not null,
    song_id     {{text}},
    artist_id   {{text}}
);
)sql";

constexpr std::string_view kLoadStateExists = R"sql(
select count(*)
from information_schema.tables
where table_schema = current_schema()
    and table_name in (
        'staging_events', 'staging_songs', 'fact_songplay', 'dim_user', 'dim_song',
        'dim_artist', 'dim_time', 'load_errors', 'load_manifest', 'etl_user_latest',
        'etl_song_match'
    )
)sql";

// One etl at a time per database. DuckDB needs nothing: one process at a time opens a database
// file for writing. On PostgreSQL a transaction-scoped advisory lock (key: "sparkify" in
// ASCII), released by commit, rollback, or the server when a killed client's connection dies.
constexpr std::string_view kTryLockEtlDuckDb = "select true";
constexpr std::string_view kTryLockEtl = "select pg_try_advisory_xact_lock(8317145891004901753)";
constexpr std::string_view kLockEtl = "select pg_advisory_xact_lock(8317145891004901753)";
// DuckDB's memory limit, read and set (value: QuoteLiteral) around the part of a full load that
// streams rows in (sql::BoundsEngineMemory).
constexpr std::string_view kMemoryLimit = "select current_setting('memory_limit')";
constexpr std::string_view kSetMemoryLimit = "set memory_limit = {{$value}}";
// The memory DuckDB's key indexes (ART) take: they count towards the limit and cannot be
// evicted, so a limit below them fails.
constexpr std::string_view kKeyIndexBytes =
    "select coalesce(sum(memory_usage_bytes), 0) from duckdb_memory() where tag = 'ART_INDEX'";
// Redshift has no advisory locks: an etl locks its manifest (once there is one) until it ends.
constexpr std::string_view kLockManifest = "lock load_manifest";

constexpr std::string_view kSelectManifest = R"sql(
select kind, file, location, size_bytes, {{modified_at_epoch_ms}}, etag, checksum, run_id,
       rows_loaded, rows_rejected
from load_manifest
order by kind, file
)sql";

// A manifest written before files had names: `file` held the location.
constexpr std::string_view kSelectLegacyManifest = R"sql(
select kind, file, file as location, size_bytes, {{modified_at_epoch_ms}}, etag, checksum,
       run_id, rows_loaded, rows_rejected
from load_manifest
order by kind, file
)sql";

constexpr std::string_view kManifestHasLocation = R"sql(
select count(*)
from information_schema.columns
where table_schema = current_schema()
    and table_name = 'load_manifest'
    and column_name = 'location'
)sql";

// Unchanged files listed at another location now: the manifest follows them.
constexpr std::string_view kCreateManifestMoves = R"sql(
drop table if exists etl_manifest_moves;
create temporary table etl_manifest_moves (
    kind     {{text}},
    file     {{text}},
    location {{text}}
);
)sql";

constexpr std::string_view kApplyManifestMoves = R"sql(
update load_manifest
set location = m.location
from etl_manifest_moves as m
where load_manifest.kind = m.kind
    and load_manifest.file = m.file;
drop table etl_manifest_moves;
)sql";

constexpr std::string_view kServerVersion = "select version()";

constexpr std::string_view kNextRunId = "select coalesce(max(run_id), 0) + 1 from runs";
constexpr std::string_view kMaxSongplayId =
    "select coalesce(max(songplay_id), 0) from fact_songplay";

constexpr std::string_view kSelectSongMatch = R"sql(
select title, artist_name, duration, song_id, artist_id
from etl_song_match
)sql";

constexpr std::string_view kSelectUserState = R"sql(
select s.user_id, s.ts, s.session_id, s.item_in_session, u.level, u.first_name, u.last_name,
       u.gender
from etl_user_latest as s
join dim_user as u on u.user_id = s.user_id
)sql";

// Constraint-free, dropped before commit (kDropUpsertLoads) and created inside the run's
// transaction, so a killed run leaves none behind.
constexpr std::string_view kCreateUpsertLoads = R"sql(
drop table if exists etl_user_load;
create temporary table etl_user_load (
    user_id         {{text}},
    first_name      {{text}},
    last_name       {{text}},
    gender          {{text}},
    level           {{text}},
    ts              bigint,
    session_id      bigint,
    item_in_session bigint
);
drop table if exists etl_time_load;
create temporary table etl_time_load (
    start_time timestamp,
    hour       bigint,
    day        bigint,
    week       bigint,
    month      bigint,
    year       bigint,
    weekday    bigint
);
)sql";

// A user's row changes only when a new event sorts before the one it came from (the dim_user
// rule); the loads hold only those users.
constexpr std::string_view kUpsertUsers = R"sql(
insert into dim_user (user_id, first_name, last_name, gender, level)
select user_id, first_name, last_name, gender, level
from etl_user_load
on conflict (user_id) do update set
    first_name = excluded.first_name,
    last_name = excluded.last_name,
    gender = excluded.gender,
    level = excluded.level;
insert into etl_user_latest (user_id, ts, session_id, item_in_session)
select user_id, ts, session_id, item_in_session
from etl_user_load
on conflict (user_id) do update set
    ts = excluded.ts,
    session_id = excluded.session_id,
    item_in_session = excluded.item_in_session;
)sql";

// dim_time has no enforced key on DuckDB (DefersKeys), so no `on conflict`: the times already
// there are left out by name.
constexpr std::string_view kInsertNewTimes = R"sql(
insert into dim_time (start_time, hour, day, week, month, year, weekday)
select l.start_time, l.hour, l.day, l.week, l.month, l.year, l.weekday
from etl_time_load as l
where not exists (
    select 1 from dim_time as d where d.start_time = l.start_time
)
)sql";

constexpr std::string_view kDropUpsertLoads = R"sql(
drop table etl_user_load;
drop table etl_time_load;
)sql";

// The state an incremental run resumes from, when the SQL transform built the star: the song
// match (kInsertFactSongplay joins it) and kInsertDimUser's pick.
constexpr std::string_view kInsertSongMatch = R"sql(
insert into etl_song_match (title, artist_name, duration, song_id, artist_id)
with ranked as (
    select
        title,
        artist_name,
        duration,
        song_id,
        artist_id,
        row_number() over (
            partition by title, artist_name, duration
            order by song_id nulls last, artist_id nulls last
        ) as pick
    from staging_songs
    where title is not null and artist_name is not null and duration is not null
)
select title, artist_name, duration, song_id, artist_id
from ranked
where pick = 1
)sql";

constexpr std::string_view kInsertUserLatest = R"sql(
insert into etl_user_latest (user_id, ts, session_id, item_in_session)
with ranked as (
    select
        user_id,
        ts,
        session_id,
        item_in_session,
        row_number() over (
            partition by user_id
            order by {{latest_event_first}}
        ) as pick
    from staging_events
    where user_id is not null and user_id <> ''
)
select user_id, ts, session_id, item_in_session
from ranked
where pick = 1
)sql";

// PostgreSQL checks a foreign key added to a loaded table with one join, where a declared one
// fires a trigger per inserted row (5-6 s of the 8.5 s load of the M set: docs/BENCHMARKS.md).
constexpr std::string_view kAddDeferredKeys = R"sql(
alter table dim_time add primary key (start_time);
alter table fact_songplay
    add primary key (songplay_id),
    add foreign key (start_time) references dim_time (start_time),
    add foreign key (user_id) references dim_user (user_id),
    add foreign key (song_id) references dim_song (song_id),
    add foreign key (artist_id) references dim_artist (artist_id);
)sql";

constexpr std::string_view kSelectRecentRuns = R"sql(
select run_id, started_at, status, mode, files_loaded, rows_loaded, rows_rejected, plays_added,
       message
from runs
order by run_id desc
limit 5
)sql";

// {{$name}} placeholders are configuration values, rendered as quoted literals by
// QuoteLiteral (RenderRedshiftLoad); {{$max_errors}} is a number.
constexpr std::string_view kCopyStagingSongs = R"sql(
copy staging_songs
from {{$songs}}
iam_role {{$iam_role}}
format as json 'auto'
region {{$region}}
compupdate off statupdate off
maxerror {{$max_errors}}
)sql";

constexpr std::string_view kCopyStagingEvents = R"sql(
copy {{events}} (
    artist, auth, first_name, gender, item_in_session, last_name, length, level, location,
    method, page, registration, session_id, song, status, ts, user_agent, user_id
)
from {{$events}}
iam_role {{$iam_role}}
format as json {{$jsonpaths}}
region {{$region}}
timeformat 'epochmillisecs'
compupdate off statupdate off
maxerror {{$max_errors}}
)sql";

// The records the last COPY rejected (up to MAXERROR), into the same load_errors report.
constexpr std::string_view kInsertCopyErrors = R"sql(
insert into load_errors (table_name, file, line, byte_offset, reason, excerpt)
select
    {{$table}},
    trim(file_name),
    line_number,
    -1,
    trim(error_message),
    trim(column_name) || ': ' || trim(column_type)
from sys_load_error_detail
where query_id = pg_last_copy_id()
order by trim(file_name), line_number
)sql";

constexpr std::string_view kSelectLoadErrors = R"sql(
select table_name, file, line, reason, excerpt
from load_errors
order by table_name, file, line
)sql";

// --- transform: staging -> star ---------------------------------------------------------------
// Every rule below is deterministic, so every engine builds the same star row for row.
// Orderings name NULLS LAST explicitly because engines differ in their defaults.

// One row per artist_id. When song files disagree about an artist, the values come from the
// song with the smallest song_id (then the smallest values, for exact duplicates).
constexpr std::string_view kInsertDimArtist = R"sql(
insert into dim_artist (artist_id, name, location, latitude, longitude)
with ranked as (
    select
        artist_id,
        artist_name,
        artist_location,
        artist_latitude,
        artist_longitude,
        row_number() over (
            partition by artist_id
            order by song_id nulls last, artist_name nulls last, artist_location nulls last,
                     artist_latitude nulls last, artist_longitude nulls last
        ) as pick
    from staging_songs
)
select artist_id, artist_name, artist_location, artist_latitude, artist_longitude
from ranked
where pick = 1
)sql";

// One row per song_id; duplicates of a song file resolve to the smallest values.
constexpr std::string_view kInsertDimSong = R"sql(
insert into dim_song (song_id, title, artist_id, year, duration)
with ranked as (
    select
        song_id,
        title,
        artist_id,
        year,
        duration,
        row_number() over (
            partition by song_id
            order by artist_id nulls last, title nulls last, year nulls last, duration nulls last
        ) as pick
    from staging_songs
)
select song_id, title, artist_id, year, duration
from ranked
where pick = 1
)sql";

// One row per non-empty user id among all events; attributes from the user's latest event by
// ts (ties broken by the later session, then the later item in the session).
constexpr std::string_view kInsertDimUser = R"sql(
insert into dim_user (user_id, first_name, last_name, gender, level)
with ranked as (
    select
        user_id,
        first_name,
        last_name,
        gender,
        level,
        row_number() over (
            partition by user_id
            order by {{latest_event_first}}
        ) as pick
    from staging_events
    where user_id is not null and user_id <> ''
)
select user_id, first_name, last_name, gender, level
from ranked
where pick = 1
)sql";

// One row per distinct start time of a play; week is the ISO-8601 week, weekday 0 = Sunday.
constexpr std::string_view kInsertDimTime = R"sql(
insert into dim_time (start_time, hour, day, week, month, year, weekday)
with plays as (
    select distinct {{ts_to_timestamp}} as start_time
    from {{events}}
    where page = 'NextSong'
)
{{time_parts_of_plays}}{{only_new_times}}
)sql";

// Every NextSong event is one play, numbered 1..n in load order (event_seq: files in uri order,
// lines in file order). Redshift's COPY keeps no load order: there plays are numbered by time,
// then session and item (then the rest of the row, so that the numbering is total). Its song is the
// song whose title, artist name and duration equal the event's song, artist and length; when
// several songs match, the smallest song_id wins (etl_song_match holds that pick, filled first
// by kInsertSongMatch), so a play is never duplicated; no match leaves song_id and artist_id
// NULL.
constexpr std::string_view kInsertFactSongplay = R"sql(
insert into fact_songplay (
    songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
)
with plays as (
    select
        {{play_order_columns}},
        {{ts_to_timestamp}} as start_time,
        nullif(user_id, '') as user_id,
        level,
        song,
        artist,
        length,
        session_id,
        location,
        user_agent
    from {{events}}
    where page = 'NextSong'
),
matched as (
    select
        p.*,
        s.song_id,
        s.artist_id
    from plays as p
    left join etl_song_match as s
        on s.title = p.song
        and s.artist_name = p.artist
        and s.duration = p.length
)
select
    row_number() over (
        order by {{play_order}}
    ){{songplay_base}} as songplay_id,
    start_time,
    user_id,
    level,
    song_id,
    artist_id,
    session_id,
    location,
    user_agent
from matched
)sql";

constexpr std::string_view kTableRowCounts = R"sql(
select 'staging_events' as table_name, count(*) as row_count from staging_events
union all select 'staging_songs', count(*) from staging_songs
union all select 'fact_songplay', count(*) from fact_songplay
union all select 'dim_user', count(*) from dim_user
union all select 'dim_song', count(*) from dim_song
union all select 'dim_artist', count(*) from dim_artist
union all select 'dim_time', count(*) from dim_time
union all select 'load_errors', count(*) from load_errors
)sql";

// The direct transform (pipeline/star_builder.hpp) computes the plays while parsing, before the
// dimensions they reference exist; they wait in a temporary table without constraints and move
// into fact_songplay, keys checked, once the dimensions are loaded.
constexpr std::string_view kCreateFactLoad = R"sql(
drop table if exists fact_songplay_load;
create temporary table fact_songplay_load (
    songplay_id bigint,
    start_time  timestamp,
    user_id     {{text}},
    level       {{text}},
    song_id     {{text}},
    artist_id   {{text}},
    session_id  bigint,
    location    {{text}},
    user_agent  {{text}}
);
)sql";

constexpr std::string_view kPublishFactLoad = R"sql(
insert into fact_songplay
select * from fact_songplay_load order by songplay_id;
drop table fact_songplay_load;
)sql";

// --- Redshift incremental loads --------------------------------------------------------------
// The files each COPY read (sys_load_detail), kept for the run: the manifest's rows per file,
// and the check that COPY read exactly the files the run listed. {{$kind}}: 'songs'/'events'.
constexpr std::string_view kCreateCopiedFiles = R"sql(
drop table if exists etl_copied_files;
create temporary table etl_copied_files (
    kind  {{text}},
    file  {{text}},
    lines bigint
);
)sql";

constexpr std::string_view kRecordCopiedFiles = R"sql(
insert into etl_copied_files (kind, file, lines)
select {{$kind}}, trim(file_name), lines_scanned
from sys_load_detail
where query_id = pg_last_copy_id()
)sql";

constexpr std::string_view kSelectCopiedFiles = R"sql(
select kind, file, sum(lines)
from etl_copied_files
group by kind, file
order by kind, file
)sql";

// An incremental run COPYs the new event files here, next to staging_events, which keeps the
// rows of the files loaded before (RenderOptions::append reads from it).
constexpr std::string_view kCreateEventsNew = R"sql(
drop table if exists etl_events_new;
create temporary table etl_events_new (like staging_events);
)sql";

// True when every new play sorts after every loaded one: Redshift numbers plays by time, so
// only then do appended plays get the ids one full run would give them.
constexpr std::string_view kNewPlaysFollowLoaded = R"sql(
select coalesce(
    (select min({{ts_to_timestamp}}) from etl_events_new where page = 'NextSong')
        > (select max(start_time) from fact_songplay),
    true
)
)sql";

// The users the new events change: each user's latest event among the new ones and the one
// the user's row comes from now (etl_user_latest, dim_user), ranked as kInsertDimUser ranks;
// only users whose winner is new. On an exact tie the loaded row stays.
constexpr std::string_view kFillUserLoad = R"sql(
insert into etl_user_load (
    user_id, first_name, last_name, gender, level, ts, session_id, item_in_session
)
with candidates as (
    select user_id, first_name, last_name, gender, level, ts, session_id, item_in_session,
           1 as fresh
    from etl_events_new
    where user_id is not null and user_id <> ''
    union all
    select s.user_id, u.first_name, u.last_name, u.gender, u.level, s.ts, s.session_id,
           s.item_in_session, 0 as fresh
    from etl_user_latest as s
    join dim_user as u on u.user_id = s.user_id
),
ranked as (
    select
        candidates.*,
        row_number() over (
            partition by user_id
            order by {{latest_event_first}}, fresh
        ) as pick
    from candidates
)
select user_id, first_name, last_name, gender, level, ts, session_id, item_in_session
from ranked
where pick = 1 and fresh = 1
)sql";

// Redshift has no INSERT ... ON CONFLICT: the same upsert as kUpsertUsers, with MERGE (whose
// target takes no alias there).
constexpr std::string_view kUpsertUsersRedshift = R"sql(
merge into dim_user
using etl_user_load as s
on dim_user.user_id = s.user_id
when matched then update set
    first_name = s.first_name,
    last_name = s.last_name,
    gender = s.gender,
    level = s.level
when not matched then insert (user_id, first_name, last_name, gender, level)
    values (s.user_id, s.first_name, s.last_name, s.gender, s.level);
merge into etl_user_latest
using etl_user_load as s
on etl_user_latest.user_id = s.user_id
when matched then update set
    ts = s.ts,
    session_id = s.session_id,
    item_in_session = s.item_in_session
when not matched then insert (user_id, ts, session_id, item_in_session)
    values (s.user_id, s.ts, s.session_id, s.item_in_session);
)sql";

constexpr std::string_view kKeepNewEvents = R"sql(
insert into staging_events
select * from etl_events_new;
drop table etl_events_new;
)sql";

constexpr std::array kEntries{
    Entry{Stmt::kDropTables, "drop_tables", kDropTables},
    Entry{Stmt::kCreateStaging, "create_staging", kCreateStaging},
    Entry{Stmt::kCreateStar, "create_star", kCreateStar},
    Entry{Stmt::kCreateLoadErrors, "create_load_errors", kCreateLoadErrors},
    Entry{Stmt::kInsertDimArtist, "insert_dim_artist", kInsertDimArtist},
    Entry{Stmt::kInsertDimSong, "insert_dim_song", kInsertDimSong},
    Entry{Stmt::kInsertDimUser, "insert_dim_user", kInsertDimUser},
    Entry{Stmt::kInsertDimTime, "insert_dim_time", kInsertDimTime},
    Entry{Stmt::kInsertFactSongplay, "insert_fact_songplay", kInsertFactSongplay},
    Entry{Stmt::kTableRowCounts, "table_row_counts", kTableRowCounts},
    Entry{Stmt::kCreateFactLoad, "create_fact_load", kCreateFactLoad},
    Entry{Stmt::kPublishFactLoad, "publish_fact_load", kPublishFactLoad},
    Entry{Stmt::kCopyStagingSongs, "copy_staging_songs", kCopyStagingSongs},
    Entry{Stmt::kCopyStagingEvents, "copy_staging_events", kCopyStagingEvents},
    Entry{Stmt::kInsertCopyErrors, "insert_copy_errors", kInsertCopyErrors},
    Entry{Stmt::kSelectLoadErrors, "select_load_errors", kSelectLoadErrors},
    Entry{Stmt::kDropRuns, "drop_runs", kDropRuns},
    Entry{Stmt::kCreateManifest, "create_manifest", kCreateManifest},
    Entry{Stmt::kDropManifest, "drop_manifest", kDropManifest},
    Entry{Stmt::kCreateLoadState, "create_load_state", kCreateLoadState},
    Entry{Stmt::kLoadStateExists, "load_state_exists", kLoadStateExists},
    Entry{Stmt::kTryLockEtl, "try_lock_etl", kTryLockEtlDuckDb, kTryLockEtl, kTryLockEtlDuckDb},
    Entry{Stmt::kMemoryLimit, "memory_limit", kMemoryLimit},
    Entry{Stmt::kSetMemoryLimit, "set_memory_limit", kSetMemoryLimit},
    Entry{Stmt::kKeyIndexBytes, "key_index_bytes", kKeyIndexBytes},
    Entry{Stmt::kLockEtl, "lock_etl", kTryLockEtlDuckDb, kLockEtl, kTryLockEtlDuckDb},
    Entry{Stmt::kLockManifest, "lock_manifest", kLockManifest},
    Entry{Stmt::kSelectManifest, "select_manifest", kSelectManifest},
    Entry{Stmt::kSelectLegacyManifest, "select_legacy_manifest", kSelectLegacyManifest},
    Entry{Stmt::kManifestHasLocation, "manifest_has_location", kManifestHasLocation},
    Entry{Stmt::kCreateManifestMoves, "create_manifest_moves", kCreateManifestMoves},
    Entry{Stmt::kApplyManifestMoves, "apply_manifest_moves", kApplyManifestMoves},
    Entry{Stmt::kNextRunId, "next_run_id", kNextRunId},
    Entry{Stmt::kMaxSongplayId, "max_songplay_id", kMaxSongplayId},
    Entry{Stmt::kSelectSongMatch, "select_song_match", kSelectSongMatch},
    Entry{Stmt::kSelectUserState, "select_user_state", kSelectUserState},
    Entry{Stmt::kCreateUpsertLoads, "create_upsert_loads", kCreateUpsertLoads},
    Entry{Stmt::kUpsertUsers, "upsert_users", kUpsertUsers, "", kUpsertUsersRedshift},
    Entry{Stmt::kInsertNewTimes, "insert_new_times", kInsertNewTimes},
    Entry{Stmt::kDropUpsertLoads, "drop_upsert_loads", kDropUpsertLoads},
    Entry{Stmt::kInsertSongMatch, "insert_song_match", kInsertSongMatch},
    Entry{Stmt::kInsertUserLatest, "insert_user_latest", kInsertUserLatest},
    Entry{Stmt::kSelectRecentRuns, "select_recent_runs", kSelectRecentRuns},
    Entry{Stmt::kAddDeferredKeys, "add_deferred_keys", kAddDeferredKeys},
    Entry{Stmt::kCreateCopiedFiles, "create_copied_files", kCreateCopiedFiles},
    Entry{Stmt::kRecordCopiedFiles, "record_copied_files", kRecordCopiedFiles},
    Entry{Stmt::kSelectCopiedFiles, "select_copied_files", kSelectCopiedFiles},
    Entry{Stmt::kCreateEventsNew, "create_events_new", kCreateEventsNew},
    Entry{Stmt::kNewPlaysFollowLoaded, "new_plays_follow_loaded", kNewPlaysFollowLoaded},
    Entry{Stmt::kFillUserLoad, "fill_user_load", kFillUserLoad},
    Entry{Stmt::kKeepNewEvents, "keep_new_events", kKeepNewEvents},
    Entry{Stmt::kServerVersion, "server_version", kServerVersion},
};

constexpr std::array kTransform{
    Stmt::kInsertDimArtist, Stmt::kInsertDimSong,      Stmt::kInsertDimUser,   Stmt::kInsertDimTime,
    Stmt::kInsertSongMatch, Stmt::kInsertFactSongplay, Stmt::kInsertUserLatest};
constexpr std::array kCreateTables{
    Stmt::kDropRuns,         Stmt::kDropTables,     Stmt::kCreateStaging,  Stmt::kCreateStar,
    Stmt::kCreateLoadErrors, Stmt::kCreateManifest, Stmt::kCreateLoadState};
constexpr std::array kRebuildTables{Stmt::kDropTables,     Stmt::kCreateStaging,
                                    Stmt::kCreateStar,     Stmt::kCreateLoadErrors,
                                    Stmt::kCreateManifest, Stmt::kCreateLoadState};
constexpr std::array<std::string_view, 8> kTables{
    "staging_events", "staging_songs", "fact_songplay", "dim_user",
    "dim_song",       "dim_artist",    "dim_time",      "load_errors"};

const Entry& Find(Stmt stmt) {
  for (const Entry& e : kEntries) {
    if (e.stmt == stmt) return e;
  }
  assert(false && "sql::Stmt without a catalog entry");
  return kEntries[0];
}

struct Macro {
  std::string_view name;
  std::string_view duckdb;
  std::string_view postgres;
  std::string_view redshift;
};

constexpr std::string_view kTimePartsOfPlays = R"sql(select
    start_time,
    cast(extract(hour from start_time) as bigint),
    cast(extract(day from start_time) as bigint),
    cast(extract(week from start_time) as bigint),
    cast(extract(month from start_time) as bigint),
    cast(extract(year from start_time) as bigint),
    cast(extract(dow from start_time) as bigint)
from plays)sql";

constexpr std::string_view kLatestEventFirst =
    "ts desc, session_id desc nulls last, item_in_session desc nulls last,\n"
    "                     level desc nulls last, first_name nulls last, last_name nulls last,\n"
    "                     gender nulls last";

// Redshift: epoch + ms * 1 ms keeps millisecond precision (no integer division).
constexpr std::array kMacros{
    Macro{"text", "varchar", "text collate \"C\"", "varchar(65535)"},
    Macro{"double", "double", "double precision", "double precision"},
    // fact_songplay.songplay_id: an identity on Redshift that still takes the explicit ids of
    // the transform (GENERATED BY DEFAULT); rows inserted without one count from 0.
    Macro{"identity", "", "", " generated by default as identity(0, 1)"},
    Macro{"event_seq_column", ",\n    event_seq       bigint not null",
          ",\n    event_seq       bigint not null", ""},
    Macro{"play_order_columns", "event_seq", "event_seq", "ts,\n        item_in_session"},
    Macro{"play_order", "event_seq", "event_seq",
          "ts, session_id nulls last, item_in_session nulls last, user_id nulls last,\n"
          "                 song nulls last, artist nulls last, length nulls last, level nulls "
          "last,\n                 location nulls last, user_agent nulls last"},
    // dim_time's columns from a CTE `plays(start_time)` (ISO week; 0 = Sunday).
    Macro{"time_parts_of_plays", kTimePartsOfPlays, kTimePartsOfPlays, kTimePartsOfPlays},
    Macro{"modified_at_epoch_ms", "epoch_ms(modified_at)",
          "cast(extract(epoch from modified_at) * 1000 as bigint)",
          "cast(extract(epoch from modified_at) * 1000 as bigint)"},
    // The dim_user rule: a user's latest event by ts (ties: the later session, then the later
    // item in it, then the rest of the row, so that the pick is total).
    Macro{"latest_event_first", kLatestEventFirst, kLatestEventFirst, kLatestEventFirst},
    Macro{"ts_to_timestamp", "epoch_ms(ts)",
          "(timestamp '1970-01-01 00:00:00' + ts * interval '1 millisecond')",
          "(timestamp 'epoch' + ts * interval '0.001 second')"},
};

// Redshift table attributes: the fact and dim_time are joined and filtered on start_time, so
// both are distributed and sorted by it; small dimensions are copied to every node; staging
// and load_errors are spread evenly.
struct TableAttributes {
  std::string_view table;
  std::string_view redshift;
};
constexpr std::array kTableAttributes{
    TableAttributes{"staging_events", "diststyle even"},
    TableAttributes{"staging_songs", "diststyle even"},
    TableAttributes{"dim_user", "diststyle all"},
    TableAttributes{"dim_artist", "diststyle all"},
    TableAttributes{"dim_song", "diststyle all"},
    TableAttributes{"dim_time", "distkey(start_time) sortkey(start_time)"},
    TableAttributes{"fact_songplay", "distkey(start_time) sortkey(start_time)"},
    TableAttributes{"load_errors", "diststyle even"},
};

std::string ExpandMacros(std::string_view text, Dialect dialect, const RenderOptions& options) {
  std::string out;
  out.reserve(text.size() + 256);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    size_t close = text.find("}}", open);
    assert(close != std::string_view::npos && "unterminated {{macro}} in the SQL catalog");
    std::string_view name = text.substr(open + 2, close - open - 2);
    out.append(text.substr(pos, open - pos));
    if (name.starts_with("dist ")) {
      std::string_view table = name.substr(5);
      if (dialect == Dialect::kRedshift) {
        auto it = options.table_attributes.find(std::string(table));
        std::string_view attributes;
        if (it != options.table_attributes.end()) {
          attributes = it->second;
        } else {
          for (const TableAttributes& t : kTableAttributes) {
            if (t.table == table) attributes = t.redshift;
          }
        }
        if (!attributes.empty()) {
          out.append("\n");
          out.append(attributes);
        }
      }
      pos = close + 2;
      continue;
    }
    if (name.starts_with("$")) {
      auto it = options.values.find(std::string(name.substr(1)));
      assert(it != options.values.end() && "{{$value}} without a value");
      if (it != options.values.end()) out.append(it->second);
      pos = close + 2;
      continue;
    }
    if (name == "events") {  // RenderOptions::append
      out.append(options.append ? "etl_events_new" : "staging_events");
      pos = close + 2;
      continue;
    }
    if (name == "songplay_base") {
      if (options.append)
        out.append(" + (select coalesce(max(songplay_id), 0) from fact_songplay)");
      pos = close + 2;
      continue;
    }
    if (name == "only_new_times") {
      if (options.append) {
        out.append(
            "\nwhere not exists (\n    select 1 from dim_time as d where d.start_time = "
            "plays.start_time\n)");
      }
      pos = close + 2;
      continue;
    }
    if (name == "song_dimension_key") {
      // dim_artist's and dim_song's keys: one row per key by construction (the song index, or
      // the transform's `pick = 1`) and rebuilt whole, never upserted, so not enforced on
      // DuckDB, whose key index of L's 166,666 keys took 11 MB of a one-thread load's peak
      // (docs/BENCHMARKS.md, session 10); `sparkify check` verifies them. Declared elsewhere:
      // dim_song.artist_id references dim_artist there.
      out.append(dialect == Dialect::kDuckDb ? "not null" : "primary key");
      pos = close + 2;
      continue;
    }
    if (name == "manifest_key") {
      // load_manifest's key: one row per (kind, file) by construction (the plan lists each
      // name once and appends only files the manifest lacks), so not enforced on DuckDB, whose
      // key index cannot be evicted (L's 100,000 song files: 7.8 MB that every memory limit of
      // a full load had to leave room for; docs/BENCHMARKS.md, session 17); `sparkify check`
      // verifies it.
      if (dialect != Dialect::kDuckDb) out.append(",\n    primary key (kind, file)");
      pos = close + 2;
      continue;
    }
    if (name == "primary_key") {
      // The big tables' keys: never enforced on DuckDB (guaranteed by construction and
      // verified by `sparkify check`), added after a full load on PostgreSQL.
      out.append(options.deferred_keys || dialect == Dialect::kDuckDb ? "not null" : "primary key");
      pos = close + 2;
      continue;
    }
    if (name.starts_with("deferred_fk ")) {  // a foreign key kAddDeferredKeys may add later
      if (DeclaresForeignKeys(dialect) && !options.deferred_keys) {
        out.append("references ");
        out.append(name.substr(12));
      }
      pos = close + 2;
      continue;
    }
    if (name.starts_with("fk ")) {
      // A foreign key: declared where the engine treats it as metadata or checks it cheaply;
      // DuckDB checks every inserted row against the referenced index, which costs more than
      // the rest of the load (docs/BENCHMARKS.md), so there `sparkify check` verifies them.
      if (DeclaresForeignKeys(dialect)) {
        out.append("references ");
        out.append(name.substr(3));
      }
      pos = close + 2;
      continue;
    }
    bool found = false;
    for (const Macro& m : kMacros) {
      if (m.name != name) continue;
      out.append(dialect == Dialect::kDuckDb     ? m.duckdb
                 : dialect == Dialect::kPostgres ? m.postgres
                                                 : m.redshift);
      found = true;
      break;
    }
    assert(found && "unknown {{macro}} in the SQL catalog");
    (void)found;
    pos = close + 2;
  }
  return out;
}

}  // namespace

std::string Render(Stmt stmt, Dialect dialect) { return Render(stmt, dialect, RenderOptions{}); }

std::string Render(Stmt stmt, Dialect dialect, const RenderOptions& options) {
  const Entry& e = Find(stmt);
  std::string_view text = e.default_sql;
  if (dialect == Dialect::kPostgres && !e.postgres_sql.empty()) text = e.postgres_sql;
  if (dialect == Dialect::kRedshift) {
    if (!e.redshift_sql.empty()) {
      text = e.redshift_sql;
    } else if (!e.postgres_sql.empty()) {
      text = e.postgres_sql;
    }
  }
  // Strip the leading newline the raw literals carry.
  while (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  return ExpandMacros(text, dialect, options);
}

std::string QuoteLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back(c);
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

Result<std::map<std::string, std::string>> RedshiftTableAttributes(
    const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> out;
  for (const auto& [table, attributes] : overrides) {
    bool known = false;
    for (const TableAttributes& t : kTableAttributes) known = known || t.table == table;
    if (!known) {
      return Error::Config("no table " + table + " to set Redshift attributes for");
    }
    for (char c : attributes) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '(' || c == ')' || c == ',' || c == ' ';
      if (!ok) {
        return Error::Config("Redshift attributes of " + table + ": \"" + attributes +
                             "\" may hold only names, parentheses, commas and spaces");
      }
    }
    out[table] = attributes;
  }
  return out;
}

std::string_view StmtName(Stmt stmt) { return Find(stmt).name; }
bool DeclaresForeignKeys(Dialect dialect) { return dialect != Dialect::kDuckDb; }
bool DefersKeys(Dialect dialect) { return dialect == Dialect::kPostgres; }
bool BoundsEngineMemory(Dialect dialect) { return dialect == Dialect::kDuckDb; }
std::span<const Stmt> TransformStatements() { return kTransform; }
std::span<const Stmt> CreateTablesStatements() { return kCreateTables; }
std::span<const Stmt> RebuildTablesStatements() { return kRebuildTables; }
std::span<const std::string_view> AllTables() { return kTables; }

}  // namespace sparkify::sql
