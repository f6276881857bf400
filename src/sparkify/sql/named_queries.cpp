#include "sparkify/sql/named_queries.hpp"

#include <array>

namespace sparkify::sql {
namespace {

// Conventions: a "play" is one fact_songplay row; hours, days and weekdays are UTC (the star
// stores UTC); weekday 0 = Sunday; a session is one user's session_id. Averages are computed
// as double sum / count, so every engine rounds the same way.

constexpr std::string_view kTopSongs = R"sql(
select
    s.title,
    a.name as artist,
    count(*) as plays
from fact_songplay as f
join dim_song as s on s.song_id = f.song_id
left join dim_artist as a on a.artist_id = f.artist_id
group by s.title, a.name
order by plays desc, s.title, a.name nulls last
limit {{limit}}
)sql";

constexpr std::string_view kTopArtists = R"sql(
select
    a.name as artist,
    count(*) as plays
from fact_songplay as f
join dim_artist as a on a.artist_id = f.artist_id
group by a.name
order by plays desc, a.name nulls last
limit {{limit}}
)sql";

constexpr std::string_view kPlaysByHour = R"sql(
with hours as (
    select hour
    from generate_series(0, 23) as h (hour)
),
plays as (
    select
        t.hour,
        count(*) as plays
    from fact_songplay as f
    join dim_time as t on t.start_time = f.start_time
    group by t.hour
)
select
    h.hour,
    coalesce(p.plays, 0) as plays
from hours as h
left join plays as p on p.hour = h.hour
order by h.hour
limit {{limit}}
)sql";

// Redshift runs generate_series on the leader node only, so hours come from digits.
constexpr std::string_view kPlaysByHourRedshift = R"sql(
with digits as (
    select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
),
hours as (
    select tens.d * 10 + ones.d as hour
    from digits as tens
    cross join digits as ones
    where tens.d * 10 + ones.d < 24
),
plays as (
    select
        t.hour,
        count(*) as plays
    from fact_songplay as f
    join dim_time as t on t.start_time = f.start_time
    group by t.hour
)
select
    h.hour,
    coalesce(p.plays, 0) as plays
from hours as h
left join plays as p on p.hour = h.hour
order by h.hour
limit {{limit}}
)sql";

constexpr std::string_view kPlaysByWeekday = R"sql(
with days as (
    select *
    from (
        values (0, 'Sunday'), (1, 'Monday'), (2, 'Tuesday'), (3, 'Wednesday'), (4, 'Thursday'),
               (5, 'Friday'), (6, 'Saturday')
    ) as d (weekday, day_name)
),
plays as (
    select
        t.weekday,
        count(*) as plays
    from fact_songplay as f
    join dim_time as t on t.start_time = f.start_time
    group by t.weekday
)
select
    d.weekday,
    d.day_name,
    coalesce(p.plays, 0) as plays
from days as d
left join plays as p on p.weekday = d.weekday
order by d.weekday
limit {{limit}}
)sql";

// Redshift has no VALUES lists in FROM.
constexpr std::string_view kPlaysByWeekdayRedshift = R"sql(
with days as (
    select 0 as weekday, 'Sunday' as day_name
    union all select 1, 'Monday'
    union all select 2, 'Tuesday'
    union all select 3, 'Wednesday'
    union all select 4, 'Thursday'
    union all select 5, 'Friday'
    union all select 6, 'Saturday'
),
plays as (
    select
        t.weekday,
        count(*) as plays
    from fact_songplay as f
    join dim_time as t on t.start_time = f.start_time
    group by t.weekday
)
select
    d.weekday,
    d.day_name,
    coalesce(p.plays, 0) as plays
from days as d
left join plays as p on p.weekday = d.weekday
order by d.weekday
limit {{limit}}
)sql";

