#include "sparkify/parse/record_parser.hpp"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "sparkify/parse/records.hpp"

namespace sparkify::parse {

static_assert(kPadding >= simdjson::SIMDJSON_PADDING, "kPadding must cover simdjson's padding");

namespace {

namespace od = simdjson::ondemand;

constexpr size_t kMaxFields = 32;

std::string_view JsonTypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown value";
}

// Reasons a person understands, rather than simdjson's enum names.
std::string DescribeJsonError(simdjson::error_code code) {
  switch (code) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8 in the input";
    case simdjson::UNCLOSED_STRING:
      return "malformed JSON: unclosed string";
    case simdjson::TAPE_ERROR:
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "malformed JSON: truncated or unbalanced";
    case simdjson::DEPTH_ERROR:
      return "malformed JSON: nested too deeply (more than " +
             std::to_string(simdjson::DEFAULT_MAX_DEPTH) + " levels)";
    case simdjson::NUMBER_ERROR:
      return "malformed JSON: invalid number";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "malformed JSON: invalid literal (NaN/Infinity are not JSON)";
    case simdjson::STRING_ERROR:
      return "malformed JSON: invalid string escape";
    case simdjson::UNESCAPED_CHARS:
      return "malformed JSON: unescaped control character in a string";
    case simdjson::EMPTY:
      return "empty input";
    case simdjson::CAPACITY:
      return "record too large";
    default:
      return std::string("malformed JSON: ") + simdjson::error_message(code);
  }
}

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digits = [&]() {
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < n && s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IntegralDouble(double d, int64_t& out) {
  // 2^63 is exactly representable; anything >= it does not fit.
  if (!std::isfinite(d) || d != std::floor(d) || d < -9223372036854775808.0 ||
      d >= 9223372036854775808.0) {
    return false;
  }
  out = static_cast<int64_t>(d);
  return true;
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// NaN, Infinity and -Infinity (as Python's json.dumps and JavaScript write them, and the
// lower-case spellings of other writers) are not JSON. simdjson reports them as a broken
// document or a wrong type; a person should read what they are.
bool IsNonFiniteLiteral(std::string_view token) {
  if (!token.empty() && (token[0] == '-' || token[0] == '+')) token.remove_prefix(1);
  auto starts_with = [&](std::string_view word) {
    if (token.size() < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      char c = token[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != word[i]) return false;
    }
    return true;
  };
  return starts_with("nan") || starts_with("inf");
}

// The reason for a scalar simdjson could not read: NaN/Infinity and out-of-range numbers by
// name, anything else as simdjson's error.
std::string DescribeBadScalar(simdjson::error_code code, std::string_view token) {
  token = TrimRight(token);
  if (IsNonFiniteLiteral(token)) {
    return "NaN and Infinity are not JSON numbers (found " + SafeExcerpt(token, 20) + ")";
  }
  if ((code == simdjson::NUMBER_ERROR || code == simdjson::INCORRECT_TYPE) && IsJsonNumber(token)) {
    return "number out of range (found " + SafeExcerpt(token, 40) + ")";
  }
  return DescribeJsonError(code);
}

}  // namespace

struct RecordParser::Impl {
  od::parser parser;
  // Checks the values of unknown fields, which On-Demand skips unchecked (see CheckSkipped).
  // Sized on first use; most records have no unknown field.
  simdjson::dom::parser validator;
  std::array<FieldValue, kMaxFields> values{};
  std::array<bool, kMaxFields> seen{};

  // Parses one JSON object into `values`; returns an empty string on success or the reason.
  std::string ParseObject(const char* data, size_t size, size_t capacity, const TableSchema& schema,
                          std::span<const FieldSpec> fields) {
    std::string reason = ParseObjectFields(data, size, capacity, schema, fields);
    // simdjson calls a raw NUL byte an unescaped control character, or a broken document when
    // it stands outside a string (the zero-filled tail a crashed writer leaves). Name it.
    if (!reason.empty() && reason.find("malformed JSON") != std::string::npos &&
        std::memchr(data, '\0', size) != nullptr) {
      return "malformed JSON: a NUL byte (0x00) in the text, which JSON does not allow";
    }
    return reason;
  }

  std::string ParseObjectFields(const char* data, size_t size, size_t capacity,
                                const TableSchema& schema, std::span<const FieldSpec> fields) {
    const size_t nfields = fields.size();
    for (size_t i = 0; i < nfields; ++i) {
      values[i] = FieldValue::Null();
      seen[i] = false;
    }
    if (std::string_view(data, size).starts_with(kBom)) {
      return "a UTF-8 byte order mark (BOM) in the middle of the file; only the first line "
             "of a file may start with one (were files joined?)";
    }
    od::document doc;
    simdjson::error_code err = parser.iterate(data, size, capacity).get(doc);
    if (err) return DescribeJsonError(err);
    od::json_type top;
    if ((err = doc.type().get(top))) return DescribeJsonError(err);
    if (top != od::json_type::object) {
      return "expected a JSON object, found " + std::string(JsonTypeName(top));
    }
    od::object obj;
    if ((err = doc.get_object().get(obj))) return DescribeJsonError(err);
    size_t hint = 0;  // fields usually arrive in the documented order
    for (auto field_result : obj) {
      od::field field;
      if ((err = std::move(field_result).get(field))) return DescribeJsonError(err);
      std::string_view key;
      if ((err = field.unescaped_key().get(key))) return DescribeJsonError(err);
      size_t index = nfields;
      if (hint < nfields && fields[hint].json_key == key) {
        index = hint;
      } else {
        for (size_t i = 0; i < nfields; ++i) {
          if (fields[i].json_key == key) {
            index = i;
            break;
          }
        }
      }
      if (index == nfields) {  // unknown keys are ignored (SPEC section 1), if well-formed
        std::string reason = CheckSkipped(field.value());
        if (!reason.empty()) return "field \"" + SafeExcerpt(key, 40) + "\": " + reason;
        continue;
      }
      hint = index + 1;
      if (seen[index]) return "duplicate key \"" + std::string(key) + "\"";
      seen[index] = true;
      std::string reason = ParseValue(field.value(), schema.columns[index].type, values[index]);
      if (!reason.empty())
        return "field \"" + std::string(fields[index].json_key) + "\": " + reason;
    }
    // At the end of the input current_location() reports OUT_OF_BOUNDS; anything else means
    // more content follows the object ("{...} x", or a second object).
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      return "unexpected content after the JSON object";
    }
    for (size_t i = 0; i < nfields; ++i) {
      if (fields[i].required && values[i].kind == FieldValue::Kind::kNull) {
        return "required field \"" + std::string(fields[i].json_key) + "\" is " +
               (seen[i] ? "null" : "missing");
      }
    }
    return {};
  }

  // The value of an unknown field, checked for well-formedness: On-Demand skips what it is not
  // asked for by counting brackets (simdjson 3.0.1, json_iterator::skip_child), so junk such
  // as [1,,2] or [1,2} would load unnoticed. Malformed JSON rejects a record wherever it is;
  // the DOM parser validates the value's text fully (strings, numbers, literals, nesting up to
  // simdjson::DEFAULT_MAX_DEPTH levels) without recursion.
  std::string CheckSkipped(od::value value) {
    od::json_type t;
    simdjson::error_code err = value.type().get(t);
    if (err) return DescribeBadScalar(err, value.raw_json_token());
    std::string_view text;
    if (t == od::json_type::array) {
      od::array array;
      if ((err = value.get_array().get(array)) || (err = array.raw_json().get(text))) {
        return DescribeJsonError(err);
      }
    } else if (t == od::json_type::object) {
      od::object object;
      if ((err = value.get_object().get(object)) || (err = object.raw_json().get(text))) {
        return DescribeJsonError(err);
      }
    } else {
      text = TrimRight(value.raw_json_token());
    }
    simdjson::dom::element ignored;
    if ((err = validator.parse(text.data(), text.size()).get(ignored))) {
      if (t != od::json_type::array && t != od::json_type::object) {
        return DescribeBadScalar(err, text);
      }
      return DescribeJsonError(err);
    }
    return {};
  }

  static std::string ParseValue(od::value value, ColumnType type, FieldValue& out) {
    od::json_type t;
    simdjson::error_code err = value.type().get(t);
    if (err) return DescribeBadScalar(err, value.raw_json_token());
    if (t == od::json_type::null) {
      // is_null() also validates the literal ("nul" is not null).
      bool is_null = false;
      if ((err = value.is_null().get(is_null)) || !is_null) {
        return DescribeBadScalar(err ? err : simdjson::N_ATOM_ERROR, value.raw_json_token());
      }
      out = FieldValue::Null();
      return {};
    }
    switch (type) {
      case ColumnType::kText:
        if (t == od::json_type::string) {
          std::string_view s;
          if ((err = value.get_string().get(s))) return DescribeJsonError(err);
          // PostgreSQL text cannot hold NUL, and silently cutting or dropping it would change
          // the data, so a "\u0000" rejects the record on every engine alike (issue #4).
          if (s.find('\0') != std::string_view::npos) {
            return "contains a NUL character (\\u0000), which text columns cannot store";
          }
          out = FieldValue::Text(s);
          return {};
        }
        if (t == od::json_type::number) {
          std::string_view token = TrimRight(value.raw_json_token());
          if (!IsJsonNumber(token)) return DescribeBadScalar(simdjson::NUMBER_ERROR, token);
          out = FieldValue::Text(token);  // e.g. an artist_name of 112 is kept as "112"
          return {};
        }
        return "expected a string, found " + std::string(JsonTypeName(t));
      case ColumnType::kBigInt: {
        if (t == od::json_type::number) {
          od::number number;
          if ((err = value.get_number().get(number))) {
            return DescribeBadScalar(err, value.raw_json_token());
          }
          int64_t v = 0;
          switch (number.get_number_type()) {
            case od::number_type::signed_integer:
              out = FieldValue::Int(number.get_int64());
              return {};
            case od::number_type::unsigned_integer:
              return "integer out of range";
            default:
              if (!IntegralDouble(number.get_double(), v))
                return "expected an integer, found " +
                       std::string(TrimRight(value.raw_json_token()));
              out = FieldValue::Int(v);
              return {};
          }
        }
        if (t == od::json_type::string) {
          std::string_view s;
          if ((err = value.get_string().get(s))) return DescribeJsonError(err);
          int64_t v = 0;
          auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
          if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
            return "expected an integer, found the string \"" + SafeExcerpt(s, 40) + "\"";
          }
          out = FieldValue::Int(v);  // "sessionId": "140" converts, as Redshift's COPY does
          return {};
        }
        return "expected an integer, found " + std::string(JsonTypeName(t));
      }
      case ColumnType::kTimestamp:
        return "timestamp fields are not parsed from JSON";
      case ColumnType::kDouble: {
        if (t == od::json_type::number) {
          double d = 0;
          if ((err = value.get_double().get(d))) {
            return DescribeBadScalar(err, value.raw_json_token());
          }
          out = FieldValue::Double(d);
          return {};
        }
        if (t == od::json_type::string) {
          std::string_view s;
          if ((err = value.get_string().get(s))) return DescribeJsonError(err);
          double d = 0;
          if (!IsJsonNumber(s)) {
            return "expected a number, found the string \"" + SafeExcerpt(s, 40) + "\"";
          }
          std::from_chars(s.data(), s.data() + s.size(), d);
          if (!std::isfinite(d)) return "number out of range";
          out = FieldValue::Double(d);
          return {};
        }
        return "expected a number, found " + std::string(JsonTypeName(t));
      }
    }
    return "unsupported column type";
  }
};

