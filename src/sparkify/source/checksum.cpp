#include "sparkify/source/checksum.hpp"

#include <xxhash.h>

#include <cstdio>
#include <vector>

namespace sparkify::source {

struct ContentHash::State {
  XXH3_state_t* xxh = XXH3_createState();
  ~State() { XXH3_freeState(xxh); }
};

ContentHash::ContentHash() : state_(std::make_unique<State>()) { Reset(); }
ContentHash::~ContentHash() = default;

void ContentHash::Reset() { XXH3_64bits_reset(state_->xxh); }

void ContentHash::Update(const char* data, size_t size) {
  if (size > 0) XXH3_64bits_update(state_->xxh, data, size);
}

std::string Checksum::Hex() const {
  if (!set_) return {};
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(digest_));
  return out;
}

Checksum ContentHash::Digest() const { return Checksum(XXH3_64bits_digest(state_->xxh)); }

std::string ContentHash::Hex() const { return Digest().Hex(); }

Result<std::string> ChecksumOf(Source& source, const SourceFile& file) {
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<ByteStream> stream, source.Open(file));
  ContentHash hash;
  std::vector<char> buffer(1 << 20);
  for (;;) {
    SPARKIFY_ASSIGN_OR_RETURN(size_t n, stream->Read(buffer.data(), buffer.size()));
    if (n == 0) break;
    hash.Update(buffer.data(), n);
  }
  return hash.Hex();
}

}  // namespace sparkify::source
