// Content checksums for the load manifest: XXH3-64 (xxHash), 16 lowercase hex digits. Not a
// cryptographic hash: it tells a changed file from an unchanged one, at memory speed.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "sparkify/common/error.hpp"
#include "sparkify/source/source.hpp"

namespace sparkify::source {

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

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The checksum of `file`'s whole content, read through `source`.
Result<std::string> ChecksumOf(Source& source, const SourceFile& file);

}  // namespace sparkify::source