RecordParser::RecordParser() : impl_(std::make_unique<Impl>()) {}
RecordParser::~RecordParser() = default;

ParseCounts RecordParser::ParseEventLines(std::string_view file, uint64_t file_index,
                                          const char* data, size_t size, size_t capacity,
                                          uint64_t first_line, uint64_t first_offset,
                                          RecordSink& out, LoadErrorSink& errors) {
  const TableSchema& schema = StagingEventsSchema();
  std::span<const FieldSpec> fields = EventFields();
  ParseCounts counts;
  size_t pos = 0;
  uint64_t line_no = first_line;
  if (first_offset == 0 && size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3;
  while (pos < size) {
    const char* line = data + pos;
    const void* nl = std::memchr(line, '\n', size - pos);
    size_t line_len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - line) : size - pos;
    size_t next = pos + line_len + (nl ? 1 : 0);
    size_t len = line_len;
    if (len > 0 && line[len - 1] == '\r') --len;
    bool blank = true;
    for (size_t i = 0; i < len && blank; ++i) {
      blank = line[i] == ' ' || line[i] == '\t' || line[i] == '\r';
    }
    if (!blank) {
      std::string reason = impl_->ParseObject(line, len, capacity - pos, schema, fields);
      if (reason.empty()) {
        impl_->values[fields.size()] =
            FieldValue::Int(static_cast<int64_t>((file_index << 32) | line_no));
        out.Accept(std::span<const FieldValue>(impl_->values.data(), fields.size() + 1));
        ++counts.rows;
      } else {
        errors.Report(LoadError{schema.name, std::string(file), line_no, first_offset + pos,
                                std::move(reason), SafeExcerpt(std::string_view(line, len))});
        ++counts.errors;
      }
    }
    pos = next;
    ++line_no;
  }
  counts.lines = line_no - first_line;
  return counts;
}

