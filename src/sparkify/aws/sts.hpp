// AWS STS over the Query protocol (version 2011-06-15): GetCallerIdentity, "who am I" for
// `sparkify debug`. It needs no permission, so it proves exactly that the credentials are
// valid. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "sparkify/aws/uri.hpp"
#include "sparkify/common/error.hpp"

namespace sparkify::aws::sts {

inline constexpr char kVersion[] = "2011-06-15";

QueryParams GetCallerIdentityParams();

struct CallerIdentity {
  std::string account;  // "123456789012"
  std::string arn;      // "arn:aws:iam::123456789012:user/ci"
  std::string user_id;  // "AIDA..."
};

// <GetCallerIdentityResponse><GetCallerIdentityResult>{Account, Arn, UserId}; kParse when
// it is not that shape.
Result<CallerIdentity> ParseGetCallerIdentity(std::string_view body);

}  // namespace sparkify::aws::sts
