// The hashes SigV4 needs, on OpenSSL: SHA-256 and HMAC-SHA256.
//
// OpenSSL stays out of this header (only aws/*.cpp include it). The one-shot EVP_Digest and
// HMAC calls allocate and free their contexts internally. Every function is pure and
// thread-safe; failures inside OpenSSL (which do not happen for these algorithms short of a
// broken installation) abort via assert in debug builds and yield an all-zero digest in
// release builds, which a server then rejects as a bad signature rather than crashing.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sparkify::aws {

using Digest = std::array<uint8_t, 32>;

Digest Sha256(std::string_view data);
Digest HmacSha256(std::string_view key, std::string_view data);

// Lower-case hex of any byte string.
std::string HexEncode(std::string_view bytes);
std::string HexEncode(const Digest& digest);

// Lower-case hex SHA-256 of `data` (the SigV4 payload hash).
std::string Sha256Hex(std::string_view data);

// `n` bytes from OpenSSL's CSPRNG (RAND_bytes); false when it cannot provide them.
bool RandomBytes(uint8_t* out, size_t n);

}  // namespace sparkify::aws
