// Writes a QueryResult to a stream as an aligned terminal table, RFC 4180 CSV or JSON.
//
// Table: a header row, a rule, one line per row; column widths count UTF-8 code points
// (East Asian wide characters as 2 columns); numbers (kInteger, kFloat) right-aligned, other
// kinds left-aligned; NULL shown as "NULL" (dimmed when `color` is true) so it is distinct
// from the empty string; a footer "(N rows)". Embedded newlines and tabs in text cells are
// shown as "\n" and "\t" so every row stays on one line.
// CSV: RFC 4180 with a header row, CRLF line ends, fields quoted when they hold a comma,
// quote, CR or LF (quotes doubled); NULL is an empty unquoted field, the empty string is "".
// JSON: an array of objects in column order, integers and floats as JSON numbers (non-finite
// floats as strings "NaN"/"Infinity"/"-Infinity"), booleans as true/false, NULL as null,
// everything else as JSON strings with proper escaping; one object per line.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/query_result.hpp"

namespace sparkify::analytics {

enum class OutputFormat { kTable, kCsv, kJson };

Result<OutputFormat> ParseOutputFormat(std::string_view name);

// `text` as a JSON string literal (quotes included; invalid UTF-8 becomes U+FFFD), for the
// few commands that write their own JSON objects (`debug --format json`).
std::string JsonQuote(std::string_view text);

struct TableStyle {
  bool color = false;  // ANSI dim for NULL and bold header
};

void WriteTable(std::ostream& out, const engine::QueryResult& result, const TableStyle& style = {});
void WriteCsv(std::ostream& out, const engine::QueryResult& result);
void WriteJson(std::ostream& out, const engine::QueryResult& result);
void WriteResult(std::ostream& out, const engine::QueryResult& result, OutputFormat format,
                 const TableStyle& style = {});

}  // namespace sparkify::analytics
