// The XML bits of AWS responses that are common to every service, parsed with pugixml
// (only aws/*.cpp include pugixml). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sparkify::aws {

// What an AWS error body says. The three shapes in use are all understood:
//   S3:           <Error><Code/><Message/><RequestId/>[<Region/>]</Error>
//   Query APIs: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
//   EC2: <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
struct ServiceError {
  std::string code;  // "NoSuchKey", "SlowDown", "SignatureDoesNotMatch"
  std::string message;
  std::string request_id;
  std::string region;  // S3's hint when a bucket lives elsewhere (<Region>), else empty
};

// nullopt when `body` is not XML or holds no <Error> element with a <Code>.
std::optional<ServiceError> ParseServiceError(std::string_view body);

}  // namespace sparkify::aws
