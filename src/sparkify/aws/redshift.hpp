// Amazon Redshift's cluster API over the Query protocol (version 2012-12-01): request
// builders in botocore's parameter order and decoders of the Cluster shape. The password is
// a request parameter (MasterUserPassword): never log params unmasked (MaskedParams).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sparkify/aws/uri.hpp"
#include "sparkify/common/error.hpp"

namespace sparkify::aws::redshift {

inline constexpr char kVersion[] = "2012-12-01";

struct ClusterSpec {
  std::string identifier;       // DWH_CLUSTER_IDENTIFIER
  std::string cluster_type;     // DWH_CLUSTER_TYPE: single-node | multi-node
  std::string node_type;        // DWH_NODE_TYPE: dc2.large, ra3.xlplus, ...
  int num_nodes = 1;            // DWH_NUM_NODES; not sent for single-node
  std::string db_name;          // DWH_DB
  std::string master_user;      // DWH_DB_USER
  std::string master_password;  // DWH_DB_PASSWORD (secret)
  int port = 5439;              // DWH_PORT; 0 = not sent (AWS default 5439)
  std::string iam_role_arn;     // sent as IamRoles.IamRoleArn.1
  bool encrypted = false;       // Encrypted=true (at rest, AWS-managed key); false: not sent
};

QueryParams CreateClusterParams(const ClusterSpec& spec);
QueryParams DescribeClustersParams(const std::string& identifier);
// Empty `final_snapshot`: SkipFinalClusterSnapshot=true.
QueryParams DeleteClusterParams(const std::string& identifier, const std::string& final_snapshot);

// GetClusterCredentials: a temporary database password for `db_user` (IAM authentication;
// the caller's AWS identity needs redshift:GetClusterCredentials). `duration_seconds` must be
// 900-3600 (AWS's range). The response's password is a secret.
QueryParams GetClusterCredentialsParams(const std::string& db_user, const std::string& db_name,
                                        const std::string& identifier, int duration_seconds);

struct ClusterCredentials {
  std::string db_user;      // "IAM:dwhuser" (the name to log in as)
  std::string db_password;  // secret
  std::string expiration;   // ISO-8601 UTC, as AWS sent it
};
// <GetClusterCredentialsResponse>; kParse when DbUser or DbPassword is missing.
Result<ClusterCredentials> ParseClusterCredentials(std::string_view body);

struct Cluster {
  std::string identifier;
  std::string status;  // creating, available, deleting, modifying, ...
  std::string node_type;
  int num_nodes = 0;
  std::string db_name;
  std::string master_user;
  std::string endpoint_address;  // empty until the cluster has one
  int endpoint_port = 0;
  std::string vpc_id;  // empty when the cluster reports none (moto, EC2-Classic)
  std::vector<std::string> iam_role_arns;
  std::vector<std::string> vpc_security_group_ids;
};

// <CreateClusterResponse>/<DeleteClusterResponse>: the <Cluster>. kParse when absent.
Result<Cluster> ParseCluster(std::string_view body);
// <DescribeClustersResponse>: every <Cluster>.
Result<std::vector<Cluster>> ParseDescribeClusters(std::string_view body);

}  // namespace sparkify::aws::redshift
