// libFuzzer target: every decoder of AWS XML responses on arbitrary bytes (a response body):
// error bodies of every shape (S3, Query APIs, EC2) and the ErrorFromResponse message built
// from them, S3's ListObjectsV2 listing, and the IAM, Redshift and EC2 response decoders.
// Besides "no crash, no UB", each decoder must keep its documented contract.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "sparkify/aws/ec2.hpp"
#include "sparkify/aws/errors.hpp"
#include "sparkify/aws/iam.hpp"
#include "sparkify/aws/redshift.hpp"
#include "sparkify/aws/s3.hpp"
#include "sparkify/aws/xml.hpp"

namespace {

using sparkify::ErrorCode;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// A decoder's failure is always kParse with a message naming the service.
template <typename T>
void CheckDecoded(const sparkify::Result<T>& r, std::string_view service) {
  if (r.ok()) return;
  Check(r.error().code() == ErrorCode::kParse);
  Check(r.error().message().starts_with(service));
}

// Every status the client can hand to ErrorFromResponse, picked by the input's size (its first
// byte is nearly always '<').
constexpr int kStatuses[] = {200, 301, 307, 400, 401, 403, 404, 409, 412,
                             429, 500, 501, 502, 503, 504, 0,   999};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  std::optional<sparkify::aws::ServiceError> service_error = sparkify::aws::ParseServiceError(body);
  // Only a document with an <Error> holding a <Code> element is an error body.
  if (service_error) Check(body.find("<Code") != body.npos);

  sparkify::aws::HttpResponse response;
  response.status = kStatuses[size % std::size(kStatuses)];
  response.body = std::string(body);
  sparkify::Error e = sparkify::aws::ErrorFromResponse(response, "GET s3://bucket/key");
  Check(e.message().starts_with("GET s3://bucket/key: HTTP " + std::to_string(response.status)));
  Check(e.http_status == response.status);
  Check(e.code() ==
        sparkify::aws::ClassifyServiceError(response.status, e.service_code.value_or("")));
  if (service_error && !service_error->code.empty()) {
    Check(e.service_code == service_error->code);
  }

  auto page = sparkify::aws::ParseListObjectsV2(body, "ListObjectsV2 s3://b/p");
  if (page.ok()) {
    // One object per <Contents> element, never more.
    size_t contents = 0;
    for (size_t at = body.find("<Contents"); at != body.npos; at = body.find("<Contents", at + 1)) {
      ++contents;
    }
    Check(page->objects.size() <= contents);
  } else {
    Check(page.error().code() == ErrorCode::kUnavailable);
    Check(page.error().message().starts_with("ListObjectsV2 s3://b/p: "));
  }

  auto role = sparkify::aws::iam::ParseRole(body);
  CheckDecoded(role, "IAM");
  if (role.ok()) Check(!role->arn.empty());
  CheckDecoded(sparkify::aws::iam::ParseAttachedPolicyArns(body), "IAM");
  CheckDecoded(sparkify::aws::redshift::ParseCluster(body), "Redshift");
  CheckDecoded(sparkify::aws::redshift::ParseDescribeClusters(body), "Redshift");
  CheckDecoded(sparkify::aws::ec2::ParseDescribeVpcs(body), "EC2");
  CheckDecoded(sparkify::aws::ec2::ParseDescribeSecurityGroups(body), "EC2");
  return 0;
}
