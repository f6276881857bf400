// Proleptic Gregorian calendar arithmetic on UTC days and microseconds, shared by the
// canonical timestamp text (engine/canonical) and dim_time's fields (pipeline/star_builder).
// Howard Hinnant's algorithms: http://howardhinnant.github.io/date_algorithms.html
#pragma once

#include <cstdint>

namespace sparkify::civil {

inline constexpr int64_t kMicrosPerDay = 86400000000LL;

struct Date {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// Floor division (rounds toward negative infinity), for days before 1970.
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Days since 1970-01-01 -> calendar date.
constexpr Date DateFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Date{yoe + era * 400 + (month <= 2), month, day};
}

// Calendar date -> days since 1970-01-01.
constexpr int64_t DaysFromDate(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// 0 = Sunday .. 6 = Saturday; 1970-01-01 was a Thursday.
constexpr int WeekdayFromDays(int64_t days) { return static_cast<int>(((days % 7) + 7 + 4) % 7); }

}  // namespace sparkify::civil
