// Strict UTF-8 decoding, shared by every writer that must not pass broken text on (the table,
// JSON and HTML outputs).
#pragma once

#include <cstddef>
#include <string_view>

namespace sparkify {

struct DecodedCodePoint {
  char32_t code_point;  // meaningful only when `valid`
  size_t length;        // bytes consumed; always 1 for an invalid byte
  bool valid;
};

// Decodes the code point starting at s[pos] (pos < s.size()). Overlong forms, surrogates and
// values past U+10FFFF are rejected, and an invalid sequence consumes exactly one byte, so
// every stray byte is accounted for once.
DecodedCodePoint DecodeUtf8(std::string_view s, size_t pos);

// U+FFFD, what each invalid byte becomes.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

}  // namespace sparkify