// Every day from the first play to the last, days without plays as 0, so the line does not
// bridge a gap. generate_series is given timestamps: with dates PostgreSQL would pick its
// timestamptz form, whose days depend on the session time zone.
constexpr std::string_view kDailyPlays = R"sql(
with plays as (
    select
        cast(start_time as date) as day,
        count(*) as plays
    from fact_songplay
    group by cast(start_time as date)
),
bounds as (
    select
        cast(min(day) as timestamp) as first_day,
        cast(max(day) as timestamp) as last_day
    from plays
),
days as (
    select cast(g.day as date) as day
    from bounds as b,
        generate_series(b.first_day, b.last_day, interval '1 day') as g (day)
)
select
    d.day,
    coalesce(p.plays, 0) as plays
from days as d
left join plays as p on p.day = d.day
order by d.day
limit {{limit}}
)sql";

// Up to 10,000 days (27 years) from digits, since generate_series is leader-only on Redshift.
constexpr std::string_view kDailyPlaysRedshift = R"sql(
with digits as (
    select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
),
numbers as (
    select d0.d + 10 * d1.d + 100 * d2.d + 1000 * d3.d as n
    from digits as d0
    cross join digits as d1
    cross join digits as d2
    cross join digits as d3
),
plays as (
    select
        cast(start_time as date) as day,
        count(*) as plays
    from fact_songplay
    group by cast(start_time as date)
),
bounds as (
    select
        min(day) as first_day,
        max(day) as last_day
    from plays
),
days as (
    select cast(dateadd(day, n.n, b.first_day) as date) as day
    from bounds as b
    join numbers as n on n.n <= datediff(day, b.first_day, b.last_day)
)
select
    d.day,
    coalesce(p.plays, 0) as plays
from days as d
left join plays as p on p.day = d.day
order by d.day
limit {{limit}}
)sql";

constexpr std::string_view kPlaysByMonth = R"sql(
select
    cast(t.year as varchar) || '-' || lpad(cast(t.month as varchar), 2, '0') as month,
    count(*) as plays
from fact_songplay as f
join dim_time as t on t.start_time = f.start_time
group by t.year, t.month
order by t.year, t.month
limit {{limit}}
)sql";

// The level at the time of each play (fact_songplay.level), not the user's level today.
constexpr std::string_view kFreeVsPaid = R"sql(
select
    level,
    count(*) as plays
from fact_songplay
group by level
order by level nulls last
limit {{limit}}
)sql";

// Each user's latest level (dim_user.level).
constexpr std::string_view kUsersByLevel = R"sql(
select
    level,
    count(*) as users
from dim_user
group by level
order by level nulls last
limit {{limit}}
)sql";

constexpr std::string_view kMostActiveUsers = R"sql(
select
    u.user_id,
    u.first_name,
    u.last_name,
    u.level,
    count(*) as plays
from fact_songplay as f
join dim_user as u on u.user_id = f.user_id
group by u.user_id, u.first_name, u.last_name, u.level
order by plays desc, u.user_id
limit {{limit}}
)sql";

constexpr std::string_view kTopLocations = R"sql(
select
    location,
    count(*) as plays
from fact_songplay
where location is not null
group by location
order by plays desc, location
limit {{limit}}
)sql";

// The order of the tests matters: iPhone and iPad agents say "like Mac OS X", Android agents
// say "Linux". Every platform is listed, zeros included, ties in the listed order.
constexpr std::string_view kPlatforms = R"sql(
with platforms as (
    select *
    from (
        values (1, 'Windows'), (2, 'Mac'), (3, 'Linux'), (4, 'iPhone'), (5, 'iPad'),
               (6, 'Android'), (7, 'other')
    ) as p (sort_key, platform)
),
classified as (
    select
        case
            when user_agent like '%iPhone%' then 'iPhone'
            when user_agent like '%iPad%' then 'iPad'
            when user_agent like '%Android%' then 'Android'
            when user_agent like '%Windows%' then 'Windows'
            when user_agent like '%Macintosh%' or user_agent like '%Mac OS X%' then 'Mac'
            when user_agent like '%Linux%' or user_agent like '%X11%' then 'Linux'
            else 'other'
        end as platform,
        user_id
    from fact_songplay
),
counted as (
    select
        platform,
        count(*) as plays,
        count(distinct user_id) as users
    from classified
    group by platform
)
select
    p.platform,
    coalesce(c.plays, 0) as plays,
    coalesce(c.users, 0) as users
