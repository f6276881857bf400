// The Redshift cluster's lifecycle as code (SPEC section 5): `sparkify cluster
// create|status|delete`. Each step is idempotent, so running create or delete again changes
// nothing and says so:
//   create  IAM CreateRole (EntityAlreadyExists: reuse, GetRole) -> AttachRolePolicy
//           AmazonS3ReadOnlyAccess (skipped when ListAttachedRolePolicies has it) ->
//           Redshift CreateCluster (ClusterAlreadyExists: reuse) -> wait for `available` ->
//           EC2 AuthorizeSecurityGroupIngress on the cluster's VPC group (no VPC reported:
//           the default VPC's `default` group; InvalidPermission.Duplicate: already open) ->
//           dwh.cfg [CLUSTER] HOST and [IAM_ROLE] ARN (IniFile::Set, every other byte kept)
//   status  DescribeClusters; kNotFound when there is no such cluster
//   delete  DeleteCluster (ClusterNotFound: already gone) -> wait until gone ->
//           DetachRolePolicy, DeleteRole (NoSuchEntity: already gone)
// New clusters are encrypted at rest (Encrypted=true); the port opens only to
// LifecycleOptions::cidr (the CLI finds the caller's /32 when --cidr is not given).
// Dry runs print each call (service, action, parameters; MasterUserPassword masked) that a
// run against an account without any of these resources would send, and send nothing.
// The AWS calls go through ApiCaller, so tests can script the services.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/aws/credentials.hpp"
#include "sparkify/aws/redshift.hpp"
#include "sparkify/aws/uri.hpp"
#include "sparkify/common/error.hpp"
#include "sparkify/config/ini_file.hpp"

namespace sparkify::iac {

// dwh.cfg [DWH] (keys as in the Udacity template; defaults are that template's values;
// DWH_DB_PASSWORD may be empty: create then generates the master password). spec.encrypted
// is always true.
struct ClusterSettings {
  aws::redshift::ClusterSpec spec;  // iam_role_arn is filled in by Create
  std::string role_name;            // DWH_IAM_ROLE_NAME
};
Result<ClusterSettings> ReadClusterSettings(const config::IniFile& cfg, std::string_view cfg_name);

class ApiCaller {
 public:
  virtual ~ApiCaller() = default;
  // Sends `params` (Action first) to `service` ("iam", "redshift" or "ec2"); the body.
  virtual Result<std::string> Call(std::string_view service, const aws::QueryParams& params) = 0;
};

// The real services ("iam", "redshift", "ec2", "sts"), on the credential chain, region and
// endpoint overrides of aws/credentials.hpp (AWS_ENDPOINT_URL[_IAM|_REDSHIFT|_EC2|_STS]) and
// the retry layer. `region`: Redshift, EC2 and STS's region (IAM always signs for us-east-1).
// `bound`: when set, each call gives up within about that time (2 tries, connect and read
// timeouts of `bound`), for checks that must not hang (`sparkify debug`).
Result<std::unique_ptr<ApiCaller>> OpenAwsApi(
    const std::string& region, std::optional<std::chrono::milliseconds> bound = std::nullopt);

// The cluster's region: `flag` (--region) > AWS_REGION / AWS_DEFAULT_REGION / the profile's
// region > dwh.cfg [DWH] REGION > us-west-2 (where the Udacity data lives). `origin` says which.
aws::Setting ResolveClusterRegion(const config::IniFile& cfg, std::string_view cfg_name,
                                  const std::string& flag);

// "    MasterUserPassword=********" style lines of one call, for dry runs and --verbose.
std::string DescribeCall(std::string_view service, const aws::QueryParams& params);

struct LifecycleOptions {
  // Ingress source for the cluster port, an IPv4 CIDR (iac/public_address.hpp); create
  // fails with kInvalidArgument before any call when it is empty or malformed. Dry runs show
  // "<your public IPv4 address>/32" when empty.
  std::string cidr;
  std::chrono::milliseconds wait_timeout{std::chrono::minutes(30)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(15)};
  std::string final_snapshot;  // delete: empty = SkipFinalClusterSnapshot
  // create, when DWH_DB_PASSWORD is empty and a cluster is created: the generated master
  // password is written to dwh.cfg [DWH] DWH_DB_PASSWORD (default: kept nowhere, never shown;
  // the user logs in with IAM authentication).
  bool save_password = false;
  // Test seam: how to wait between polls (default: std::this_thread::sleep_for).
  std::function<void(std::chrono::milliseconds)> sleep;
};

struct Outcome {
  bool changed = false;
  std::vector<std::string> steps;  // one line per step: "role dwhRole: created", "...: exists"
};

// create. `cfg`/`cfg_path`: the dwh.cfg to update (written only when HOST or ARN change).
Result<Outcome> CreateCluster(ApiCaller& api, const ClusterSettings& settings,
                              const LifecycleOptions& options, config::IniFile& cfg,
                              const std::string& cfg_path);
// status: the cluster, or kNotFound.
Result<aws::redshift::Cluster> DescribeCluster(ApiCaller& api, const std::string& identifier);
Result<Outcome> DeleteCluster(ApiCaller& api, const ClusterSettings& settings,
                              const LifecycleOptions& options);

// A strong Redshift master password: 32 characters from OpenSSL's CSPRNG, with at least one
// upper-case letter, lower-case letter and digit, and none of the characters Redshift
// refuses (' " \\ / @ space). kInternal when no random bytes are available.
Result<std::string> GenerateMasterPassword();

// The calls create/status/delete send against an empty account, as DescribeCall text.
std::string DryRunCreate(const ClusterSettings& settings, const LifecycleOptions& options);
std::string DryRunStatus(const ClusterSettings& settings);
std::string DryRunDelete(const ClusterSettings& settings, const LifecycleOptions& options);

}  // namespace sparkify::iac
