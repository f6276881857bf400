#include "sparkify/aws/errors.hpp"

#include <gtest/gtest.h>

#include "sparkify/aws/xml.hpp"

namespace sparkify::aws {
namespace {

HttpResponse Response(int status, std::string body, HeaderList headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(ParseServiceError, ReadsS3Errors) {
  auto e = ParseServiceError(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The "
      "specified key does not "
      "exist.</Message><Key>a.json</Key><RequestId>4442587FB7D0A2F9</RequestId>"
      "</Error>");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The specified key does not exist.");
  EXPECT_EQ(e->request_id, "4442587FB7D0A2F9");
}

TEST(ParseServiceError, ReadsQueryApiErrors) {
  auto e = ParseServiceError(
      "<ErrorResponse "
      "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
      "<Code>EntityAlreadyExists</Code><Message>Role with name dwhRole already exists.</Message>"
      "</Error><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "EntityAlreadyExists");
  EXPECT_EQ(e->request_id, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE");
}

TEST(ParseServiceError, ReadsEc2Errors) {
  auto e = ParseServiceError(
      "<Response><Errors><Error><Code>InvalidPermission.Duplicate</Code><Message>the rule "
      "exists</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID>"
      "</Response>");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "InvalidPermission.Duplicate");
  EXPECT_EQ(e->request_id, "ea966190-f9aa-478e-9ede-example");
}

TEST(ParseServiceError, IgnoresWhatIsNotAnErrorDocument) {
  EXPECT_FALSE(ParseServiceError("").has_value());
  EXPECT_FALSE(ParseServiceError("<html>502 Bad Gateway</html>").has_value());
  EXPECT_FALSE(ParseServiceError("<Error><Cod").has_value());
}

TEST(ClassifyServiceError, TransientOnlyWhenRetryingCanHelp) {
  EXPECT_EQ(ClassifyServiceError(503, "SlowDown"), ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyServiceError(500, "InternalError"), ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyServiceError(502, ""), ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyServiceError(504, ""), ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyServiceError(429, ""), ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyServiceError(400, "RequestTimeout"), ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyServiceError(400, "Throttling"), ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyServiceError(400, "RequestLimitExceeded"), ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyServiceError(403, "SignatureDoesNotMatch"), ErrorCode::kAuth);
  EXPECT_EQ(ClassifyServiceError(403, "AccessDenied"), ErrorCode::kAuth);
  EXPECT_EQ(ClassifyServiceError(403, "InvalidAccessKeyId"), ErrorCode::kAuth);
  EXPECT_EQ(ClassifyServiceError(401, "AuthFailure"), ErrorCode::kAuth);
  EXPECT_EQ(ClassifyServiceError(403, ""), ErrorCode::kAuth);
  EXPECT_EQ(ClassifyServiceError(404, "NoSuchKey"), ErrorCode::kNotFound);
  EXPECT_EQ(ClassifyServiceError(404, "NoSuchBucket"), ErrorCode::kNotFound);
  EXPECT_EQ(ClassifyServiceError(404, ""), ErrorCode::kNotFound);
  EXPECT_EQ(ClassifyServiceError(301, "PermanentRedirect"), ErrorCode::kConfig);
  EXPECT_EQ(ClassifyServiceError(400, "InvalidBucketName"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ClassifyServiceError(412, "PreconditionFailed"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ClassifyServiceError(501, "NotImplemented"), ErrorCode::kInvalidArgument);
}

TEST(ErrorFromResponse, CarriesCodeMessageAndRequestId) {
  Error e = ErrorFromResponse(
      Response(503,
               "<Error><Code>SlowDown</Code><Message>Please reduce your request rate."
               "</Message><RequestId>R1</RequestId></Error>"),
      "GET s3://b/k.json");
  EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.message(),
            "GET s3://b/k.json: HTTP 503 SlowDown: Please reduce your request rate. "
            "(request id R1)");
  EXPECT_EQ(e.http_status, 503);
  EXPECT_EQ(e.service_code, "SlowDown");
  EXPECT_EQ(e.request_id, "R1");
}

TEST(ErrorFromResponse, FallsBackToStatusAndRequestIdHeader) {
  Error e = ErrorFromResponse(Response(403, "", {{"x-amz-request-id", "HDR1"}}), "HEAD s3://b");
  EXPECT_EQ(e.code(), ErrorCode::kAuth);
  EXPECT_FALSE(e.retryable());
  EXPECT_EQ(e.message(), "HEAD s3://b: HTTP 403 (request id HDR1)");
  EXPECT_FALSE(e.service_code.has_value());
}

}  // namespace
}  // namespace sparkify::aws
