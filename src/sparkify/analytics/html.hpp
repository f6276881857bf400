// Text for people in HTML and inline SVG: escaping, shortening, numbers. Everything a report
// shows from the data passes through EscapeHtml, because song titles and names hold &, <,
// quotes and arbitrary bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sparkify/engine/query_result.hpp"

namespace sparkify::analytics {

// `text` made safe as HTML/SVG text and as a double- or single-quoted attribute value:
// & < > " ' become entities; invalid UTF-8 bytes and control characters other than tab and
// newline (which XML and HTML forbid or mangle) become U+FFFD.
std::string EscapeHtml(std::string_view text);

// `text` cut to at most `max_code_points` code points, "…" replacing the cut tail (the result
// then has exactly `max_code_points`). Cuts only at code point boundaries; invalid bytes count
// as one code point each. Not escaped.
std::string Shorten(std::string_view text, size_t max_code_points);

// A value as a person reads it (not escaped): NULL as "NULL"; integers with thousands
// separators ("6,820"); floats to 4 significant digits, or whole with separators from 1,000
// up ("8.789", "0.0001466", "12,346"); anything else as it is.
std::string DisplayValue(const engine::ResultValue& value, engine::ValueKind kind);

// A fraction as a percentage: "18.0%", small shares with two significant digits ("0.015%"),
// "0%" for exactly zero.
std::string FormatPercent(double fraction);

}  // namespace sparkify::analytics
