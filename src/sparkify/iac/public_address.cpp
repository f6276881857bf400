#include "sparkify/iac/public_address.hpp"

#include <charconv>
#include <cstdlib>

#include "sparkify/aws/http_client.hpp"
#include "sparkify/aws/uri.hpp"

namespace sparkify::iac {
namespace {

// A decimal number in [0, max] with no sign, no leading zero (except "0"), at most 3 digits.
bool ParseSmall(std::string_view text, int max, int& out) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0 && out <= max;
}

bool IsIpv4(std::string_view text) {
  int parts = 0;
  while (true) {
    size_t dot = text.find('.');
    int octet = 0;
    if (!ParseSmall(text.substr(0, dot), 255, octet)) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  return parts == 4;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string CheckIpUrl() {
  const char* v = std::getenv("SPARKIFY_CHECKIP_URL");
  return v != nullptr && v[0] != '\0' ? std::string(v) : std::string(kDefaultCheckIpUrl);
}

Status ValidateCidr(std::string_view cidr) {
  size_t slash = cidr.find('/');
  std::string shown(cidr);
  if (slash == std::string_view::npos) {
    return Error::InvalidArgument("--cidr \"" + shown +
                                  "\" has no prefix length: write ADDRESS/BITS, e.g. " +
                                  "203.0.113.7/32 for one address");
  }
  if (!IsIpv4(cidr.substr(0, slash))) {
    return Error::InvalidArgument("--cidr \"" + shown +
                                  "\": the address is not an IPv4 address (four numbers 0-255 "
                                  "separated by dots; IPv6 ranges are not supported)");
  }
  int bits = 0;
  if (!ParseSmall(cidr.substr(slash + 1), 32, bits)) {
    return Error::InvalidArgument("--cidr \"" + shown + "\": the prefix length must be 0-32");
  }
  return Status::Ok();
}

bool OpensToEveryone(std::string_view cidr) { return cidr == "0.0.0.0/0"; }

Result<std::string> FindOwnCidr(const std::string& url, aws::HttpTransport& transport) {
  const std::string hint =
      "; pass --cidr YOUR.PUBLIC.IP/32 (or --cidr 0.0.0.0/0 to let everyone connect)";
  Result<aws::Url> parsed = aws::ParseUrl(url);
  if (!parsed.ok()) {
    return Error::InvalidArgument("checkip URL " + url + ": " + parsed.error().message());
  }
  aws::HttpRequest request;
  request.method = "GET";
  request.scheme = parsed->scheme;
  request.host = parsed->Authority();
  request.path = parsed->path.empty() ? "/" : parsed->path;
  Result<aws::HttpResponse> response = transport.Send(request);
  const std::string what = "cannot find your public IP address through " + url + ": ";
  if (!response.ok()) return Error::Unavailable(what + response.error().message() + hint);
  if (response->status < 200 || response->status >= 300) {
    return Error::Unavailable(what + "HTTP " + std::to_string(response->status) + hint);
  }
  std::string_view body = Trim(response->body);
  if (!IsIpv4(body)) {
    std::string shown(body.substr(0, 40));
    return Error::Unavailable(what + "the answer \"" + shown + "\" is not an IPv4 address" + hint);
  }
  return std::string(body) + "/32";
}

Result<std::string> FindOwnCidr(const std::string& url) {
  aws::HttpOptions options;
  options.connect_timeout = std::chrono::milliseconds(5000);
  options.read_timeout = std::chrono::milliseconds(10000);
  options.max_response_bytes = 4096;
  std::unique_ptr<aws::HttpTransport> transport = aws::MakeCurlTransport(options);
  return FindOwnCidr(url, *transport);
}

}  // namespace sparkify::iac
