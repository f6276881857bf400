// The analytics team's questions, by name: the one catalog behind `sparkify query NAME`, the
// HTML report and docs/ANALYTICS.md. Each entry has a title, the one-line question it
// answers, how the report charts it, and its SQL: one default text plus a dialect override
// only where dialects differ (Redshift has no VALUES lists or generate_series over tables).
//
// Every query orders its rows completely (ties broken by a name or key), so the same data
// gives the same rows, in the same order, on every engine. `{{limit}}` in the SQL is replaced
// by the row limit; every entry has exactly one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sparkify/sql/dialect.hpp"

namespace sparkify::sql {

enum class ChartType {
  kBar,            // horizontal bars, one per row, in row order (rankings)
  kHourHistogram,  // 24 vertical bars for hours 0..23, zeros included
  kWeekdayBars,    // 7 vertical bars, Sunday..Saturday
  kColumns,        // vertical bars in row order (months, buckets)
  kLine,           // a line through the rows in order (a daily trend)
  kSplitBar,       // one bar split into a segment per row (shares of a whole)
  kFigures,        // the single row's numbers side by side, one figure per column
};

std::string_view ChartTypeName(ChartType type);

struct NamedQuery {
  std::string_view name;      // snake_case, what `sparkify query NAME` takes
  std::string_view title;     // a heading
  std::string_view question;  // one line, ends with '?'
  ChartType chart;
  // The chart's label for a row: column names in braces ("{first_name} {last_name}"); the
  // text between them is copied. Unused by kFigures.
  std::string_view label;
  // The numeric column the chart draws. Unused by kFigures (which draws every column).
  std::string_view value;
  int64_t default_limit;  // rows when no limit is given; 0 = all rows
  std::string_view default_sql;
  std::string_view postgres_sql = {};  // empty: the default text
  std::string_view redshift_sql = {};  // empty: the postgres text if any, else the default
};

// Every entry, in the order the report shows them.
std::span<const NamedQuery> NamedQueries();
// nullptr when there is no query of that name.
const NamedQuery* FindNamedQuery(std::string_view name);
// The query's SQL for `dialect` with its limit applied: `limit` overrides the default;
// a limit of 0 means all rows.
std::string RenderNamedQuery(const NamedQuery& query, Dialect dialect,
                             std::optional<int64_t> limit = std::nullopt);

}  // namespace sparkify::sql
