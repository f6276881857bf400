#include "sparkify/aws/sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <vector>

namespace sparkify::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string_view AsView(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Trims and turns every run of whitespace (folded lines included) into one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (unsigned char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += static_cast<char>(c);
  }
  return out;
}

// RFC 3986 remove_dot_segments plus collapsing empty segments, keeping a trailing slash.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  for (std::string_view seg : segments) {
    out += '/';
    out += seg;
  }
  bool trailing = path.ends_with('/') && !segments.empty();
  if (trailing) out += '/';
  if (out.empty()) out = "/";
  return out;
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" per header, sorted
  std::string signed_names;  // "a;b;c"
};

CanonicalHeaders Canonicalize(const HttpRequest& request) {
  // Duplicate names are joined with ',' in their original order (not sorted by value).
  std::map<std::string, std::string> by_name;
  by_name["host"] = request.host;
  for (const auto& [name, value] : request.headers) {
    std::string key = Lower(name);
    std::string v = CanonicalHeaderValue(value);
    auto [it, inserted] = by_name.emplace(key, v);
    if (!inserted) it->second += "," + v;
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : by_name) {
    out.block += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += name;
  }
  return out;
}

std::string PayloadHash(const HttpRequest& request, const SigningParams& params) {
  if (params.payload == PayloadSigning::kUnsignedPayload) return std::string(kUnsignedPayloadHash);
  return Sha256Hex(request.body);
}

std::string Scope(std::string_view date, const SigningParams& params) {
  return std::string(date) + "/" + params.region + "/" + params.service + "/aws4_request";
}

Signature Finish(const HttpRequest& request, const Credentials& credentials,
                 const SigningParams& params, const std::string& amz_date,
                 const CanonicalHeaders& headers, const std::string& payload_hash) {
  Signature sig;
  sig.canonical_request =
      request.method + "\n" +
      CanonicalUri(request.path, params.normalize_path, params.double_uri_encode) + "\n" +
      CanonicalQuery(request.query) + "\n" + headers.block + "\n" + headers.signed_names + "\n" +
      payload_hash;
  std::string date = amz_date.substr(0, 8);
  sig.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + Scope(date, params) +
                       "\n" + Sha256Hex(sig.canonical_request);
  Digest key = SigningKey(credentials.secret_access_key, date, params.region, params.service);
  sig.signature = HexEncode(HmacSha256(AsView(key), sig.string_to_sign));
  return sig;
}

}  // namespace

SigningParams S3SigningParams(std::string region, std::chrono::system_clock::time_point time,
                              PayloadSigning payload) {
  SigningParams p;
  p.service = "s3";
  p.region = std::move(region);
  p.time = time;
  p.payload = payload;
  p.normalize_path = false;
  p.double_uri_encode = false;
  return p;
}

std::string FormatAmzDate(std::chrono::system_clock::time_point time) {
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

std::string CanonicalUri(std::string_view path, bool normalize, bool double_encode) {
  std::string p = path.empty() ? std::string("/") : std::string(path);
  if (normalize) p = NormalizePath(p);
  return double_encode ? UriEncode(p, /*keep_slash=*/true) : p;
}

std::string CanonicalQuery(const QueryParams& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [key, value] : query) encoded.emplace_back(UriEncode(key), UriEncode(value));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [key, value] : encoded) {
    if (!out.empty()) out += '&';
    out += key + "=" + value;
  }
  return out;
}

Digest SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service) {
  std::string k_secret = "AWS4" + std::string(secret);
  Digest k_date = HmacSha256(k_secret, date);
  Digest k_region = HmacSha256(AsView(k_date), region);
  Digest k_service = HmacSha256(AsView(k_region), service);
  return HmacSha256(AsView(k_service), "aws4_request");
}

Signature SignRequest(HttpRequest& request, const Credentials& credentials,
                      const SigningParams& params) {
  const std::string amz_date = FormatAmzDate(params.time);
  RemoveHeader(request.headers, "Authorization");
  RemoveHeader(request.headers, "X-Amz-Security-Token");
  SetHeader(request.headers, "X-Amz-Date", amz_date);
  std::string payload_hash = PayloadHash(request, params);
  if (params.payload != PayloadSigning::kHashOnly) {
    SetHeader(request.headers, "x-amz-content-sha256", payload_hash);
  }
  const bool has_token = !credentials.session_token.empty();
  if (has_token && params.sign_session_token) {
    SetHeader(request.headers, "X-Amz-Security-Token", credentials.session_token);
  }
  CanonicalHeaders headers = Canonicalize(request);
  Signature sig = Finish(request, credentials, params, amz_date, headers, payload_hash);
  sig.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      Scope(amz_date.substr(0, 8), params) +
                      ", SignedHeaders=" + headers.signed_names + ", Signature=" + sig.signature;
  if (has_token && !params.sign_session_token) {
    SetHeader(request.headers, "X-Amz-Security-Token", credentials.session_token);
  }
  SetHeader(request.headers, "Authorization", sig.authorization);
  return sig;
}

Signature PresignRequest(HttpRequest& request, const Credentials& credentials,
                         const SigningParams& params, std::chrono::seconds expires) {
  const std::string amz_date = FormatAmzDate(params.time);
  CanonicalHeaders headers = Canonicalize(request);
  const bool has_token = !credentials.session_token.empty();
  request.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  request.query.emplace_back(
      "X-Amz-Credential", credentials.access_key_id + "/" + Scope(amz_date.substr(0, 8), params));
  request.query.emplace_back("X-Amz-Date", amz_date);
  request.query.emplace_back("X-Amz-SignedHeaders", headers.signed_names);
  request.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  if (has_token && params.sign_session_token) {
    request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  Signature sig =
      Finish(request, credentials, params, amz_date, headers, PayloadHash(request, params));
  if (has_token && !params.sign_session_token) {
    request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  request.query.emplace_back("X-Amz-Signature", sig.signature);
  return sig;
}

}  // namespace sparkify::aws
