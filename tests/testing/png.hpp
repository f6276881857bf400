// Reads the PNG files headless Chromium writes (8-bit RGB or RGBA, not interlaced) into
// pixels, so tests can look at a screenshot: its size from the IHDR chunk, its colours from
// the zlib-compressed, filtered IDAT data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sparkify::testing {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

struct Png {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<Rgb> pixels;  // row-major, width * height (alpha dropped)
  Rgb at(uint32_t x, uint32_t y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

// Empty `error` on success; otherwise what is wrong with the file.
Png ReadPng(const std::string& path, std::string& error);

}  // namespace sparkify::testing
