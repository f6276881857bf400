// Amazon EC2's security-group calls over the EC2 protocol (version 2016-11-15; Query-style
// requests, responses without a Result wrapper, lists of <item>): enough to open the
// Redshift port on a VPC's security group. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "sparkify/aws/uri.hpp"
#include "sparkify/common/error.hpp"

namespace sparkify::aws::ec2 {

inline constexpr char kVersion[] = "2016-11-15";

QueryParams DescribeVpcsParams();
QueryParams DescribeSecurityGroupsParams(const std::string& vpc_id);
QueryParams AuthorizeIngressParams(const std::string& group_id, int port, const std::string& cidr);

struct Vpc {
  std::string id;
  bool is_default = false;
};
struct SecurityGroup {
  std::string id;
  std::string name;
  std::string vpc_id;
};

Result<std::vector<Vpc>> ParseDescribeVpcs(std::string_view body);
Result<std::vector<SecurityGroup>> ParseDescribeSecurityGroups(std::string_view body);

}  // namespace sparkify::aws::ec2
