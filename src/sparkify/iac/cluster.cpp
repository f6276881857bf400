#include "sparkify/iac/cluster.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <thread>

#include "sparkify/aws/client.hpp"
#include "sparkify/aws/credentials.hpp"
#include "sparkify/aws/crypto.hpp"
#include "sparkify/aws/ec2.hpp"
#include "sparkify/aws/iam.hpp"
#include "sparkify/aws/query_api.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/iac/public_address.hpp"

namespace sparkify::iac {
namespace {

using aws::HasServiceCode;
using aws::QueryParams;
namespace iam = aws::iam;
namespace rs = aws::redshift;
namespace ec2 = aws::ec2;

constexpr char kRoleDescription[] = "Allows Redshift clusters to call AWS services on your behalf.";

Result<int> ReadInt(const config::IniFile& cfg, std::string_view cfg_name, const char* key,
                    int fallback, int lo, int hi) {
  std::optional<std::string> v = cfg.Get("DWH", key);
  if (!v || v->empty()) return fallback;
  int out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size() || out < lo || out > hi) {
    return Error::Config(std::string(cfg_name) + " [DWH] " + key + ": \"" + *v +
                         "\" is not an integer in " + std::to_string(lo) + ".." +
                         std::to_string(hi));
  }
  return out;
}

std::string ReadString(const config::IniFile& cfg, const char* key, const char* fallback) {
  std::optional<std::string> v = cfg.Get("DWH", key);
  return v && !v->empty() ? *v : std::string(fallback);
}

class AwsApi : public ApiCaller {
 public:
  std::map<std::string, std::unique_ptr<aws::QueryService>, std::less<>> services;
  Result<std::string> Call(std::string_view service, const QueryParams& params) override {
    auto it = services.find(service);
    if (it == services.end()) return Error::Internal("no AWS service " + std::string(service));
    log::Verbose("aws: " + DescribeCall(service, params));
    return it->second->Call(params);
  }
};

void Sleep(const LifecycleOptions& options, std::chrono::milliseconds d) {
  if (options.sleep) {
    options.sleep(d);
  } else {
    std::this_thread::sleep_for(d);
  }
}

std::string Seconds(std::chrono::milliseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

void Step(Outcome& out, std::string line, bool changed) {
  log::Info(line);
  out.steps.push_back(std::move(line));
  out.changed = out.changed || changed;
}

// Polls DescribeClusters until `done` says so; nullopt cluster = ClusterNotFound.
Result<std::optional<rs::Cluster>> Wait(
    ApiCaller& api, const std::string& id, const LifecycleOptions& options, const std::string& goal,
    const std::function<Result<bool>(const std::optional<rs::Cluster>&)>& done) {
  std::chrono::milliseconds waited{0};
  while (true) {
    std::optional<rs::Cluster> cluster;
    Result<std::string> body = api.Call("redshift", rs::DescribeClustersParams(id));
    if (body.ok()) {
      SPARKIFY_ASSIGN_OR_RETURN(std::vector<rs::Cluster> list, rs::ParseDescribeClusters(*body));
      if (!list.empty()) cluster = list.front();
    } else if (!HasServiceCode(body.error(), "ClusterNotFound")) {
      return body.error();
    }
    SPARKIFY_ASSIGN_OR_RETURN(bool finished, done(cluster));
    if (finished) return cluster;
    std::string state = cluster ? cluster->status : "gone";
    if (waited >= options.wait_timeout) {
      return Error::Unavailable("cluster " + id + " is still " + state + " after " +
                                Seconds(waited) + " (waiting for " + goal +
                                "; raise --wait-timeout or run the command again later)");
    }
    log::Info("cluster " + id + ": " + state + ", waiting for " + goal + " (" + Seconds(waited) +
              " of at most " + Seconds(options.wait_timeout) + ")");
    std::chrono::milliseconds step = std::min(options.poll_interval, options.wait_timeout - waited);
    if (step.count() <= 0) step = std::chrono::milliseconds(1);
    Sleep(options, step);
    waited += step;
  }
}

// The security group to open: the cluster's own VPC groups, else the `default` group of the
// cluster's VPC or (no VPC reported) of the account's default VPC.
Result<std::vector<std::string>> GroupsToOpen(ApiCaller& api, const rs::Cluster& cluster) {
  if (!cluster.vpc_security_group_ids.empty()) return cluster.vpc_security_group_ids;
  std::string vpc_id = cluster.vpc_id;
  if (vpc_id.empty()) {
    SPARKIFY_ASSIGN_OR_RETURN(std::string body, api.Call("ec2", ec2::DescribeVpcsParams()));
    SPARKIFY_ASSIGN_OR_RETURN(std::vector<ec2::Vpc> vpcs, ec2::ParseDescribeVpcs(body));
    for (const ec2::Vpc& v : vpcs) {
      if (v.is_default) vpc_id = v.id;
    }
    if (vpc_id.empty()) {
      return Error::NotFound("cluster " + cluster.identifier +
                             " reports no VPC and the account has no default VPC");
    }
  }
  SPARKIFY_ASSIGN_OR_RETURN(std::string body,
                            api.Call("ec2", ec2::DescribeSecurityGroupsParams(vpc_id)));
  SPARKIFY_ASSIGN_OR_RETURN(std::vector<ec2::SecurityGroup> groups,
                            ec2::ParseDescribeSecurityGroups(body));
  for (const ec2::SecurityGroup& g : groups) {
    if (g.name == "default") return std::vector<std::string>{g.id};
  }
  return Error::NotFound("VPC " + vpc_id + " has no security group named default");
}

}  // namespace

Result<ClusterSettings> ReadClusterSettings(const config::IniFile& cfg, std::string_view cfg_name) {
  ClusterSettings s;
  s.role_name = ReadString(cfg, "DWH_IAM_ROLE_NAME", "dwhRole");
  s.spec.identifier = ReadString(cfg, "DWH_CLUSTER_IDENTIFIER", "dwhCluster");
  s.spec.cluster_type = ReadString(cfg, "DWH_CLUSTER_TYPE", "multi-node");
  s.spec.node_type = ReadString(cfg, "DWH_NODE_TYPE", "dc2.large");
  s.spec.db_name = ReadString(cfg, "DWH_DB", "dwh");
  s.spec.master_user = ReadString(cfg, "DWH_DB_USER", "dwhuser");
  s.spec.master_password = ReadString(cfg, "DWH_DB_PASSWORD", "");
  s.spec.encrypted = true;
  SPARKIFY_ASSIGN_OR_RETURN(s.spec.num_nodes, ReadInt(cfg, cfg_name, "DWH_NUM_NODES", 4, 1, 128));
  SPARKIFY_ASSIGN_OR_RETURN(s.spec.port, ReadInt(cfg, cfg_name, "DWH_PORT", 5439, 1150, 65535));
  if (s.spec.cluster_type != "single-node" && s.spec.cluster_type != "multi-node") {
    return Error::Config(std::string(cfg_name) + " [DWH] DWH_CLUSTER_TYPE: \"" +
                         s.spec.cluster_type + "\" is neither single-node nor multi-node");
  }
  if (s.spec.cluster_type == "multi-node" && s.spec.num_nodes < 2) {
    return Error::Config(std::string(cfg_name) +
                         " [DWH] DWH_NUM_NODES: a multi-node cluster needs at least 2 nodes");
  }
  return s;
}

Result<std::string> GenerateMasterPassword() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%^*-_=+";
  auto has = [](const std::string& p, auto pred) { return std::any_of(p.begin(), p.end(), pred); };
  for (int attempt = 0; attempt < 16; ++attempt) {
    uint8_t bytes[64];
    if (!aws::RandomBytes(bytes, sizeof(bytes))) {
      return Error::Internal("no random bytes for a master password (OpenSSL RAND_bytes)");
    }
    std::string out;
    for (uint8_t b : bytes) {
      // Rejection sampling keeps every character equally likely.
      if (b >= 256 - 256 % kAlphabet.size()) continue;
      out += kAlphabet[b % kAlphabet.size()];
      if (out.size() == 32) break;
    }
    if (out.size() == 32 && has(out, [](char c) { return c >= 'A' && c <= 'Z'; }) &&
        has(out, [](char c) { return c >= 'a' && c <= 'z'; }) &&
        has(out, [](char c) { return c >= '0' && c <= '9'; })) {
      return out;
    }
  }
  return Error::Internal("could not make a master password");
}

