#include "sparkify/engine/canonical.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "sparkify/common/civil_time.hpp"

namespace sparkify::engine {
namespace {}  // namespace

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

std::string FormatTimestampMicros(int64_t micros) {
  int64_t days = civil::FloorDiv(micros, civil::kMicrosPerDay);
  int64_t in_day = micros - days * civil::kMicrosPerDay;
  civil::Date date = civil::DateFromDays(days);
  int64_t secs = in_day / 1000000;
  int64_t frac = in_day % 1000000;
  std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", date.year, date.month,
                                date.day, secs / 3600, (secs / 60) % 60, secs % 60);
  if (frac % 1000 == 0) {
    out += fmt::format(".{:03}", frac / 1000);
  } else {
    out += fmt::format(".{:06}", frac);
  }
  return out;
}

std::string FormatDate(int32_t days) {
  civil::Date date = civil::DateFromDays(days);
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
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
