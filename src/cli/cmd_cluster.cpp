// sparkify cluster create|status|delete: the Redshift cluster's lifecycle (iac/cluster.hpp).
#include <cstdio>
#include <memory>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/target_options.hpp"
#include "sparkify/aws/credentials.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/iac/cluster.hpp"
#include "sparkify/iac/cluster_connection.hpp"
#include "sparkify/iac/public_address.hpp"

namespace sparkify::cli {
namespace {

struct ClusterOptions {
  bool dry_run = false;
  std::string region;
  std::string cidr;  // empty: the caller's public address as a /32 (checkip)
  int wait_timeout_s = 1800;
  int poll_interval_s = 15;
  std::string final_snapshot;
  int connect_timeout_s = 10;
  bool save_password = false;
  bool iam_auth = false;
};

enum class Action { kCreate, kStatus, kDelete };

// status: whether the endpoint accepts a TCP connection and a login with the [CLUSTER]
// credentials (or IAM authentication), and why not (iac/cluster_connection.hpp).
std::string ConnectionLines(iac::ApiCaller& api, const config::IniFile& cfg,
                            const aws::redshift::Cluster& c, const ClusterOptions& o) {
  if (c.status != "available" || c.endpoint_address.empty()) {
    return "connection: not checked (the cluster is " + c.status + ")\n";
  }
  const std::chrono::seconds timeout(o.connect_timeout_s);
  Status tcp = iac::ProbeTcp(c.endpoint_address, c.endpoint_port, timeout);
  if (!tcp.ok()) {
    return "connection: FAIL: " + tcp.error().message() +
           "\n            (is the port open to this machine? sparkify cluster create --cidr "
           "YOUR.IP/32)\n";
  }
  std::string text = "connection: OK (TCP to " + c.endpoint_address + ":" +
                     std::to_string(c.endpoint_port) + ")\n";
  Result<iac::ClusterLogin> login =
      iac::ResolveClusterLogin(api, cfg, c.identifier, c.db_name, c.master_user, o.iam_auth);
  if (!login.ok()) return text + "login:      FAIL: " + login.error().message() + "\n";
  iac::ConnectionCheck check =
      iac::CheckClusterConnection(c.endpoint_address, c.endpoint_port, *login, timeout);
  if (!check.login_ok) {
    return text + "login:      FAIL as " + login->user + " (" + login->how +
           "): " + (check.tcp_ok ? check.login_detail : check.tcp_detail) + "\n";
  }
  return text + "login:      OK as " + login->user + " (" + login->how +
         "): " + check.login_detail + "\n";
}

int Run(const GlobalOptions& global, const ClusterOptions& o, Action action) {
  auto settings = LoadSettings(global);
  if (!settings.ok()) return ReportError(settings.error());
  auto cluster = iac::ReadClusterSettings(settings->cfg(), settings->cfg_name());
  if (!cluster.ok()) return ReportError(cluster.error());
  iac::LifecycleOptions lifecycle;
  lifecycle.cidr = o.cidr;
  lifecycle.wait_timeout = std::chrono::seconds(o.wait_timeout_s);
  lifecycle.poll_interval = std::chrono::seconds(o.poll_interval_s);
  lifecycle.final_snapshot = o.final_snapshot;
  lifecycle.save_password = o.save_password;
  std::string region =
      iac::ResolveClusterRegion(settings->cfg(), settings->cfg_name(), o.region).value;
  if (action == Action::kCreate && !o.cidr.empty()) {
    Status valid = iac::ValidateCidr(o.cidr);
    if (!valid.ok()) return ReportError(valid.error());
  }
  if (o.dry_run) {
    std::string text = "# dry run: nothing is sent (region " + region + ")\n";
    if (action == Action::kCreate) text += iac::DryRunCreate(*cluster, lifecycle);
    if (action == Action::kStatus) text += iac::DryRunStatus(*cluster);
    if (action == Action::kDelete) text += iac::DryRunDelete(*cluster, lifecycle);
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  auto api = iac::OpenAwsApi(region);
  if (!api.ok()) return ReportError(api.error());
  const char* verb = action == Action::kCreate   ? "cluster create"
                     : action == Action::kStatus ? "cluster status"
                                                 : "cluster delete";
  if (action == Action::kStatus) {
    auto c = iac::DescribeCluster(**api, cluster->spec.identifier);
    if (!c.ok()) {
      Error e = c.error();
      return ReportError(e.WithContext(verb));
    }
    std::string roles;
    for (const std::string& r : c->iam_role_arns) roles += (roles.empty() ? "" : ", ") + r;
    std::string text =
        "cluster:   " + c->identifier + "\nstatus:    " + c->status + "\nendpoint:  " +
        (c->endpoint_address.empty()
             ? std::string("(none yet)")
             : c->endpoint_address + ":" + std::to_string(c->endpoint_port)) +
        "\nnode type: " + c->node_type + "\nnodes:     " + std::to_string(c->num_nodes) +
        "\ndatabase:  " + c->db_name + " (user " + c->master_user + ")" +
        "\nrole:      " + (roles.empty() ? std::string("(none)") : roles) + "\n";
    text += ConnectionLines(**api, settings->cfg(), *c, o);
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  if (action == Action::kCreate && lifecycle.cidr.empty()) {
    // Secure by default (issue 17): only the caller's own address, never a wider fallback.
    std::string url = iac::CheckIpUrl();
    Result<std::string> own = iac::FindOwnCidr(url);
    if (!own.ok()) return ReportError(own.take_error().WithContext(verb));
    lifecycle.cidr = *own;
    log::Info("opening the cluster port to your public address only: " + lifecycle.cidr +
              " (from " + url + "; --cidr to choose another range)");
  }
  config::IniFile cfg = settings->cfg();  // create edits a copy, then saves it
  Result<iac::Outcome> out =
      action == Action::kCreate
          ? iac::CreateCluster(**api, *cluster, lifecycle, cfg, settings->cfg_name())
          : iac::DeleteCluster(**api, *cluster, lifecycle);
  if (!out.ok()) {
    Error e = out.error();
    if (e.code() == ErrorCode::kAuth) {
      e.WithContext(
          "AWS rejected the credentials (check AWS_ACCESS_KEY_ID / "
          "AWS_SECRET_ACCESS_KEY or the profile)");
    }
    return ReportError(e.WithContext(verb));
  }
  std::string summary = std::string(verb) + ": " +
                        (out->changed ? "done" : "nothing to change, everything was already so");
  std::fputs((summary + "\n").c_str(), stdout);
  return kExitOk;
}

}  // namespace

void AddClusterCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "cluster",
      "Create, inspect or delete the Redshift cluster of dwh.cfg [DWH] (IAM role, cluster, "
      "security group; writes [CLUSTER] HOST and [IAM_ROLE] ARN).\n"
      "Example: sparkify cluster create --cidr 203.0.113.0/24");
  cmd->require_subcommand(1);
  auto options = std::make_shared<ClusterOptions>();
  auto add_common = [options](CLI::App* sub) {
    sub->add_flag("--dry-run", options->dry_run,
                  "Print each AWS call (service, action, parameters) and send nothing");
    sub->add_option("--region", options->region,
                    "Region of the cluster (default: AWS_REGION, the profile, dwh.cfg [DWH] "
                    "REGION, us-west-2)");
  };
  auto add_wait = [options](CLI::App* sub) {
    sub->add_option("--wait-timeout", options->wait_timeout_s,
                    "Seconds to wait for the cluster (default 1800)")
        ->check(CLI::Range(0, 86400));
    sub->add_option("--poll-interval", options->poll_interval_s,
                    "Seconds between status checks while waiting (default 15)")
        ->check(CLI::Range(1, 600));
  };
  auto* create =
      cmd->add_subcommand("create", "Create role, cluster and ingress rule (idempotent)");
  add_common(create);
  add_wait(create);
  create->add_option("--cidr", options->cidr,
                     "IPv4 range allowed to connect to the cluster port (default: your own "
                     "public address as a /32, found through https://checkip.amazonaws.com or "
                     "$SPARKIFY_CHECKIP_URL; 0.0.0.0/0 = everyone, with a warning)");
  create->add_flag("--save-password", options->save_password,
                   "When dwh.cfg [DWH] DWH_DB_PASSWORD is empty, create generates the master "
                   "password; this writes it there (default: kept nowhere, use IAM auth)");
  auto* status = cmd->add_subcommand(
      "status",
      "Print the cluster's state and whether its database accepts a TCP connection and a "
      "login with dwh.cfg [CLUSTER] credentials; exit 6 if it does not exist");
  add_common(status);
  status
      ->add_option("--connect-timeout", options->connect_timeout_s,
                   "Seconds the connection check may take (default 10)")
      ->check(CLI::Range(1, 600));
  status->add_flag("--iam-auth", options->iam_auth,
                   "Log in with temporary credentials from GetClusterCredentials even when "
                   "[CLUSTER] DB_PASSWORD is set");
  auto* del = cmd->add_subcommand("delete", "Delete the cluster, then the role (idempotent)");
  add_common(del);
  add_wait(del);
  del->add_option("--final-snapshot", options->final_snapshot,
                  "Keep a final snapshot with this name (default: none)");
  auto bind = [&global, &run, options](Action action) {
    return [&global, &run, options, action] {
      run = [&global, options, action]() -> int { return Run(global, *options, action); };
    };
  };
  create->callback(bind(Action::kCreate));
  status->callback(bind(Action::kStatus));
  del->callback(bind(Action::kDelete));
}

}  // namespace sparkify::cli