from platforms as p
left join counted as c on c.platform = p.platform
order by plays desc, p.sort_key
limit {{limit}}
)sql";

constexpr std::string_view kPlatformsRedshift = R"sql(
with platforms as (
    select 1 as sort_key, 'Windows' as platform
    union all select 2, 'Mac'
    union all select 3, 'Linux'
    union all select 4, 'iPhone'
    union all select 5, 'iPad'
    union all select 6, 'Android'
    union all select 7, 'other'
),
classified as (
    select
        case
            when user_agent like '%iPhone%' then 'iPhone'
            when user_agent like '%iPad%' then 'iPad'
            when user_agent like '%Android%' then 'Android'
            when user_agent like '%Windows%' then 'Windows'
            when user_agent like '%Macintosh%' or user_agent like '%Mac OS X%' then 'Mac'
            when user_agent like '%Linux%' or user_agent like '%X11%' then 'Linux'
            else 'other'
        end as platform,
        user_id
    from fact_songplay
),
counted as (
    select
        platform,
        count(*) as plays,
        count(distinct user_id) as users
    from classified
    group by platform
)
select
    p.platform,
    coalesce(c.plays, 0) as plays,
    coalesce(c.users, 0) as users
from platforms as p
left join counted as c on c.platform = p.platform
order by plays desc, p.sort_key
limit {{limit}}
)sql";

// Gender from dim_user, level at the time of the play.
constexpr std::string_view kActivityByGenderLevel = R"sql(
select
    u.gender,
    f.level,
    count(*) as plays,
    count(distinct f.user_id) as users
from fact_songplay as f
join dim_user as u on u.user_id = f.user_id
group by u.gender, f.level
order by u.gender nulls last, f.level nulls last
limit {{limit}}
)sql";

// An upgrade is a paid play whose previous play by the same user was free; each user appears
// once, at the first upgrade, with the free plays before it and the level they have now.
constexpr std::string_view kFreeToPaidUpgrades = R"sql(
with ordered as (
    select
        user_id,
        start_time,
        level,
        lag(level) over (partition by user_id order by start_time, songplay_id) as previous_level
    from fact_songplay
    where user_id is not null
),
upgrades as (
    select
        user_id,
        min(start_time) as upgraded_at
    from ordered
    where level = 'paid' and previous_level = 'free'
    group by user_id
),
free_before as (
    select
        up.user_id,
        count(o.user_id) as free_plays_before
    from upgrades as up
    left join ordered as o
        on o.user_id = up.user_id
        and o.level = 'free'
        and o.start_time < up.upgraded_at
    group by up.user_id
)
select
    u.user_id,
    u.first_name,
    u.last_name,
    up.upgraded_at,
    fb.free_plays_before,
    u.level
from upgrades as up
join free_before as fb on fb.user_id = up.user_id
join dim_user as u on u.user_id = up.user_id
order by up.upgraded_at, u.user_id
limit {{limit}}
)sql";

constexpr std::string_view kSessionLength = R"sql(
with sessions as (
    select
        user_id,
        session_id,
        count(*) as songs
    from fact_songplay
    group by user_id, session_id
),
buckets as (
    select *
    from (
        values (1, '1', 1, 1), (2, '2-4', 2, 4), (3, '5-9', 5, 9), (4, '10-19', 10, 19),
               (5, '20-49', 20, 49), (6, '50-99', 50, 99), (7, '100+', 100, null)
    ) as b (sort_key, songs_per_session, low, high)
)
select
    b.songs_per_session,
    count(s.songs) as sessions
from buckets as b
left join sessions as s
    on s.songs >= b.low
    and (b.high is null or s.songs <= b.high)
group by b.sort_key, b.songs_per_session
order by b.sort_key
limit {{limit}}
)sql";

