#include "sparkify/sql/named_queries.hpp"

#include <array>

namespace sparkify::sql {
namespace {

constexpr std::array kQueries{
    NamedQuery{"top_songs", "Most played songs",
               "Which songs are played most (plays matched to a known song)?", ChartType::kBar, 10,
               R"sql(
select
    s.title,
    a.name as artist,
    count(*) as plays
from fact_songplay as f
join dim_song as s on s.song_id = f.song_id
left join dim_artist as a on a.artist_id = f.artist_id
group by s.title, a.name
order by plays desc, s.title, a.name
limit {{limit}}
)sql"},
    NamedQuery{"top_artists", "Most played artists",
               "Which artists are played most (plays matched to a known song)?", ChartType::kBar,
               10, R"sql(
select
    a.name as artist,
    count(*) as plays
from fact_songplay as f
join dim_artist as a on a.artist_id = f.artist_id
group by a.name
order by plays desc, a.name
limit {{limit}}
)sql"},
    NamedQuery{"plays_by_hour", "Plays by hour of day (UTC)",
               "At what hours of the day (UTC) do people listen?", ChartType::kHourHistogram, 0,
               R"sql(
select
    t.hour,
    count(*) as plays
from fact_songplay as f
join dim_time as t on t.start_time = f.start_time
group by t.hour
order by t.hour
limit {{limit}}
)sql"},
    NamedQuery{"plays_by_weekday", "Plays by weekday",
               "On which days of the week do people listen (0 = Sunday)?", ChartType::kWeekdayBars,
               0, R"sql(
select
    t.weekday,
    case t.weekday
        when 0 then 'Sunday' when 1 then 'Monday' when 2 then 'Tuesday'
        when 3 then 'Wednesday' when 4 then 'Thursday' when 5 then 'Friday'
        else 'Saturday'
    end as day_name,
    count(*) as plays
from fact_songplay as f
join dim_time as t on t.start_time = f.start_time
group by t.weekday
order by t.weekday
limit {{limit}}
)sql"},
    NamedQuery{"free_vs_paid", "Free vs paid plays",
               "How many plays come from free and paid users?", ChartType::kSplitBar, 0, R"sql(
select
    level,
    count(*) as plays
from fact_songplay
group by level
order by level
limit {{limit}}
)sql"},
    NamedQuery{"most_active_users", "Most active users", "Who plays the most songs?",
               ChartType::kBar, 10, R"sql(
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
)sql"},
};

// A limit of "all rows" that every engine accepts in a LIMIT clause.
constexpr std::string_view kNoLimit = "9223372036854775807";

}  // namespace

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
  int64_t n = limit.value_or(query.default_limit);
  std::string limit_text = n > 0 ? std::to_string(n) : std::string(kNoLimit);
  std::string out(text);
  const std::string_view macro = "{{limit}}";
  for (size_t pos = out.find(macro); pos != std::string::npos; pos = out.find(macro, pos)) {
    out.replace(pos, macro.size(), limit_text);
    pos += limit_text.size();
  }
  return out;
}

}  // namespace sparkify::sql
