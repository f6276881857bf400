#include "sparkify/aws/errors.hpp"

#include <array>

#include "sparkify/aws/xml.hpp"

namespace sparkify::aws {
namespace {

// From botocore's retryhandler/standard retry mode and the S3 error list.
constexpr std::array<std::string_view, 17> kTransientCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError"};

constexpr std::array<std::string_view, 13> kAuthCodes = {
    "SignatureDoesNotMatch", "InvalidAccessKeyId",
    "AccessDenied",          "AccessDeniedException",
    "ExpiredToken",          "ExpiredTokenException",
    "InvalidToken",          "InvalidClientTokenId",
    "AuthFailure",           "UnrecognizedClientException",
    "IncompleteSignature",   "MissingAuthenticationToken",
    "RequestTimeTooSkewed"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view code) {
  for (std::string_view c : list) {
    if (c == code) return true;
  }
  return false;
}

}  // namespace

ErrorCode ClassifyServiceError(int http_status, std::string_view service_code) {
  if (Contains(kTransientCodes, service_code)) return ErrorCode::kUnavailable;
  if (Contains(kAuthCodes, service_code)) return ErrorCode::kAuth;
  if (service_code == "NoSuchKey" || service_code == "NoSuchBucket") return ErrorCode::kNotFound;
  if (http_status == 429) return ErrorCode::kUnavailable;
  if (http_status == 501) return ErrorCode::kInvalidArgument;
  if (http_status >= 500) return ErrorCode::kUnavailable;
  if (http_status == 401 || http_status == 403) return ErrorCode::kAuth;
  if (http_status == 404) return ErrorCode::kNotFound;
  if (http_status >= 300 && http_status < 400) return ErrorCode::kConfig;
  return ErrorCode::kInvalidArgument;
}

Error ErrorFromResponse(const HttpResponse& response, std::string_view what) {
  std::optional<ServiceError> parsed = ParseServiceError(response.body);
  std::string code = parsed ? parsed->code : "";
  std::string request_id = parsed ? parsed->request_id : "";
  if (request_id.empty()) {
    for (std::string_view h : {"x-amz-request-id", "x-amzn-requestid"}) {
      if (auto v = response.Header(h)) {
        request_id = std::string(*v);
        break;
      }
    }
  }
  std::string message = std::string(what) + ": HTTP " + std::to_string(response.status);
  if (!code.empty()) message += " " + code;
  if (parsed && !parsed->message.empty()) message += ": " + parsed->message;
  if (!request_id.empty()) message += " (request id " + request_id + ")";
  Error e(ClassifyServiceError(response.status, code), std::move(message));
  e.http_status = response.status;
  if (!code.empty()) e.service_code = code;
  if (!request_id.empty()) e.request_id = request_id;
  return e;
}

}  // namespace sparkify::aws