constexpr std::string_view kSessionLengthRedshift = R"sql(
with sessions as (
    select
        user_id,
        session_id,
        count(*) as songs
    from fact_songplay
    group by user_id, session_id
),
buckets as (
    select 1 as sort_key, '1' as songs_per_session, 1 as low, 1 as high
    union all select 2, '2-4', 2, 4
    union all select 3, '5-9', 5, 9
    union all select 4, '10-19', 10, 19
    union all select 5, '20-49', 20, 49
    union all select 6, '50-99', 50, 99
    union all select 7, '100+', 100, null
)
select
    b.songs_per_session,
    count(s.songs) as sessions
from buckets as b
left join sessions as s
    on s.songs >= b.low
    and (b.high is null or s.songs <= b.high)
group by b.sort_key, b.songs_per_session
order by b.sort_key
limit {{limit}}
)sql";

constexpr std::string_view kSessionLengthStats = R"sql(
with sessions as (
    select
        user_id,
        session_id,
        count(*) as songs
    from fact_songplay
    group by user_id, session_id
)
select
    count(*) as sessions,
    cast(sum(songs) as double precision) / nullif(count(*), 0) as avg_songs,
    percentile_cont(0.5) within group (order by songs) as median_songs,
    max(songs) as max_songs
from sessions
limit {{limit}}
)sql";

// A play matches when the transform found its song by title, artist name and duration.
constexpr std::string_view kMatchRate = R"sql(
with counts as (
    select
        count(*) as plays,
        count(song_id) as matched
    from fact_songplay
)
select
    'matched' as song_match,
    matched as plays,
    cast(matched as double precision) / nullif(plays, 0) as share
from counts
union all
select
    'unmatched',
    plays - matched,
    cast(plays - matched as double precision) / nullif(plays, 0)
from counts
order by song_match
limit {{limit}}
)sql";

// Same tables and order as sql::AllTables() (a test checks).
constexpr std::string_view kTableRowCountsByTable = R"sql(
with counts as (
    select 1 as sort_key, 'staging_events' as table_name, count(*) as row_count
    from staging_events
    union all select 2, 'staging_songs', count(*) from staging_songs
    union all select 3, 'fact_songplay', count(*) from fact_songplay
    union all select 4, 'dim_user', count(*) from dim_user
    union all select 5, 'dim_song', count(*) from dim_song
    union all select 6, 'dim_artist', count(*) from dim_artist
    union all select 7, 'dim_time', count(*) from dim_time
    union all select 8, 'load_errors', count(*) from load_errors
)
select
    table_name,
    row_count
from counts
order by sort_key
limit {{limit}}
)sql";

