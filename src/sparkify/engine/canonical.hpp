// The canonical text forms of values that every engine's QueryResult uses
// (engine/query_result.hpp), so results compare equal across engines.
#pragma once

#include <cstdint>
#include <string>

namespace sparkify::engine {

// Shortest text that parses back to the same double ("246.30812", "1e+300", "NaN", "-inf").
std::string FormatDouble(double value);
// Microseconds since 1970-01-01 00:00:00 UTC -> "YYYY-MM-DD HH:MM:SS.mmm" (".uuuuuu" when the
// value has sub-millisecond digits, no fraction at all is never used: always 3 or 6 digits).
std::string FormatTimestampMicros(int64_t micros);
// Days since 1970-01-01 -> "YYYY-MM-DD".
std::string FormatDate(int32_t days);
// Signed 128-bit integer in decimal.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;
std::string FormatInt128(Int128 value);

}  // namespace sparkify::engine
