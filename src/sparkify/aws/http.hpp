// One HTTP exchange, as the AWS layer sees it: plain request/response values and a transport
// interface, so that signing, retries and S3 logic are tested without a network (tests
// implement HttpTransport) and the real transport (libcurl, aws/http_client.hpp) stays
// behind one seam. No curl types here.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sparkify/aws/uri.hpp"
#include "sparkify/common/error.hpp"

namespace sparkify::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup / replacement on a HeaderList.
std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name);
void SetHeader(HeaderList& headers, std::string_view name, std::string value);
void RemoveHeader(HeaderList& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  std::string scheme = "https";
  std::string host;        // the Host header: "name" or "name:port" (port only if not default)
  std::string path = "/";  // percent-encoded, exactly as it goes on the wire
  QueryParams query;       // decoded pairs; UriEncode'd on the wire, in this order
  HeaderList headers;      // sent as given; SignRequest signs every one of them
  std::string body;

  // scheme://host/path?query
  std::string Url() const;
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;  // names lower-cased
  std::string body;

  std::optional<std::string_view> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10000};
  // The longest wait for the next byte (of the response or of sending the request) before
  // the exchange counts as stalled and fails as retryable.
  std::chrono::milliseconds read_timeout{30000};
  size_t max_response_bytes = 64u << 20;  // larger bodies fail (kIo), never grow unbounded
  std::string ca_bundle;                  // PEM file of trusted CAs; empty: the system's
  std::string user_agent = "sparkify/0.1.0";
  // When set and true, a Send in progress fails fast (kUnavailable, "cancelled"), as does
  // every later one. Owned by the caller; must outlive the transport.
  const std::atomic<bool>* cancelled = nullptr;
};

// Sends one request and returns the response, whatever its status. Transport failures are
// errors: kUnavailable for what another try may cure (refused or reset connections,
// timeouts, a body cut short before its Content-Length), other codes for what it will not
// (a malformed URL, a TLS certificate that does not verify).
// Thread-safety: one transport per thread at a time; it may be reused for many requests
// (the curl transport keeps its connection open between them).
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace sparkify::aws
