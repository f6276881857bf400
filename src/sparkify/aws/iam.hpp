// AWS IAM over the Query protocol (version 2010-05-08): the role calls the Redshift cluster
// lifecycle needs (src/sparkify/iac/). Request builders produce the parameters in botocore's
// (the model's) order; decoders read the XML responses. IAM is global: AWS endpoint
// https://iam.amazonaws.com, signing region us-east-1. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "sparkify/aws/uri.hpp"
#include "sparkify/common/error.hpp"

namespace sparkify::aws::iam {

inline constexpr char kVersion[] = "2010-05-08";
inline constexpr char kSigningRegion[] = "us-east-1";
inline constexpr char kDefaultHost[] = "iam.amazonaws.com";
inline constexpr char kS3ReadOnlyPolicyArn[] = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";

// The trust policy that lets Redshift assume a role (compact JSON, as json.dumps writes it).
std::string RedshiftTrustPolicy();

QueryParams CreateRoleParams(const std::string& role_name, const std::string& trust_policy,
                             const std::string& description);
QueryParams GetRoleParams(const std::string& role_name);
QueryParams DeleteRoleParams(const std::string& role_name);
QueryParams AttachRolePolicyParams(const std::string& role_name, const std::string& policy_arn);
QueryParams DetachRolePolicyParams(const std::string& role_name, const std::string& policy_arn);
QueryParams ListAttachedRolePoliciesParams(const std::string& role_name);

struct Role {
  std::string name;
  std::string arn;
  std::string role_id;
};

// <CreateRoleResponse> or <GetRoleResponse>: the <Role>. kParse when absent.
Result<Role> ParseRole(std::string_view body);
// <ListAttachedRolePoliciesResponse>: the PolicyArn of every member.
Result<std::vector<std::string>> ParseAttachedPolicyArns(std::string_view body);

}  // namespace sparkify::aws::iam
