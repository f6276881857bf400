#include "sparkify/aws/uri.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sparkify::aws {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Encode(std::string_view text, bool keep_slash, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (unsigned char c : text) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else if (space_as_plus && c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string JoinPairs(const QueryParams& params, bool space_as_plus) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += Encode(key, false, space_as_plus);
    out += '=';
    out += Encode(value, false, space_as_plus);
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  return Encode(text, keep_slash, false);
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

std::string EncodeQuery(const QueryParams& params) { return JoinPairs(params, false); }

std::string FormEncode(const QueryParams& params) { return JoinPairs(params, true); }

std::string Url::Authority() const {
  return default_port() ? host : host + ":" + std::to_string(port);
}

Result<Url> ParseUrl(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error::InvalidArgument("endpoint URL \"" + std::string(text) +
                                  "\": " + std::string(why));
  };
  Url url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos)
    return bad("expected http://HOST[:PORT] or https://HOST[:PORT]");
  url.scheme = std::string(text.substr(0, sep));
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (url.scheme != "http" && url.scheme != "https") return bad("the scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos)
    return bad("no query or fragment allowed");
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.path = std::string(rest.substr(slash));
  while (url.path.size() > 1 && url.path.back() == '/') url.path.pop_back();
  if (url.path == "/") url.path.clear();
  if (authority.find('@') != std::string_view::npos) return bad("no user name or password allowed");
  std::string_view port_text;
  if (authority.starts_with("[")) {  // IPv6 literal
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    url.host = std::string(authority.substr(0, close + 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("unexpected text after the host");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return bad("no host");
  // Found by fuzz/sigv4_fuzz.cpp: "http://a:b:80" parsed as host "a:b", port 80, whose
  // Authority() "a:b" then named port "b". Only an IPv6 literal holds ':', and only in brackets.
  const bool bracketed = url.host.front() == '[';
  for (unsigned char c : std::string_view(url.host).substr(bracketed ? 1 : 0,
                                                           url.host.size() - (bracketed ? 2 : 0))) {
    if (c <= 0x20 || c == 0x7f) return bad("a space or control character in the host");
    if (c == '[' || c == ']') return bad("unexpected '[' or ']' in the host");
    if (c == ':' && !bracketed) return bad("a ':' in the host (write an IPv6 address as [::1])");
  }
  if (port_text.empty()) {
    url.port = url.scheme == "https" ? 443 : 80;
  } else {
    auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), url.port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || url.port <= 0 ||
        url.port > 65535) {
      return bad("the port must be a number from 1 to 65535");
    }
  }
  return url;
}

}  // namespace sparkify::aws