namespace {

// The ColumnBatch overloads' sink: each record appended to the batch.
class AppendToBatch final : public RecordSink {
 public:
  explicit AppendToBatch(ColumnBatch& batch) : batch_(batch) {}
  void Accept(std::span<const FieldValue> record) override { batch_.AppendRow(record); }

 private:
  ColumnBatch& batch_;
};

}  // namespace

ParseCounts RecordParser::ParseEventLines(std::string_view file, uint64_t file_index,
                                          const char* data, size_t size, size_t capacity,
                                          uint64_t first_line, uint64_t first_offset,
                                          ColumnBatch& out, LoadErrorSink& errors) {
  AppendToBatch sink(out);
  return ParseEventLines(file, file_index, data, size, capacity, first_line, first_offset, sink,
                         errors);
}

ParseCounts RecordParser::ParseSongFile(std::string_view file, const char* data, size_t size,
                                        size_t capacity, ColumnBatch& out, LoadErrorSink& errors) {
  AppendToBatch sink(out);
  return ParseSongFile(file, data, size, capacity, sink, errors);
}

ParseCounts RecordParser::ParseSongFile(std::string_view file, const char* data, size_t size,
                                        size_t capacity, RecordSink& out, LoadErrorSink& errors) {
  const TableSchema& schema = StagingSongsSchema();
  std::span<const FieldSpec> fields = SongFields();
  ParseCounts counts;
  size_t start = 0;
  if (size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) start = 3;
  std::string_view body(data + start, size - start);
  std::string reason;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    reason = "empty file: expected one JSON object";
  } else {
    reason = impl_->ParseObject(data + start, size - start, capacity - start, schema, fields);
    if (reason == "unexpected content after the JSON object") {
      reason = "expected exactly one JSON object, found more content after it";
    }
  }
  if (reason.empty()) {
    out.Accept(std::span<const FieldValue>(impl_->values.data(), fields.size()));
    ++counts.rows;
  } else {
    errors.Report(
        LoadError{schema.name, std::string(file), 1, 0, std::move(reason), SafeExcerpt(body)});
    ++counts.errors;
  }
  return counts;
}

}  // namespace sparkify::parse
