// libFuzzer target: SigV4 canonical requests and signatures (aws/sigv4.hpp) and the URL pieces
// they are built from (aws/uri.hpp), on requests made of arbitrary bytes.
//
// Input layout (the seeds in fuzz/corpus/sigv4/ follow it):
//   byte 0      switches: bits 0-1 payload signing, 2 normalise path, 3 double-encode,
//               4 sign the session token, 5 credentials carry a session token
//   bytes 1-4   signing time (seconds after 2000-01-01, little-endian)
//   then lines  method \n path \n query \n header lines "name:value"; after the first empty
//               header line, the body
// The query line is "k=v&k=v" taken raw (no decoding), so keys and values hold any byte.
// Header names are HTTP tokens: lines whose name is not one are skipped, as no transport could
// send them.
//
// Invariants checked besides "no crash, no UB": the canonical request has its documented
// shape; the canonical query lists every parameter, encoded and sorted; signed header names are
// sorted, unique and lower case; header values are trimmed with runs of blanks folded; the
// string to sign ends with the canonical request's hash; signing is deterministic and a signed
// request signs the same again (a retry); a presigned URL ends with its signature; encoding
// round-trips; an endpoint URL that parses re-parses from its own parts.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/aws/sigv4.hpp"
#include "sparkify/aws/uri.hpp"

namespace {

using sparkify::aws::HttpRequest;
using sparkify::aws::QueryParams;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == s.npos ? s.npos : at - start));
    if (at == s.npos) return out;
    start = at + 1;
  }
}

// RFC 9110 token characters.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::strchr("\"(),/:;<=>?@[\\]{}", c) != nullptr) return false;
  }
  return true;
}

bool IsEncoded(std::string_view s, bool allow_slash) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') continue;
    if (allow_slash && c == '/') continue;
    if (c != '%' || i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return false;
    }
    if (std::islower(static_cast<unsigned char>(s[i + 1])) ||
        std::islower(static_cast<unsigned char>(s[i + 2]))) {
      return false;  // upper-case hex only
    }
    i += 2;
  }
  return true;
}

