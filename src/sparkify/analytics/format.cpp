#include "sparkify/analytics/format.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "sparkify/common/utf8.hpp"

namespace sparkify::analytics {
namespace {

using engine::QueryResult;
using engine::ResultValue;
using engine::ValueKind;

// ---------------------------------------------------------------------------------------------
// UTF-8 and display width
// ---------------------------------------------------------------------------------------------

struct CodePointRange {
  char32_t first;
  char32_t last;
};

// Code points a terminal draws on top of the previous cell: combining marks, zero-width
// spaces and joiners, bidi controls, variation selectors, Hangul medial/final jamo (which
// join the preceding initial jamo), tags. Sorted, for binary search.
constexpr CodePointRange kZeroWidth[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},   {0x05BF, 0x05BF},   {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A},   {0x064B, 0x065F},   {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8},   {0x06EA, 0x06ED},   {0x1160, 0x11FF},
    {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x2064},
    {0x2066, 0x206F}, {0x20D0, 0x20FF}, {0x302A, 0x302D},   {0x3099, 0x309A},   {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0000, 0xE007F}, {0xE0100, 0xE01EF},
};

// East Asian Wide and Fullwidth blocks plus the emoji terminals draw two cells wide.
// Sorted, for binary search; checked after kZeroWidth so marks inside these blocks
// (e.g. U+3099) stay zero-width.
constexpr CodePointRange kDoubleWidth[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18AFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B},
    {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7},
    {0x1F6DC, 0x1F6DF}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB},
    {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

template <size_t N>
bool InRanges(const CodePointRange (&ranges)[N], char32_t code_point) {
  // First range whose end is not below the code point; it holds it iff it starts at or before.
  const auto* it =
      std::lower_bound(std::begin(ranges), std::end(ranges), code_point,
                       [](const CodePointRange& r, char32_t cp) { return r.last < cp; });
  return it != std::end(ranges) && it->first <= code_point;
}

// Only called for printable code points: controls are escaped before measuring.
size_t CodePointWidth(char32_t code_point) {
  if (code_point < 0x300) return 1;  // fast path: ASCII and Latin-1
  if (InRanges(kZeroWidth, code_point)) return 0;
  if (InRanges(kDoubleWidth, code_point)) return 2;
  return 1;
}

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendHex(std::string& out, unsigned value, int digits) {
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
    out += kHexDigits[(value >> static_cast<unsigned>(shift)) & 0xFu];
  }
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

// A cell ready for the terminal: `text` holds no control characters and no invalid UTF-8, and
// `width` is its column count, measured before any colour codes are added.
struct TableCell {
  std::string text;
  size_t width = 0;
  bool is_null = false;
};

// Escapes what would break the one-line-per-row layout or drive the terminal (ESC, CR,
// C1 controls such as CSI) and replaces invalid UTF-8 so its width is known. Backslashes are
// left alone on purpose: the table is for reading, and doubling them would make Windows paths
// and regexes harder to read; the CSV and JSON outputs are the unambiguous forms.
TableCell MakeTableCell(std::string_view raw) {
  TableCell cell;
  cell.text.reserve(raw.size());
  for (size_t pos = 0; pos < raw.size();) {
    const DecodedCodePoint d = DecodeUtf8(raw, pos);
    if (!d.valid) {
      cell.text += kReplacementCharacter;
      cell.width += 1;
    } else if (d.code_point == '\n') {
      cell.text += "\\n";
      cell.width += 2;
    } else if (d.code_point == '\t') {
      cell.text += "\\t";
      cell.width += 2;
    } else if (d.code_point == '\r') {
      cell.text += "\\r";
      cell.width += 2;
    } else if (d.code_point < 0x20 || d.code_point == 0x7F) {
      cell.text += "\\x";
      AppendHex(cell.text, d.code_point, 2);
      cell.width += 4;
    } else if (d.code_point >= 0x80 && d.code_point <= 0x9F) {
      cell.text += "\\u";
      AppendHex(cell.text, d.code_point, 4);
      cell.width += 6;
    } else {
      cell.text.append(raw.substr(pos, d.length));
      cell.width += CodePointWidth(d.code_point);
    }
    pos += d.length;
  }
  return cell;
}

TableCell MakeTableValue(const ResultValue& value) {
  if (!value) return TableCell{"NULL", 4, true};
  return MakeTableCell(*value);
}

// Rows are expected to have one value per column; a short row reads as NULL past its end
// rather than being an out-of-bounds read.
const ResultValue& ValueAt(const std::vector<ResultValue>& row, size_t column) {
  static const ResultValue kMissing;
  return column < row.size() ? row[column] : kMissing;
}

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kReset = "\x1b[0m";

// Appends one padded cell. The last column's left-aligned padding is dropped so no line ends
// in spaces (as psql does); colour wraps only the text, so padding is computed from `width`.
void AppendTableCell(std::string& line, const TableCell& cell, size_t column_width,
                     bool right_align, bool last_column, std::string_view sgr) {
  const size_t padding = column_width - cell.width;
  if (right_align) line.append(padding, ' ');
  if (!sgr.empty()) line += sgr;
  line += cell.text;
  if (!sgr.empty()) line += kReset;
  if (!right_align && !last_column) line.append(padding, ' ');
}

std::string RowCountFooter(size_t rows) {
  return "(" + std::to_string(rows) + (rows == 1 ? " row)\n" : " rows)\n");
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

// The empty string is quoted so it stays distinct from NULL, which the caller writes as
// nothing at all. Bytes are copied verbatim: CSV is a data format, not a display.
void AppendCsvField(std::string& line, std::string_view field) {
  if (!field.empty() && field.find_first_of(",\"\r\n") == std::string_view::npos) {
    line += field;
    return;
  }
  line += '"';
  for (char c : field) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

void WriteCsvRecord(std::ostream& out, size_t columns, auto&& field_at) {
  std::string line;
  for (size_t c = 0; c < columns; ++c) {
    if (c > 0) line += ',';
    const std::optional<std::string_view> field = field_at(c);
    if (field) AppendCsvField(line, *field);
  }
  line += "\r\n";
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

// Invalid UTF-8 becomes U+FFFD (one per bad byte) because a JSON text must be valid UTF-8.
// U+2028/U+2029 are escaped even though JSON allows them raw, because they end a line in
// JavaScript and would break a consumer that splits or evals line by line.
void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t pos = 0; pos < s.size();) {
    const DecodedCodePoint d = DecodeUtf8(s, pos);
    if (!d.valid) {
      out += kReplacementCharacter;
    } else {
      switch (d.code_point) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (d.code_point < 0x20 || d.code_point == 0x2028 || d.code_point == 0x2029) {
            out += "\\u";
            AppendHex(out, d.code_point, 4);
          } else {
            out.append(s.substr(pos, d.length));
          }
      }
    }
    pos += d.length;
  }
  out += '"';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// Numbers that pass are copied verbatim, so a 64-bit integer never goes through a double.
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// ASCII only on purpose: format names and number spellings are ASCII, and locale-aware
// folding would make "JSON" parse differently depending on the user's environment.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

// The canonical form already spells these "NaN"/"Infinity"/"-Infinity"; other engines' and
// libraries' spellings ("inf", "-nan") are folded in so consumers see one name per value.
std::optional<std::string_view> NonFiniteName(std::string_view s) {
  std::string_view unsigned_part = s;
  const bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) unsigned_part.remove_prefix(1);
  if (EqualsIgnoreAsciiCase(unsigned_part, "nan")) return "NaN";
  if (EqualsIgnoreAsciiCase(unsigned_part, "inf") ||
      EqualsIgnoreAsciiCase(unsigned_part, "infinity")) {
    return negative ? "-Infinity" : "Infinity";
  }
  return std::nullopt;
}

void AppendJsonValue(std::string& out, const ResultValue& value, ValueKind kind) {
  if (!value) {
    out += "null";
    return;
  }
  const std::string_view text = *value;
  switch (kind) {
    case ValueKind::kFloat:
      if (const auto name = NonFiniteName(text)) {
        AppendJsonString(out, *name);
        return;
      }
      [[fallthrough]];
    case ValueKind::kInteger:
      // A number kind whose text is not a JSON number is still data; quoting it keeps the
      // document valid instead of emitting a bare token a parser would reject.
      if (IsJsonNumber(text)) {
        out += text;
      } else {
        AppendJsonString(out, text);
      }
      return;
    case ValueKind::kBoolean:
      if (text == "true" || text == "false") {
        out += text;
      } else {
        AppendJsonString(out, text);
      }
      return;
    case ValueKind::kText:
    case ValueKind::kTimestamp:
    case ValueKind::kDate:
      break;
  }
  AppendJsonString(out, text);
}

void WriteString(std::ostream& out, const std::string& s) {
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (EqualsIgnoreAsciiCase(name, "table")) return OutputFormat::kTable;
  if (EqualsIgnoreAsciiCase(name, "csv")) return OutputFormat::kCsv;
  if (EqualsIgnoreAsciiCase(name, "json")) return OutputFormat::kJson;
  return Error::InvalidArgument("unknown output format \"" + std::string(name) +
                                "\"; valid formats: table, csv, json");
}

// Layout (psql's aligned format, minus its centred headers):
//
//    song           | plays
//   ----------------+-------
//    You're The One |    37
//   (1 row)
//
// Every line starts with one space and cells are joined by " | "; the rule has one '-' per
// column of content plus the surrounding spaces, joined by '+', so the '+' sits under the '|'.
// Headers are left-aligned whatever the column kind. No line has trailing spaces. A result
// with no columns prints only the footer.
void WriteTable(std::ostream& out, const QueryResult& result, const TableStyle& style) {
  const size_t column_count = result.columns.size();
  if (column_count == 0) {
    WriteString(out, RowCountFooter(result.rows.size()));
    return;
  }

  std::vector<TableCell> header;
  std::vector<size_t> widths;
  header.reserve(column_count);
  widths.reserve(column_count);
  for (const engine::ResultColumn& column : result.columns) {
    header.push_back(MakeTableCell(column.name));
    widths.push_back(header.back().width);
  }
  // Widths depend on every row, so cells are prepared in a first pass and written in a second.
  std::vector<std::vector<TableCell>> body;
  body.reserve(result.rows.size());
  for (const std::vector<ResultValue>& row : result.rows) {
    std::vector<TableCell>& cells = body.emplace_back();
    cells.reserve(column_count);
    for (size_t c = 0; c < column_count; ++c) {
      cells.push_back(MakeTableValue(ValueAt(row, c)));
      widths[c] = std::max(widths[c], cells.back().width);
    }
  }

  const std::string_view header_sgr = style.color ? kBold : std::string_view();
  const std::string_view null_sgr = style.color ? kDim : std::string_view();
  std::string line;
  auto write_row = [&](const std::vector<TableCell>& cells, bool is_header) {
    line.assign(1, ' ');
    for (size_t c = 0; c < column_count; ++c) {
      if (c > 0) line += " | ";
      const bool right_align = !is_header && IsNumeric(result.columns[c].kind);
      const std::string_view sgr = is_header ? header_sgr : cells[c].is_null ? null_sgr : "";
      AppendTableCell(line, cells[c], widths[c], right_align, c + 1 == column_count, sgr);
    }
    line += '\n';
    WriteString(out, line);
  };

  write_row(header, /*is_header=*/true);
  line.clear();
  for (size_t c = 0; c < column_count; ++c) {
    if (c > 0) line += '+';
    line.append(widths[c] + 2, '-');
  }
  line += '\n';
  WriteString(out, line);
  for (const std::vector<TableCell>& cells : body) write_row(cells, /*is_header=*/false);
  WriteString(out, RowCountFooter(result.rows.size()));
}

void WriteCsv(std::ostream& out, const QueryResult& result) {
  const size_t column_count = result.columns.size();
  WriteCsvRecord(out, column_count, [&](size_t c) -> std::optional<std::string_view> {
    return result.columns[c].name;
  });
  for (const std::vector<ResultValue>& row : result.rows) {
    WriteCsvRecord(out, column_count, [&](size_t c) -> std::optional<std::string_view> {
      const ResultValue& value = ValueAt(row, c);
      if (!value) return std::nullopt;
      return *value;
    });
  }
}

// Layout: "[", then one compact object per line joined by ",\n", then "]"; "[]" when empty.
// Keys follow column order; duplicate column names are written as they are.
std::string JsonQuote(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

void WriteJson(std::ostream& out, const QueryResult& result) {
  if (result.rows.empty()) {
    out << "[]\n";
    return;
  }
  out << "[\n";
  std::string line;
  for (size_t r = 0; r < result.rows.size(); ++r) {
    line.clear();
    if (r > 0) line += ",\n";
    line += '{';
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c > 0) line += ',';
      AppendJsonString(line, result.columns[c].name);
      line += ':';
      AppendJsonValue(line, ValueAt(result.rows[r], c), result.columns[c].kind);
    }
    line += '}';
    WriteString(out, line);
  }
  out << "\n]\n";
}

void WriteResult(std::ostream& out, const QueryResult& result, OutputFormat format,
                 const TableStyle& style) {
  switch (format) {
    case OutputFormat::kTable:
      WriteTable(out, result, style);
      return;
    case OutputFormat::kCsv:
      WriteCsv(out, result);
      return;
    case OutputFormat::kJson:
      WriteJson(out, result);
      return;
  }
}

}  // namespace sparkify::analytics
