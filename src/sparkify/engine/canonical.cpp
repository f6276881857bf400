#include "sparkify/engine/canonical.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace sparkify::engine {
namespace {

// Howard Hinnant's civil_from_days (http://howardhinnant.github.io/date_algorithms.html).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

std::string FormatTimestampMicros(int64_t micros) {
  int64_t days = FloorDiv(micros, 86400000000LL);
  int64_t in_day = micros - days * 86400000000LL;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  int64_t secs = in_day / 1000000;
  int64_t frac = in_day % 1000000;
  std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", y, m, d, secs / 3600,
                                (secs / 60) % 60, secs % 60);
  if (frac % 1000 == 0) {
    out += fmt::format(".{:03}", frac / 1000);
  } else {
    out += fmt::format(".{:06}", frac);
  }
  return out;
}

std::string FormatDate(int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::string FormatInt128(Int128 value) {
  if (value == 0) return "0";
  bool negative = value < 0;
  UInt128 u = negative ? -static_cast<UInt128>(value) : static_cast<UInt128>(value);
  std::string digits;
  while (u > 0) {
    digits += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (negative) digits += '-';
  return std::string(digits.rbegin(), digits.rend());
}

}  // namespace sparkify::engine
