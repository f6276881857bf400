#include "sparkify/common/utf8.hpp"

namespace sparkify {

DecodedCodePoint DecodeUtf8(std::string_view s, size_t pos) {
  const auto lead = static_cast<unsigned char>(s[pos]);
  const DecodedCodePoint invalid{0, 1, false};
  if (lead < 0x80) return {lead, 1, true};
  size_t length = 0;
  char32_t code_point = 0;
  char32_t min_code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1Fu;
    min_code_point = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0Fu;
    min_code_point = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07u;
    min_code_point = 0x10000;
  } else {
    return invalid;
  }
  if (s.size() - pos < length) return invalid;
  for (size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(s[pos + i]);
    if ((next & 0xC0u) != 0x80u) return invalid;
    code_point = (code_point << 6) | (next & 0x3Fu);
  }
  if (code_point < min_code_point || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return invalid;
  }
  return {code_point, length, true};
}

}  // namespace sparkify
