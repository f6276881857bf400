#include "sparkify/sql/report_queries.hpp"

#include <string_view>

namespace sparkify::sql {
namespace {

constexpr std::string_view kPlayTimeRange = R"sql(select
    min(start_time) as first_play,
    max(start_time) as last_play
from fact_songplay)sql";

constexpr std::string_view kLoadErrorsByClass = R"sql(select
    table_name,
    split_part(reason, ': ', 1) as reason_class,
    count(*) as errors
from load_errors
group by table_name, split_part(reason, ': ', 1)
order by errors desc, table_name, reason_class)sql";

constexpr std::string_view kFirstLoadErrors = R"sql(select
    table_name,
    file,
    line,
    reason,
    excerpt
from load_errors
order by table_name, file, line, byte_offset
limit )sql";

}  // namespace

std::string PlayTimeRange(Dialect /*dialect*/) { return std::string(kPlayTimeRange); }

std::string LoadErrorsByClass(Dialect /*dialect*/) { return std::string(kLoadErrorsByClass); }

std::string FirstLoadErrors(Dialect /*dialect*/, int64_t limit) {
  return std::string(kFirstLoadErrors) + std::to_string(limit);
}

}  // namespace sparkify::sql
