#include "sparkify/analytics/html.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <vector>

#include "sparkify/common/utf8.hpp"

namespace sparkify::analytics {

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t pos = 0; pos < text.size();) {
    const DecodedCodePoint d = DecodeUtf8(text, pos);
    if (!d.valid) {
      out += kReplacementCharacter;
    } else {
      switch (d.code_point) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        case '\t':
        case '\n':
          out += static_cast<char>(d.code_point);
          break;
        default:
          if (d.code_point < 0x20 || (d.code_point >= 0x7F && d.code_point <= 0x9F) ||
              d.code_point == 0xFFFE || d.code_point == 0xFFFF) {
            out += kReplacementCharacter;
          } else {
            out.append(text.substr(pos, d.length));
          }
      }
    }
    pos += d.length;
  }
  return out;
}

std::string Shorten(std::string_view text, size_t max_code_points) {
  std::vector<size_t> starts;  // byte offset of each code point
  for (size_t pos = 0; pos < text.size(); pos += DecodeUtf8(text, pos).length) {
    starts.push_back(pos);
  }
  if (starts.size() <= max_code_points) return std::string(text);
  if (max_code_points == 0) return {};
  return std::string(text.substr(0, starts[max_code_points - 1])) + "\u2026";
}

namespace {

// "-1234567" -> "-1,234,567"; text that is not an optional '-' and digits is returned as is.
std::string GroupThousands(std::string_view digits) {
  const bool negative = !digits.empty() && digits.front() == '-';
  const std::string_view body = negative ? digits.substr(1) : digits;
  if (body.empty() || body.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::string(digits);
  }
  std::string out = negative ? "-" : "";
  for (size_t i = 0; i < body.size(); ++i) {
    if (i > 0 && (body.size() - i) % 3 == 0) out += ',';
    out += body[i];
  }
  return out;
}

}  // namespace

std::string DisplayValue(const engine::ResultValue& value, engine::ValueKind kind) {
  if (!value) return "NULL";
  const std::string& text = *value;
  switch (kind) {
    case engine::ValueKind::kInteger:
      return GroupThousands(text);
    case engine::ValueKind::kFloat: {
      double d = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(d)) return text;
      if (std::fabs(d) >= 1000) return GroupThousands(fmt::format("{:.0f}", d));
      return fmt::format("{:.4g}", d);
    }
    default:
      return text;
  }
}

std::string FormatPercent(double fraction) {
  const double percent = fraction * 100;
  if (percent == 0 || percent == 100) return fmt::format("{:.0f}%", percent);
  if (std::fabs(percent) < 0.1) return fmt::format("{:.2g}%", percent);
  // Just under 100% keeps enough digits not to read as 100% ("99.985%").
  const double rest = 100 - percent;
  if (rest > 0 && rest < 0.1) {
    const int decimals = static_cast<int>(std::ceil(-std::log10(rest))) + 1;
    return fmt::format("{:.{}f}%", percent, decimals);
  }
  return fmt::format("{:.1f}%", percent);
}

}  // namespace sparkify::analytics