Result<std::unique_ptr<ApiCaller>> OpenAwsApi(const std::string& region,
                                              std::optional<std::chrono::milliseconds> bound) {
  SPARKIFY_ASSIGN_OR_RETURN(aws::SharedConfig shared, aws::SharedConfig::Load());
  SPARKIFY_ASSIGN_OR_RETURN(aws::Credentials credentials, aws::ResolveCredentials(shared));
  log::Verbose("aws: credentials from " + credentials.source + ", region " + region);
  auto api = std::make_unique<AwsApi>();
  struct Svc {
    const char* name;
    const char* id;
    std::string region;
    std::string host;
  };
  for (const Svc& svc :
       {Svc{"iam", "IAM", iam::kSigningRegion, iam::kDefaultHost},
        Svc{"redshift", "REDSHIFT", region, "redshift." + region + ".amazonaws.com"},
        Svc{"ec2", "EC2", region, "ec2." + region + ".amazonaws.com"},
        Svc{"sts", "STS", region, "sts." + region + ".amazonaws.com"}}) {
    aws::QueryServiceConfig config;
    SPARKIFY_RETURN_IF_ERROR(aws::ApplyEnvironment(shared, config.client));
    if (bound) {
      config.client.retry.max_attempts = std::min(config.client.retry.max_attempts, 2);
      config.client.http.connect_timeout = std::min(config.client.http.connect_timeout, *bound);
      config.client.http.read_timeout = std::min(config.client.http.read_timeout, *bound);
    }
    config.client.service = svc.name;
    config.client.region = svc.region;
    config.client.credentials = credentials;
    aws::Setting endpoint = aws::ResolveEndpointUrl(shared, svc.id, "");
    config.endpoint_url = endpoint.value;
    config.default_host = svc.host;
    Result<std::unique_ptr<aws::QueryService>> service = aws::QueryService::Create(config);
    if (!service.ok()) return service.take_error().WithContext("endpoint from " + endpoint.origin);
    log::Verbose(std::string("aws: ") + svc.name + " at " + (*service)->DescribeEndpoint());
    api->services.emplace(svc.name, std::move(service).value());
  }
  return std::unique_ptr<ApiCaller>(std::move(api));
}