bool IsLowerHex(std::string_view s, size_t size) {
  return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void CheckCanonicalRequest(const sparkify::aws::Signature& sig, const HttpRequest& request,
                           const sparkify::aws::SigningParams& params) {
  std::vector<std::string_view> lines = Split(sig.canonical_request, '\n');
  // method, uri, query, >= 1 header (host), "", signed names, payload hash
  Check(lines.size() >= 7);
  Check(lines[0] == request.method);
  const std::string_view uri = lines[1];
  if (params.normalize_path) {
    Check(uri.starts_with("/"));
    Check(uri.find("//") == uri.npos);
  }
  if (params.double_uri_encode) Check(IsEncoded(uri, /*allow_slash=*/true));

  // The query: every parameter once, encoded, sorted by key then value.
  const std::string_view query = lines[2];
  Check(query == sparkify::aws::CanonicalQuery(request.query));
  if (request.query.empty()) {
    Check(query.empty());
  } else {
    std::vector<std::string_view> pairs = Split(query, '&');
    Check(pairs.size() == request.query.size());
    std::vector<std::pair<std::string, std::string>> decoded;
    std::pair<std::string_view, std::string_view> previous;
    for (size_t i = 0; i < pairs.size(); ++i) {
      size_t eq = pairs[i].find('=');
      Check(eq != pairs[i].npos);
      std::pair<std::string_view, std::string_view> kv{pairs[i].substr(0, eq),
                                                       pairs[i].substr(eq + 1)};
      Check(IsEncoded(kv.first, false) && IsEncoded(kv.second, false));
      if (i > 0) Check(previous <= kv);
      previous = kv;
      decoded.emplace_back(sparkify::aws::PercentDecode(kv.first),
                           sparkify::aws::PercentDecode(kv.second));
    }
    QueryParams original = request.query;
    std::sort(original.begin(), original.end());
    std::sort(decoded.begin(), decoded.end());
    Check(decoded == original);
  }

  // Headers: "name:value" lines, then an empty line, the signed names and the payload hash.
  const size_t blank = lines.size() - 3;
  Check(lines[blank].empty());
  std::vector<std::string_view> names = Split(lines[blank + 1], ';');
  Check(names.size() == blank - 3);
  for (size_t i = 0; i < names.size(); ++i) {
    std::string_view line = lines[3 + i];
    Check(line.starts_with(names[i]) && line.size() > names[i].size() &&
          line[names[i].size()] == ':');
    std::string_view value = line.substr(names[i].size() + 1);
    Check(value.find_first_of("\t\r\n") == value.npos);
    Check(value.find("  ") == value.npos);
    Check(!value.starts_with(" ") && !value.ends_with(" "));
    Check(std::none_of(names[i].begin(), names[i].end(),
                       [](char c) { return c >= 'A' && c <= 'Z'; }));
    if (i > 0) Check(names[i - 1] < names[i]);  // sorted, each name once
  }
  auto signs = [&](std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  Check(signs("host"));
  const std::string_view hash = lines.back();
  if (params.payload == sparkify::aws::PayloadSigning::kUnsignedPayload) {
    Check(hash == sparkify::aws::kUnsignedPayloadHash);
  } else {
    Check(hash == sparkify::aws::Sha256Hex(request.body));
  }

  // The string to sign: algorithm, date, scope, hash of the canonical request.
  std::vector<std::string_view> sts = Split(sig.string_to_sign, '\n');
  Check(sts.size() == 4);
  Check(sts[0] == "AWS4-HMAC-SHA256");
  Check(sts[3] == sparkify::aws::Sha256Hex(sig.canonical_request));
  Check(IsLowerHex(sig.signature, 64));
}

void CheckUrl(std::string_view text) {
  auto url = sparkify::aws::ParseUrl(text);
  if (!url.ok()) return;
  Check(url->scheme == "http" || url->scheme == "https");
  Check(url->port >= 1 && url->port <= 65535);
  auto again = sparkify::aws::ParseUrl(url->scheme + "://" + url->Authority() + url->path);
  Check(again.ok());
  Check(again->scheme == url->scheme && again->host == url->host && again->port == url->port &&
        again->path == url->path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const uint8_t flags = data[0];
  uint32_t seconds = 0;
  std::memcpy(&seconds, data + 1, 4);
  const std::string_view text(reinterpret_cast<const char*>(data + 5), size - 5);

  sparkify::aws::SigningParams params;
  params.service = "service";
  params.region = "us-east-1";
  params.time = std::chrono::system_clock::from_time_t(946684800) + std::chrono::seconds(seconds);
  params.payload = static_cast<sparkify::aws::PayloadSigning>((flags & 3) % 3);
  params.normalize_path = (flags & 4) != 0;
  params.double_uri_encode = (flags & 8) != 0;
  params.sign_session_token = (flags & 16) != 0;
  sparkify::aws::Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         (flags & 32) != 0 ? "session-token" : "", "fuzz"};

  HttpRequest request;
  request.host = "example.amazonaws.com";
  size_t pos = 0;
  bool more = true;
  auto next_line = [&]() {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == text.npos ? text.npos : nl - pos);
    more = nl != text.npos;
    pos = more ? nl + 1 : text.size();
    return line;
  };
  request.method = std::string(next_line());
  if (more) request.path = std::string(next_line());
  std::string_view query = more ? next_line() : std::string_view();
  if (!query.empty()) {
    for (std::string_view pair : Split(query, '&')) {
      size_t eq = pair.find('=');
      request.query.emplace_back(std::string(pair.substr(0, eq)),
                                 eq == pair.npos ? "" : std::string(pair.substr(eq + 1)));
    }
  }
  while (more) {
    std::string_view line = next_line();
    if (line.empty()) {  // the body follows the first empty line
      request.body = std::string(text.substr(pos));
      break;
    }
    size_t colon = line.find(':');
    if (colon == line.npos || !IsToken(line.substr(0, colon))) continue;
    request.headers.emplace_back(std::string(line.substr(0, colon)),
                                 std::string(line.substr(colon + 1)));
  }
  const std::string_view head = text.substr(0, text.find('\n'));

  // Encoding round-trips, for the path and every parameter.
  Check(sparkify::aws::PercentDecode(sparkify::aws::UriEncode(request.path)) == request.path);
  Check(sparkify::aws::PercentDecode(sparkify::aws::UriEncode(request.path, true)) == request.path);
  for (const auto& [key, value] : request.query) {
    QueryParams one{{key, value}};
    std::string form = sparkify::aws::FormEncode(one);
    size_t eq = form.find('=');
    Check(eq != form.npos && form.find('=', eq + 1) == form.npos);
    Check(sparkify::aws::PercentDecode(form.substr(0, eq), true) == key);
    Check(sparkify::aws::PercentDecode(form.substr(eq + 1), true) == value);
  }
  CheckUrl(request.path);
  CheckUrl(head);
  CheckUrl(request.method + "://" + request.path);

  // Header signing: shape, determinism, and a retry re-signs to the same result.
  HttpRequest first = request;
  sparkify::aws::Signature a = sparkify::aws::SignRequest(first, credentials, params);
  CheckCanonicalRequest(a, first, params);
  Check(a.canonical_request.find("\nx-amz-date:") != std::string::npos);
  Check(a.authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
  Check(a.authorization.ends_with(", Signature=" + a.signature));
  HttpRequest second = request;
  sparkify::aws::Signature b = sparkify::aws::SignRequest(second, credentials, params);
  Check(a.canonical_request == b.canonical_request && a.signature == b.signature);
  Check(first.headers == second.headers);
  HttpRequest retried = first;
  sparkify::aws::Signature c = sparkify::aws::SignRequest(retried, credentials, params);
  Check(c.canonical_request == a.canonical_request && c.signature == a.signature);
  Check(retried.headers == first.headers);

  // Query-string signing.
  HttpRequest presigned = request;
  sparkify::aws::Signature p =
      sparkify::aws::PresignRequest(presigned, credentials, params, std::chrono::seconds(900));
  CheckCanonicalRequest(
      p,
      HttpRequest{
          presigned.method, presigned.scheme, presigned.host, presigned.path,
          QueryParams(presigned.query.begin(),
                      presigned.query.end() - 1 - ((flags & 32) && !params.sign_session_token)),
          presigned.headers, presigned.body},
      params);
  Check(!presigned.query.empty() && presigned.query.back().first == "X-Amz-Signature" &&
        presigned.query.back().second == p.signature);
  HttpRequest presigned_again = request;
  Check(
      sparkify::aws::PresignRequest(presigned_again, credentials, params, std::chrono::seconds(900))
          .signature == p.signature);
  return 0;
}
