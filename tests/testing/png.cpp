#include "testing/png.hpp"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace sparkify::testing {
namespace {

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

int Paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

}  // namespace

Png ReadPng(const std::string& path, std::string& error) {
  Png png;
  std::ifstream in(path, std::ios::binary);
  const std::vector<unsigned char> file((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  static const unsigned char kSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (file.size() < 8 || std::memcmp(file.data(), kSignature, 8) != 0) {
    error = path + " is not a PNG file";
    return png;
  }
  size_t channels = 0;
  std::vector<unsigned char> compressed;
  for (size_t pos = 8; pos + 12 <= file.size();) {
    const uint32_t length = BigEndian32(&file[pos]);
    const std::string type(reinterpret_cast<const char*>(&file[pos + 4]), 4);
    const unsigned char* body = &file[pos + 8];
    if (pos + 12 + length > file.size()) {
      error = "truncated chunk " + type;
      return png;
    }
    if (type == "IHDR") {
      png.width = BigEndian32(body);
      png.height = BigEndian32(body + 4);
      const int depth = body[8], colour = body[9], interlace = body[12];
      if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0) {
        error = "unsupported PNG: depth " + std::to_string(depth) + ", colour type " +
                std::to_string(colour) + ", interlace " + std::to_string(interlace);
        return png;
      }
      channels = colour == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      compressed.insert(compressed.end(), body, body + length);
    } else if (type == "IEND") {
      break;
    }
    pos += 12 + length;
  }
  if (channels == 0) {
    error = "no IHDR chunk";
    return png;
  }
  const size_t stride = png.width * channels;
  std::vector<unsigned char> raw((stride + 1) * png.height);
  uLongf raw_size = static_cast<uLongf>(raw.size());
  if (uncompress(raw.data(), &raw_size, compressed.data(), static_cast<uLong>(compressed.size())) !=
          Z_OK ||
      raw_size != raw.size()) {
    error = "IDAT data does not inflate to " + std::to_string(raw.size()) + " bytes";
    return png;
  }
  std::vector<unsigned char> previous(stride, 0), line(stride);
  png.pixels.reserve(static_cast<size_t>(png.width) * png.height);
  for (uint32_t y = 0; y < png.height; ++y) {
    const unsigned char* row = &raw[y * (stride + 1)];
    const int filter = row[0];
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= channels ? line[i - channels] : 0;
      const int b = previous[i];
      const int c = i >= channels ? previous[i - channels] : 0;
      int predictor = 0;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) / 2;
          break;
        case 4:
          predictor = Paeth(a, b, c);
          break;
        default:
          error = "bad filter type " + std::to_string(filter) + " on row " + std::to_string(y);
          return png;
      }
      line[i] = static_cast<unsigned char>(row[1 + i] + predictor);
    }
    for (size_t x = 0; x < png.width; ++x) {
      png.pixels.push_back({line[x * channels], line[x * channels + 1], line[x * channels + 2]});
    }
    previous = line;
  }
  return png;
}

}  // namespace sparkify::testing