aws::Setting ResolveClusterRegion(const config::IniFile& cfg, std::string_view cfg_name,
                                  const std::string& flag) {
  if (!flag.empty()) return {flag, "--region"};
  Result<aws::SharedConfig> shared = aws::SharedConfig::Load();
  if (shared.ok()) {
    aws::Setting s = aws::ResolveRegion(*shared);
    if (!s.value.empty()) return s;
  }
  if (auto v = cfg.Get("DWH", "REGION"); v && !v->empty()) {
    return {*v, std::string(cfg_name) + " [DWH] REGION"};
  }
  return {"us-west-2", "default"};
}

std::string DescribeCall(std::string_view service, const QueryParams& params) {
  std::string out = std::string(service) + " " + aws::ParamValue(params, "Action") + "\n";
  for (const auto& [k, v] : params) {
    if (k == "Action" || k == "Version") continue;
    out += "    " + k + "=" + (k == "MasterUserPassword" ? std::string("********") : v) + "\n";
  }
  return out;
}

Result<Outcome> CreateCluster(ApiCaller& api, const ClusterSettings& settings,
                              const LifecycleOptions& options, config::IniFile& cfg,
                              const std::string& cfg_path) {
  Outcome out;
  const std::string& id = settings.spec.identifier;
  if (options.cidr.empty()) {
    return Error::InvalidArgument("no CIDR block to open the cluster port to: pass --cidr");
  }
  SPARKIFY_RETURN_IF_ERROR(ValidateCidr(options.cidr));
  // 1. The role.
  iam::Role role;
  Result<std::string> created = api.Call(
      "iam",
      iam::CreateRoleParams(settings.role_name, iam::RedshiftTrustPolicy(), kRoleDescription));
  if (created.ok()) {
    SPARKIFY_ASSIGN_OR_RETURN(role, iam::ParseRole(*created));
    Step(out, "role " + settings.role_name + ": created (" + role.arn + ")", true);
  } else if (HasServiceCode(created.error(), "EntityAlreadyExists")) {
    SPARKIFY_ASSIGN_OR_RETURN(std::string body,
                              api.Call("iam", iam::GetRoleParams(settings.role_name)));
    SPARKIFY_ASSIGN_OR_RETURN(role, iam::ParseRole(body));
    Step(out, "role " + settings.role_name + ": exists (" + role.arn + ")", false);
  } else {
    return created.error();
  }
  // 2. Its S3 read-only policy.
  SPARKIFY_ASSIGN_OR_RETURN(
      std::string listed, api.Call("iam", iam::ListAttachedRolePoliciesParams(settings.role_name)));
  SPARKIFY_ASSIGN_OR_RETURN(std::vector<std::string> attached,
                            iam::ParseAttachedPolicyArns(listed));
  if (std::find(attached.begin(), attached.end(), iam::kS3ReadOnlyPolicyArn) != attached.end()) {
    Step(out, std::string("policy AmazonS3ReadOnlyAccess: already attached"), false);
  } else {
    SPARKIFY_RETURN_IF_ERROR(
        api.Call("iam", iam::AttachRolePolicyParams(settings.role_name, iam::kS3ReadOnlyPolicyArn))
            .status());
    Step(out, std::string("policy AmazonS3ReadOnlyAccess: attached"), true);
  }
  // 3. The cluster.
  rs::ClusterSpec spec = settings.spec;
  spec.iam_role_arn = role.arn;
  const bool generated = spec.master_password.empty();
  if (generated) {
    SPARKIFY_ASSIGN_OR_RETURN(spec.master_password, GenerateMasterPassword());
  }
  Result<std::string> cluster_body = api.Call("redshift", rs::CreateClusterParams(spec));
  bool save_password = false;
  if (cluster_body.ok()) {
    Step(out, "cluster " + id + ": creation started", true);
    if (generated) {
      save_password = options.save_password;
      Step(out,
           "cluster " + id + ": master user " + spec.master_user +
               " got a generated 32-character password, shown nowhere" +
               (save_password ? " and written to " + cfg_path + " [DWH] DWH_DB_PASSWORD"
                              : " and kept nowhere") +
               "; log in with IAM authentication (leave [CLUSTER] DB_PASSWORD empty, or "
               "--iam-auth)",
           false);
    }
  } else if (HasServiceCode(cluster_body.error(), "ClusterAlreadyExists")) {
    Step(out, "cluster " + id + ": exists", false);
  } else {
    return cluster_body.error();
  }
  // 4. Wait for it.
  SPARKIFY_ASSIGN_OR_RETURN(
      std::optional<rs::Cluster> ready,
      Wait(api, id, options, "available",
           [&id](const std::optional<rs::Cluster>& c) -> Result<bool> {
             if (!c) return false;  // not visible yet
             if (c->status == "deleting") {
               return Error::Config("cluster " + id +
                                    " is being deleted; run create again once it is gone");
             }
             return c->status == "available" && !c->endpoint_address.empty();
           }));
  const rs::Cluster& cluster = *ready;
  Step(out,
       "cluster " + id + ": available at " + cluster.endpoint_address + ":" +
           std::to_string(cluster.endpoint_port),
       false);
  // 5. The port.
  int port = cluster.endpoint_port > 0 ? cluster.endpoint_port : settings.spec.port;
  if (OpensToEveryone(options.cidr)) {
    log::Warn("opening port " + std::to_string(port) + " to " + options.cidr +
              " (the whole internet); pass --cidr YOUR.IP/32 to narrow it");
  }
  SPARKIFY_ASSIGN_OR_RETURN(std::vector<std::string> groups, GroupsToOpen(api, cluster));
  for (const std::string& group : groups) {
    Result<std::string> r = api.Call("ec2", ec2::AuthorizeIngressParams(group, port, options.cidr));
    std::string what =
        "security group " + group + ": tcp " + std::to_string(port) + " from " + options.cidr;
    if (r.ok()) {
      Step(out, what + " opened", true);
    } else if (HasServiceCode(r.error(), "InvalidPermission.Duplicate")) {
      Step(out, what + " already open", false);
    } else {
      return r.error();
    }
  }
  // 6. dwh.cfg.
  bool host_changed = cfg.Set("CLUSTER", "HOST", cluster.endpoint_address);
  bool arn_changed = cfg.Set("IAM_ROLE", "ARN", role.arn);
  bool password_saved = save_password && cfg.Set("DWH", "DWH_DB_PASSWORD", spec.master_password);
  if (host_changed || arn_changed || password_saved) {
    SPARKIFY_RETURN_IF_ERROR(cfg.Save(cfg_path));
    Step(out,
         cfg_path + ": wrote [CLUSTER] HOST and [IAM_ROLE] ARN" +
             (password_saved ? std::string(" and [DWH] DWH_DB_PASSWORD") : std::string()),
         true);
  } else {
    Step(out, cfg_path + ": [CLUSTER] HOST and [IAM_ROLE] ARN already up to date", false);
  }
  return out;
}