constexpr std::array kQueries{
    NamedQuery{"top_songs", "Most played songs",
               "Which songs are played most (plays matched to a known song)?", ChartType::kBar,
               "{title}", "plays", 10, kTopSongs},
    NamedQuery{"top_artists", "Most played artists",
               "Which artists are played most (plays matched to a known song)?", ChartType::kBar,
               "{artist}", "plays", 10, kTopArtists},
    NamedQuery{"plays_by_hour",
               "Plays by hour of day (UTC)",
               "At what hours of the day (UTC) do people listen?",
               ChartType::kHourHistogram,
               "{hour}",
               "plays",
               0,
               kPlaysByHour,
               {},
               kPlaysByHourRedshift},
    NamedQuery{"plays_by_weekday",
               "Plays by weekday (UTC)",
               "On which days of the week do people listen?",
               ChartType::kWeekdayBars,
               "{day_name}",
               "plays",
               0,
               kPlaysByWeekday,
               {},
               kPlaysByWeekdayRedshift},
    NamedQuery{"daily_plays",
               "Daily plays (UTC)",
               "How many songs are played each day?",
               ChartType::kLine,
               "{day}",
               "plays",
               0,
               kDailyPlays,
               {},
               kDailyPlaysRedshift},
    NamedQuery{"plays_by_month", "Plays by month (UTC)", "How many songs are played each month?",
               ChartType::kColumns, "{month}", "plays", 0, kPlaysByMonth},
    NamedQuery{"free_vs_paid", "Free vs paid plays",
               "How many plays come from free and from paid users?", ChartType::kSplitBar,
               "{level}", "plays", 0, kFreeVsPaid},
    NamedQuery{"users_by_level", "Users by level",
               "How many users are on the free and on the paid level now?", ChartType::kSplitBar,
               "{level}", "users", 0, kUsersByLevel},
    NamedQuery{"most_active_users", "Most active users", "Who plays the most songs?",
               ChartType::kBar, "{first_name} {last_name}", "plays", 10, kMostActiveUsers},
    NamedQuery{"top_locations", "Top locations", "Where do the most plays come from?",
               ChartType::kBar, "{location}", "plays", 10, kTopLocations},
    NamedQuery{"platforms",
               "Platforms",
               "On which platforms (from the user agent) do people listen?",
               ChartType::kBar,
               "{platform}",
               "plays",
               0,
               kPlatforms,
               {},
               kPlatformsRedshift},
    NamedQuery{"activity_by_gender_level", "Activity by gender and level",
               "How do plays split by gender and by free or paid level?", ChartType::kBar,
               "{gender} {level}", "plays", 0, kActivityByGenderLevel},
    NamedQuery{"free_to_paid_upgrades", "Free-to-paid upgrades",
               "Which users upgraded from free to paid, when, and after how many free plays?",
               ChartType::kBar, "{first_name} {last_name}", "free_plays_before", 20,
               kFreeToPaidUpgrades},
    NamedQuery{"session_length",
               "Session length",
               "How many songs do people play per session?",
               ChartType::kColumns,
               "{songs_per_session}",
               "sessions",
               0,
               kSessionLength,
               {},
               kSessionLengthRedshift},
    NamedQuery{"session_length_stats",
               "Session length: summary",
               "How many sessions are there, and how many songs does one have on average?",
               ChartType::kFigures,
               {},
               {},
               0,
               kSessionLengthStats},
    NamedQuery{"match_rate", "Song match rate",
               "What share of plays could be matched to a known song?", ChartType::kSplitBar,
               "{song_match}", "plays", 0, kMatchRate},
    NamedQuery{"table_row_counts", "Rows per table", "How many rows does each table hold?",
               ChartType::kBar, "{table_name}", "row_count", 0, kTableRowCountsByTable},
};

// A limit of "all rows" that every engine accepts in a LIMIT clause.
constexpr std::string_view kNoLimit = "9223372036854775807";

}  // namespace

std::string_view ChartTypeName(ChartType type) {
  switch (type) {
    case ChartType::kBar:
      return "bar";
    case ChartType::kHourHistogram:
      return "hour histogram";
    case ChartType::kWeekdayBars:
      return "weekday bars";
    case ChartType::kColumns:
      return "columns";
    case ChartType::kLine:
      return "line";
    case ChartType::kSplitBar:
      return "split bar";
    case ChartType::kFigures:
      return "figures";
  }
  return "unknown";
}

std::span<const NamedQuery> NamedQueries() { return kQueries; }

const NamedQuery* FindNamedQuery(std::string_view name) {
  for (const NamedQuery& q : kQueries) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

std::string RenderNamedQuery(const NamedQuery& query, Dialect dialect,
                             std::optional<int64_t> limit) {
  std::string_view text = query.default_sql;
  if (dialect != Dialect::kDuckDb && !query.postgres_sql.empty()) text = query.postgres_sql;
  if (dialect == Dialect::kRedshift && !query.redshift_sql.empty()) text = query.redshift_sql;
  while (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  const int64_t n = limit.value_or(query.default_limit);
  const std::string limit_text = n > 0 ? std::to_string(n) : std::string(kNoLimit);
  std::string out(text);
  const std::string_view macro = "{{limit}}";
  for (size_t pos = out.find(macro); pos != std::string::npos; pos = out.find(macro, pos)) {
    out.replace(pos, macro.size(), limit_text);
    pos += limit_text.size();
  }
  return out;
}

}  // namespace sparkify::sql
