// The real HttpTransport: one reusable libcurl easy handle (aws/http.hpp has the contract).
//
// Reuse keeps the connection (and TLS session) open between requests to the same host.
// Timeouts: connect_timeout for TCP+TLS setup; read_timeout for any gap with no bytes moving
// (checked by curl's progress callback, about once a second). Redirects are not followed
// (S3 answers a wrong region with 301 and the caller decides), paths are sent exactly as given
// (no dot-segment squashing: S3 keys may contain "./"), and the environment's proxy settings
// (http_proxy, https_proxy, no_proxy) apply as in curl.
// Only aws/*.cpp include curl; this header does not.
#pragma once

#include <memory>

#include "sparkify/aws/http.hpp"

namespace sparkify::aws {

std::unique_ptr<HttpTransport> MakeCurlTransport(const HttpOptions& options);

}  // namespace sparkify::aws
