// Who may reach the cluster port: CIDR blocks for `cluster create`'s ingress rule.
//
// Secure by default (issue 17): without --cidr, the port is opened only to the caller's own
// public IPv4 address as a /32, found by one GET of https://checkip.amazonaws.com (the
// service AWS's own console uses; it answers the address as text). SPARKIFY_CHECKIP_URL
// replaces that URL (tests point it at a loopback server; nothing else is ever contacted).
// When the address cannot be found the caller must stop and ask for --cidr: opening the port
// wider than asked is never a fallback.
// Thread-safety: the functions are independent; the transport is used by one call at a time.
#pragma once

#include <string>
#include <string_view>

#include "sparkify/aws/http.hpp"
#include "sparkify/common/error.hpp"

namespace sparkify::iac {

inline constexpr char kDefaultCheckIpUrl[] = "https://checkip.amazonaws.com";

// $SPARKIFY_CHECKIP_URL when set and not empty, else kDefaultCheckIpUrl.
std::string CheckIpUrl();

// Checks an IPv4 CIDR block ("203.0.113.7/32", "10.0.0.0/8"): four decimal octets 0-255, a
// prefix length 0-32. kInvalidArgument naming what is wrong otherwise (IPv6 included: the
// ingress rule sparkify writes is an IPv4 range).
Status ValidateCidr(std::string_view cidr);

// True for 0.0.0.0/0: every address on the internet.
bool OpensToEveryone(std::string_view cidr);

// GETs `url` through `transport` and returns "<address>/32". The body must be one IPv4
// address (surrounding white space allowed). kUnavailable (with the URL and the reason) when
// the request fails, the status is not 2xx, or the body is not an address.
Result<std::string> FindOwnCidr(const std::string& url, aws::HttpTransport& transport);

// The same over curl, with a 5 s connect and 10 s read timeout.
Result<std::string> FindOwnCidr(const std::string& url);

}  // namespace sparkify::iac
