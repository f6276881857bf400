// Content checksums for the load manifest: XXH3-64 (xxHash), 16 lowercase hex digits. Not a
// cryptographic hash: it tells a changed file from an unchanged one, at memory speed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "sparkify/common/error.hpp"
#include "sparkify/source/source.hpp"

namespace sparkify::source {

// One file's checksum as a value, or none (a file that could not be read): 16 bytes in place,
// where its hex string took ~50 with the heap. A run holds one per staged file to its end.
class Checksum {
 public:
  Checksum() = default;
  explicit Checksum(uint64_t digest) : digest_(digest), set_(true) {}
  bool empty() const { return !set_; }
  // 16 lowercase hex digits, as ContentHash::Hex; "" when empty.
  std::string Hex() const;
  friend bool operator==(const Checksum&, const Checksum&) = default;

 private:
  uint64_t digest_ = 0;
  bool set_ = false;
};

// Streaming: Update with consecutive pieces of a file, then Hex. Equal content, equal digest,
// however the content was split.
class ContentHash {
 public:
  ContentHash();
  ~ContentHash();
  ContentHash(const ContentHash&) = delete;
  ContentHash& operator=(const ContentHash&) = delete;

  void Reset();
  void Update(const char* data, size_t size);
  std::string Hex() const;
  Checksum Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The checksum of `file`'s whole content, read through `source`.
Result<std::string> ChecksumOf(Source& source, const SourceFile& file);

}  // namespace sparkify::source