Result<rs::Cluster> DescribeCluster(ApiCaller& api, const std::string& identifier) {
  Result<std::string> body = api.Call("redshift", rs::DescribeClustersParams(identifier));
  if (!body.ok()) {
    if (HasServiceCode(body.error(), "ClusterNotFound")) {
      Error e = Error::NotFound("cluster " + identifier + " does not exist");
      e.service_code = "ClusterNotFound";
      return e;
    }
    return body.error();
  }
  SPARKIFY_ASSIGN_OR_RETURN(std::vector<rs::Cluster> list, rs::ParseDescribeClusters(*body));
  if (list.empty()) return Error::NotFound("cluster " + identifier + " does not exist");
  return list.front();
}

Result<Outcome> DeleteCluster(ApiCaller& api, const ClusterSettings& settings,
                              const LifecycleOptions& options) {
  Outcome out;
  const std::string& id = settings.spec.identifier;
  Result<std::string> deleted =
      api.Call("redshift", rs::DeleteClusterParams(id, options.final_snapshot));
  bool wait = true;
  if (deleted.ok()) {
    Step(out,
         "cluster " + id + ": deletion started" +
             (options.final_snapshot.empty() ? " (no final snapshot)"
                                             : " (final snapshot " + options.final_snapshot + ")"),
         true);
  } else if (HasServiceCode(deleted.error(), "ClusterNotFound")) {
    Step(out, "cluster " + id + ": does not exist", false);
    wait = false;
  } else if (HasServiceCode(deleted.error(), "InvalidClusterState")) {
    Step(out, "cluster " + id + ": busy (" + deleted.error().message() + "); waiting", false);
  } else {
    return deleted.error();
  }
  if (wait) {
    SPARKIFY_RETURN_IF_ERROR(
        Wait(api, id, options, "deletion", [](const std::optional<rs::Cluster>& c) -> Result<bool> {
          return !c.has_value();
        }).status());
    Step(out, "cluster " + id + ": gone", false);
  }
  Result<std::string> detached =
      api.Call("iam", iam::DetachRolePolicyParams(settings.role_name, iam::kS3ReadOnlyPolicyArn));
  if (detached.ok()) {
    Step(out, std::string("policy AmazonS3ReadOnlyAccess: detached"), true);
  } else if (HasServiceCode(detached.error(), "NoSuchEntity")) {
    Step(out, std::string("policy AmazonS3ReadOnlyAccess: not attached"), false);
  } else {
    return detached.error();
  }
  Result<std::string> role = api.Call("iam", iam::DeleteRoleParams(settings.role_name));
  if (role.ok()) {
    Step(out, "role " + settings.role_name + ": deleted", true);
  } else if (HasServiceCode(role.error(), "NoSuchEntity")) {
    Step(out, "role " + settings.role_name + ": does not exist", false);
  } else if (HasServiceCode(role.error(), "DeleteConflict")) {
    Error e = role.error();
    return e.WithContext("role " + settings.role_name +
                         " still has other policies or instance profiles attached; detach "
                         "them and run delete again");
  } else {
    return role.error();
  }
  return out;
}

