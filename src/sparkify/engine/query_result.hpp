// A fully materialised query result in one canonical text form, identical across engines:
// integers in decimal, doubles in shortest round-trip form, booleans as true/false,
// timestamps as "YYYY-MM-DD HH:MM:SS" plus ".mmm" (or ".uuuuuu" when sub-millisecond) in UTC,
// dates as "YYYY-MM-DD". NULL is std::nullopt, distinct from the empty string.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sparkify::engine {

enum class ValueKind { kText, kInteger, kFloat, kBoolean, kTimestamp, kDate };
// Whether values of `kind` are numbers (right-aligned in tables and reports).
inline bool IsNumeric(ValueKind kind) {
  return kind == ValueKind::kInteger || kind == ValueKind::kFloat;
}

struct ResultColumn {
  std::string name;
  ValueKind kind = ValueKind::kText;
};

using ResultValue = std::optional<std::string>;

struct QueryResult {
  std::vector<ResultColumn> columns;
  std::vector<std::vector<ResultValue>> rows;
};

}  // namespace sparkify::engine
