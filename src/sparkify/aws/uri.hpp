// URL pieces for AWS requests: percent-encoding exactly as SigV4 and S3 want it, form bodies
// for the Query APIs (IAM, Redshift, EC2), and endpoint URLs. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sparkify/common/error.hpp"

namespace sparkify::aws {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 encoding as SigV4 defines it: every byte except A-Z a-z 0-9 '-' '_' '.' '~' becomes
// %XX with upper-case hex; with `keep_slash`, '/' also stays (for paths). A space is %20,
// never '+'. UTF-8 is encoded byte by byte.
std::string UriEncode(std::string_view text, bool keep_slash = false);

// Decodes %XX escapes; with `plus_is_space` a '+' becomes ' ' (form and S3 "encoding-type=url"
// values). A '%' not followed by two hex digits is kept as it is.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

// "k1=v1&k2=v2" with UriEncode'd keys and values, in the given order.
std::string EncodeQuery(const QueryParams& params);

// An application/x-www-form-urlencoded body as botocore writes Query-API requests (Python's
// urlencode): UriEncode, except that a space is '+'. Parameter order is kept; it matters
// because the body's hash is signed.
std::string FormEncode(const QueryParams& params);

struct Url {
  std::string scheme;  // "http" or "https", lower-case
  std::string host;    // host name or IP; IPv6 keeps its brackets ("[::1]")
  int port = 0;        // explicit or the scheme's default (80, 443)
  std::string path;    // "" or a path starting with '/', as given (already encoded)

  bool default_port() const { return port == (scheme == "https" ? 443 : 80); }
  // What the Host header carries: "host" or "host:port" when the port is not the default.
  std::string Authority() const;
};

// Parses an endpoint URL "http[s]://host[:port][/path]". Query strings, fragments and user
// info are rejected (kInvalidArgument), as is any other scheme, and a host holding a blank, a
// control character, or a ':' outside an IPv6 literal's brackets.
Result<Url> ParseUrl(std::string_view text);

}  // namespace sparkify::aws
