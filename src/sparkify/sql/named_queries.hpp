// The analytics team's questions, by name: the catalog behind `sparkify query NAME` and the
// report. Each entry has a title, the one-line question it answers, a chart type for the
// report, and its SQL (a default text plus dialect overrides only where dialects differ).
// `{{limit}}` in the SQL is replaced by the row limit.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sparkify/sql/dialect.hpp"

namespace sparkify::sql {

enum class ChartType { kBar, kHourHistogram, kWeekdayBars, kLine, kSplitBar, kTable };

struct NamedQuery {
  std::string_view name;
  std::string_view title;
  std::string_view question;
  ChartType chart;
  int64_t default_limit;  // rows shown when no --limit is given (0: all rows)
  std::string_view default_sql;
  std::string_view postgres_sql = {};
  std::string_view redshift_sql = {};
};

std::span<const NamedQuery> NamedQueries();
// nullptr when there is no query of that name.
const NamedQuery* FindNamedQuery(std::string_view name);
// The query's SQL for `dialect` with its limit applied (`limit` overrides the default).
std::string RenderNamedQuery(const NamedQuery& query, Dialect dialect,
                             std::optional<int64_t> limit = std::nullopt);

}  // namespace sparkify::sql
