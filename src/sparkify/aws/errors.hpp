// From a failed AWS response to one sparkify Error, classified by what a caller can do:
//   kUnavailable  transient; retried with backoff: HTTP 500/502/503/504 and 429, and the
//                 throttling and timeout codes (SlowDown, Throttling, RequestTimeout, ...)
//   kAuth         credentials or signature rejected: 401/403, SignatureDoesNotMatch, ...
//   kNotFound     404, NoSuchKey, NoSuchBucket
//   kConfig       3xx (a bucket in another region or behind another endpoint)
//   kInvalidArgument  any other 4xx, and 501: the request itself is wrong; retrying won't help
// The Error carries http_status, service_code and request_id; its message reads
// "<what>: HTTP 503 SlowDown: Please reduce your request rate. (request id 4442587FB7D0A2F9)".
#pragma once

#include <string_view>

#include "sparkify/aws/http.hpp"
#include "sparkify/common/error.hpp"

namespace sparkify::aws {

ErrorCode ClassifyServiceError(int http_status, std::string_view service_code);

// `what` names the call for people: "GET s3://bucket/key", "ListObjectsV2 s3://bucket/prefix".
Error ErrorFromResponse(const HttpResponse& response, std::string_view what);

}  // namespace sparkify::aws