std::string DryRunCreate(const ClusterSettings& settings, const LifecycleOptions& options) {
  rs::ClusterSpec spec = settings.spec;
  spec.iam_role_arn = "<Arn from CreateRole>";
  const bool generated = spec.master_password.empty();
  std::string out;
  out += DescribeCall("iam", iam::CreateRoleParams(settings.role_name, iam::RedshiftTrustPolicy(),
                                                   kRoleDescription));
  out += DescribeCall("iam", iam::ListAttachedRolePoliciesParams(settings.role_name));
  out += DescribeCall("iam",
                      iam::AttachRolePolicyParams(settings.role_name, iam::kS3ReadOnlyPolicyArn));
  out += DescribeCall("redshift", rs::CreateClusterParams(spec));
  if (generated) {
    out += "    (MasterUserPassword: generated, 32 characters, shown nowhere; " +
           std::string(options.save_password ? "written to dwh.cfg [DWH] DWH_DB_PASSWORD"
                                             : "kept nowhere: log in with IAM authentication") +
           ")\n";
  }
  out += DescribeCall("redshift", rs::DescribeClustersParams(spec.identifier));
  out += "    (repeated every " + Seconds(options.poll_interval) + " until available, at most " +
         Seconds(options.wait_timeout) + ")\n";
  out += DescribeCall("ec2", ec2::DescribeVpcsParams());
  out += "    (only when the cluster reports no VPC: its default VPC)\n";
  out += DescribeCall("ec2", ec2::DescribeSecurityGroupsParams("<VpcId>"));
  std::string cidr = options.cidr.empty() ? "<your public IPv4 address>/32" : options.cidr;
  out += DescribeCall(
      "ec2", ec2::AuthorizeIngressParams("<GroupId of default>", settings.spec.port, cidr));
  if (options.cidr.empty()) {
    out += "    (your address: one GET of " + CheckIpUrl() + " when run; --cidr to choose)\n";
  } else if (OpensToEveryone(options.cidr)) {
    out += "    (warning: 0.0.0.0/0 lets the whole internet reach the port)\n";
  }
  out += "then dwh.cfg: [CLUSTER] HOST = <Endpoint Address>, [IAM_ROLE] ARN = <Arn>\n";
  return out;
}

std::string DryRunStatus(const ClusterSettings& settings) {
  return DescribeCall("redshift", rs::DescribeClustersParams(settings.spec.identifier));
}

std::string DryRunDelete(const ClusterSettings& settings, const LifecycleOptions& options) {
  std::string out;
  out += DescribeCall("redshift",
                      rs::DeleteClusterParams(settings.spec.identifier, options.final_snapshot));
  out += DescribeCall("redshift", rs::DescribeClustersParams(settings.spec.identifier));
  out += "    (repeated every " + Seconds(options.poll_interval) +
         " until ClusterNotFound, at most " + Seconds(options.wait_timeout) + ")\n";
  out += DescribeCall("iam",
                      iam::DetachRolePolicyParams(settings.role_name, iam::kS3ReadOnlyPolicyArn));
  out += DescribeCall("iam", iam::DeleteRoleParams(settings.role_name));
  return out;
}

}  // namespace sparkify::iac
