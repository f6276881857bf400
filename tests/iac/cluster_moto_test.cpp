// `sparkify cluster create|status|delete` end to end against moto_server in auth mode (it
// verifies every SigV4 signature): create -> status -> create again -> delete -> delete
// again, checking moto's state (through boto3) and dwh.cfg byte for byte after each step.
// This suite starts its own moto (auth mode, a free port) and stops it by pid; it fails,
// never skips, when python3 with moto[server] and boto3 is missing.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "testing/aws_testing.hpp"
#include "testing/loopback_http.hpp"
#include "testing/pg_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify::testing {
namespace {

// Prints moto's IaC state as one line per fact, sorted.
constexpr char kStateScript[] = R"PY(
import sys, boto3, botocore
url, key, secret = sys.argv[1:4]
kw = dict(endpoint_url=url, aws_access_key_id=key, aws_secret_access_key=secret)
iam = boto3.client('iam', region_name='us-east-1', **kw)
rs = boto3.client('redshift', region_name='us-west-2', **kw)
ec2 = boto3.client('ec2', region_name='us-west-2', **kw)
out = []
for r in iam.list_roles()['Roles']:
    if r['RoleName'] == 'ci': continue
    out.append('role %s %s' % (r['RoleName'], r['Arn']))
    doc = r['AssumeRolePolicyDocument']
    out.append('trust %s' % doc['Statement'][0]['Principal']['Service'])
    for p in iam.list_attached_role_policies(RoleName=r['RoleName'])['AttachedPolicies']:
        out.append('policy %s' % p['PolicyArn'])
for c in rs.describe_clusters()['Clusters']:
    out.append('cluster %s %s %s %s %s %s %s' % (c['ClusterIdentifier'], c['ClusterStatus'],
               c['NodeType'], c['NumberOfNodes'], c['DBName'], c['MasterUsername'],
               ','.join(r['IamRoleArn'] for r in c.get('IamRoles', []))))
    out.append('host %s' % c['Endpoint']['Address'])
    out.append('encrypted %s' % c.get('Encrypted'))
vpc = [v['VpcId'] for v in ec2.describe_vpcs()['Vpcs'] if v['IsDefault']][0]
for g in ec2.describe_security_groups(Filters=[{'Name': 'vpc-id', 'Values': [vpc]}])['SecurityGroups']:
    for p in g['IpPermissions']:
        for r in p.get('IpRanges', []):
            out.append('ingress %s %s %s-%s %s' % (g['GroupName'], p['IpProtocol'],
                       p.get('FromPort'), p.get('ToPort'), r['CidrIp']))
print('\n'.join(sorted(out)))
)PY";

constexpr char kBootstrapScript[] = R"PY(
import sys, boto3
iam = boto3.client('iam', region_name='us-east-1', endpoint_url=sys.argv[1],
                   aws_access_key_id='boot', aws_secret_access_key='boot')
iam.create_user(UserName='ci')
k = iam.create_access_key(UserName='ci')['AccessKey']
iam.attach_user_policy(UserName='ci', PolicyArn='arn:aws:iam::aws:policy/AdministratorAccess')
print(k['AccessKeyId'], k['SecretAccessKey'])
)PY";

constexpr char kConfig[] =
    "; sparkify test config -- comments, odd spacing and order must survive\r\n"
    "[CLUSTER]\r\n"
    "HOST=\r\n"
    "DB_NAME   :  dwh\r\n"
    "DB_USER=dwhuser\r\n"
    "DB_PASSWORD=Passw0rdXyz\r\n"
    "DB_PORT=5439\r\n"
    "\r\n"
    "[IAM_ROLE]\r\n"
    "ARN=''\r\n"
    "\r\n"
    "# the cluster\r\n"
    "[DWH]\r\n"
    "dwh_cluster_type = multi-node\r\n"
    "DWH_NUM_NODES=2\r\n"
    "DWH_NODE_TYPE=dc2.large\r\n"
    "DWH_IAM_ROLE_NAME=sparkifyTestRole\r\n"
    "DWH_CLUSTER_IDENTIFIER=sparkify-test\r\n"
    "DWH_DB=dwh\r\n"
    "DWH_DB_USER=dwhuser\r\n"
    "DWH_DB_PASSWORD=Passw0rdXyz\r\n"
    "DWH_PORT=5439\r\n";

class ClusterMotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The checkip stand-in: `cluster create` without --cidr asks it for the caller's address
    // (issue 17); the real https://checkip.amazonaws.com is never contacted.
    checkip_ = std::make_unique<LoopbackHttpServer>(200, "198.51.100.7\n");
    ProcessResult port =
        RunProcess({"/bin/sh", "-c",
                    "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); "
                    "print(s.getsockname()[1])'"});
    ASSERT_EQ(port.exit_code, 0) << port.err;
    port_ = std::stoi(port.out);
    url_ = "http://127.0.0.1:" + std::to_string(port_);
    ProcessResult started = RunProcess(
        {"/bin/sh", "-c",
         "python3 -c 'import moto, flask, flask_cors, boto3' || { echo 'moto[server] and boto3 "
         "are required: python3 -m pip install \"moto[server]==5.2.1\" boto3' >&2; exit 1; }; "
         "setsid python3 -m moto.server -H 127.0.0.1 -p " +
             std::to_string(port_) + " >/dev/null 2>&1 </dev/null & echo $!"},
        {{"MOTO_IAM_LOAD_MANAGED_POLICIES", "true"}, {"INITIAL_NO_AUTH_ACTION_COUNT", "3"}});
    ASSERT_EQ(started.exit_code, 0) << "cannot start moto in auth mode: " << started.err;
    pid_ = std::stoi(started.out);
    ProcessResult ready = RunProcess({"/usr/bin/env", "python3", "-c",
                                      "import socket, sys, time\n"
                                      "for _ in range(300):\n"
                                      "    try:\n"
                                      "        socket.create_connection(('127.0.0.1', " +
                                          std::to_string(port_) +
                                          "), 1).close(); sys.exit(0)\n"
                                          "    except OSError: time.sleep(0.1)\n"
                                          "sys.exit(1)\n"});
    ASSERT_EQ(ready.exit_code, 0) << "moto (auth mode) did not come up on " << url_;
    ProcessResult boot = RunProcess({"/usr/bin/env", "python3", "-c", kBootstrapScript, url_});
    ASSERT_EQ(boot.exit_code, 0) << boot.err;
    size_t space = boot.out.find(' ');
    key_ = boot.out.substr(0, space);
    secret_ = boot.out.substr(space + 1);
    while (!secret_.empty() && (secret_.back() == '\n' || secret_.back() == '\r')) {
      secret_.pop_back();
    }
  }
  static void TearDownTestSuite() {
    if (pid_ > 0) kill(pid_, SIGTERM);
    pid_ = 0;
    checkip_.reset();
  }

  ProcessResult Sparkify(std::vector<std::string> args, const std::string& secret = "",
                         const std::string& checkip_url = "",
                         const std::map<std::string, std::optional<std::string>>& extra = {}) {
    std::vector<std::string> argv = {SPARKIFY_BINARY, "--config", cfg_path_};
    argv.insert(argv.end(), args.begin(), args.end());
    std::map<std::string, std::optional<std::string>> env = {
        {"SPARKIFY_CHECKIP_URL", checkip_url.empty() ? checkip_->url() : checkip_url},
        {"AWS_ACCESS_KEY_ID", key_},
        {"AWS_SECRET_ACCESS_KEY", secret.empty() ? secret_ : secret},
        {"AWS_SESSION_TOKEN", std::nullopt},
        {"AWS_PROFILE", std::nullopt},
        {"AWS_SHARED_CREDENTIALS_FILE", dir_ / "none"},
        {"AWS_CONFIG_FILE", dir_ / "none"},
        {"AWS_ENDPOINT_URL", url_},
        {"AWS_REGION", "us-west-2"},
        {"AWS_MAX_ATTEMPTS", "2"},
        {"SPARKIFY_AWS_RETRY_BASE_MS", "10"},
        // moto's endpoints are made-up names: the connection checks go to 127.0.0.1
        // and never look them up (issue 17).
        {"PGHOSTADDR", "127.0.0.1"},
        {"PGSSLMODE", "disable"},
        {"PGPASSWORD", std::nullopt}};
    for (const auto& [k, v] : extra) env[k] = v;
    return RunProcess(argv, env);
  }
  std::string State() {
    ProcessResult r =
        RunProcess({"/usr/bin/env", "python3", "-c", kStateScript, url_, key_, secret_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  void SetUp() override {
    ASSERT_GT(pid_, 0) << "moto in auth mode is not running";
    cfg_path_ = dir_ / "dwh.cfg";
    WriteFile(cfg_path_, kConfig);
  }

  static inline std::unique_ptr<LoopbackHttpServer> checkip_;
  static inline int port_ = 0;
  static inline int pid_ = 0;
  static inline std::string url_, key_, secret_;
  TempDir dir_;
  std::string cfg_path_;
};

std::string Line(const std::string& text, const std::string& prefix) {
  size_t at = text.find(prefix);
  if (at == std::string::npos) return "";
  size_t end = text.find('\n', at);
  return text.substr(at + prefix.size(), end - at - prefix.size());
}

TEST_F(ClusterMotoTest, CreateStatusCreateAgainDeleteDeleteAgain) {
  ASSERT_EQ(State(), "\n") << "moto should start empty";

  ProcessResult status0 = Sparkify({"cluster", "status"});
  EXPECT_EQ(status0.exit_code, 6) << status0.err;
  EXPECT_NE(status0.err.find("does not exist"), std::string::npos) << status0.err;

  const int asked = checkip_->requests();
  ProcessResult create = Sparkify({"cluster", "create", "--poll-interval", "1"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_NE(create.out.find("cluster create: done"), std::string::npos) << create.out;
  EXPECT_EQ(checkip_->requests(), asked + 1) << "one GET of the checkip stand-in";
  EXPECT_EQ(create.err.find("0.0.0.0/0"), std::string::npos) << create.err;
  EXPECT_NE(create.err.find("198.51.100.7/32"), std::string::npos) << create.err;
  std::string state = State();
  std::string arn = Line(state, "role sparkifyTestRole ");
  std::string host = Line(state, "host ");
  ASSERT_FALSE(arn.empty()) << state;
  ASSERT_FALSE(host.empty()) << state;
  EXPECT_EQ(state, "cluster sparkify-test available dc2.large 2 dwh dwhuser " + arn + "\n" +
                       "encrypted True\n" + "host " + host + "\n" +
                       "ingress default tcp 5439-5439 198.51.100.7/32\n" +
                       "policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n" +
                       "role sparkifyTestRole " + arn + "\n" + "trust redshift.amazonaws.com\n");
  std::string expected_cfg = kConfig;
  expected_cfg.replace(expected_cfg.find("HOST=\r\n"), 7, "HOST=" + host + "\r\n");
  expected_cfg.replace(expected_cfg.find("ARN=''"), 6, "ARN='" + arn + "'");
  EXPECT_EQ(ReadFile(cfg_path_), expected_cfg);

  ProcessResult status = Sparkify({"cluster", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("status:    available"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("endpoint:  " + host + ":5439"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("nodes:     2"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("role:      " + arn), std::string::npos) << status.out;
  // Nothing listens on 127.0.0.1:5439: the connection check says so and why.
  EXPECT_NE(status.out.find("connection: FAIL: no TCP connection to " + host +
                            ":5439 (address 127.0.0.1 from $PGHOSTADDR): Connection refused"),
            std::string::npos)
      << status.out;

  ProcessResult again = Sparkify({"cluster", "create", "--poll-interval", "1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to change"), std::string::npos) << again.out;
  EXPECT_EQ(State(), state);
  EXPECT_EQ(ReadFile(cfg_path_), expected_cfg);

  ProcessResult del = Sparkify({"cluster", "delete", "--poll-interval", "1"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_NE(del.out.find("cluster delete: done"), std::string::npos) << del.out;
  EXPECT_EQ(State(), "ingress default tcp 5439-5439 198.51.100.7/32\n");
  EXPECT_EQ(ReadFile(cfg_path_), expected_cfg);

  ProcessResult del2 = Sparkify({"cluster", "delete", "--poll-interval", "1"});
  ASSERT_EQ(del2.exit_code, 0) << del2.err;
  EXPECT_NE(del2.out.find("nothing to change"), std::string::npos) << del2.out;
  EXPECT_EQ(State(), "ingress default tcp 5439-5439 198.51.100.7/32\n");

  ProcessResult status2 = Sparkify({"cluster", "status"});
  EXPECT_EQ(status2.exit_code, 6) << status2.err;
}

// --cidr 0.0.0.0/0 still works, with a warning; checkip is not asked.
TEST_F(ClusterMotoTest, CidrEveryoneStillWorksWithAWarning) {
  const int asked = checkip_->requests();
  ProcessResult create =
      Sparkify({"cluster", "create", "--poll-interval", "1", "--cidr", "0.0.0.0/0"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_NE(create.err.find("warning"), std::string::npos) << create.err;
  EXPECT_NE(create.err.find("0.0.0.0/0 (the whole internet)"), std::string::npos) << create.err;
  EXPECT_EQ(checkip_->requests(), asked);
  EXPECT_NE(State().find("ingress default tcp 5439-5439 0.0.0.0/0\n"), std::string::npos);
  ProcessResult del = Sparkify({"cluster", "delete", "--poll-interval", "1"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
}

// No address, no cluster: create stops before any AWS call and asks for --cidr.
TEST_F(ClusterMotoTest, CreateStopsWhenTheAddressCannotBeFound) {
  const std::string before = State();
  LoopbackHttpServer broken(500, "no");
  ProcessResult create = Sparkify({"cluster", "create", "--poll-interval", "1"}, "", broken.url());
  EXPECT_EQ(create.exit_code, 1) << create.err;
  EXPECT_NE(create.err.find("cannot find your public IP address through " + broken.url()),
            std::string::npos)
      << create.err;
  EXPECT_NE(create.err.find("pass --cidr"), std::string::npos) << create.err;
  EXPECT_EQ(broken.requests(), 1);
  EXPECT_EQ(State(), before);
  EXPECT_EQ(ReadFile(cfg_path_), kConfig);

  ProcessResult bad = Sparkify({"cluster", "create", "--cidr", "203.0.113.7"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("no prefix length"), std::string::npos) << bad.err;
  EXPECT_EQ(State(), before);
}

// A cluster whose "endpoint" is the script-started PostgreSQL (port = DWH_PORT, address
// 127.0.0.1 by $PGHOSTADDR): cluster status and debug log in with [CLUSTER] credentials, fail
// with a wrong password, and use IAM authentication (GetClusterCredentials) when DB_PASSWORD
// is empty.
TEST_F(ClusterMotoTest, StatusAndDebugCheckTheClusterDatabase) {
  Result<std::unique_ptr<PgTestDatabase>> db = PgTestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  const std::string role = "sparkify_dwh_" + std::to_string(::getpid());
  ASSERT_TRUE((*db)->AdminExecute("drop role if exists " + role).ok());
  ASSERT_TRUE((*db)->AdminExecute("create role " + role + " login password 'DbPassw0rd-ok'").ok());
  const std::string port = (*db)->tcp_port();
  auto config = [&](const std::string& password) {
    return "[CLUSTER]\nDB_NAME=" + (*db)->name() + "\nDB_USER=" + role +
           "\nDB_PASSWORD=" + password +
           "\n[DWH]\nDWH_CLUSTER_TYPE=single-node\nDWH_CLUSTER_IDENTIFIER=sparkify-conn\n"
           "DWH_IAM_ROLE_NAME=sparkifyConnRole\nDWH_DB=" +
           (*db)->name() + "\nDWH_DB_PASSWORD=Passw0rdXyz\nDWH_PORT=" + port +
           "\n[S3]\nSONG_DATA=" + SampleDataDir() + "/song_data\nLOG_DATA=" + SampleDataDir() +
           "/log_data\n";
  };
  WriteFile(cfg_path_, config("DbPassw0rd-ok"));
  ProcessResult create =
      Sparkify({"cluster", "create", "--poll-interval", "1", "--cidr", "203.0.113.7/32"});
  ASSERT_EQ(create.exit_code, 0) << create.err;

  ProcessResult status = Sparkify({"cluster", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("connection: OK (TCP to "), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("login:      OK as " + role + " ([CLUSTER] DB_PASSWORD): PostgreSQL"),
            std::string::npos)
      << status.out;

  const std::vector<std::string> debug = {"debug",
                                          "--format",
                                          "json",
                                          "--timeout",
                                          "5",
                                          "--target",
                                          "duckdb:" + dir_.path() + "/x.duckdb"};
  ProcessResult ok = Sparkify(debug);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(
      ok.out.find(
          R"({"name":"aws identity","status":"ok","detail":"account 123456789012, arn:aws:iam::123456789012:user/ci")"),
      std::string::npos)
      << ok.out;
  EXPECT_NE(ok.out.find(R"({"name":"cluster","status":"ok")"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(R"({"name":"cluster database","status":"ok")"), std::string::npos)
      << ok.out;
  EXPECT_EQ(ok.out.find("DbPassw0rd-ok"), std::string::npos);
  EXPECT_EQ(ok.out.find(secret_), std::string::npos);

  WriteFile(cfg_path_, config("Wr0ng-password"));
  ProcessResult bad = Sparkify({"cluster", "status"});
  EXPECT_EQ(bad.exit_code, 0) << bad.err;
  EXPECT_NE(bad.out.find("login:      FAIL as " + role + " ([CLUSTER] DB_PASSWORD): "),
            std::string::npos)
      << bad.out;
  EXPECT_NE(bad.out.find("password authentication failed"), std::string::npos) << bad.out;
  EXPECT_EQ(bad.out.find("Wr0ng-password"), std::string::npos);
  ProcessResult bad_debug = Sparkify(debug);
  EXPECT_EQ(bad_debug.exit_code, 1) << bad_debug.out;
  EXPECT_NE(bad_debug.out.find(R"({"name":"cluster database","status":"fail")"), std::string::npos)
      << bad_debug.out;

  // No password on disk: temporary credentials for IAM:<user> from GetClusterCredentials.
  WriteFile(cfg_path_, config(""));
  ProcessResult iam = Sparkify({"cluster", "status"});
  EXPECT_EQ(iam.exit_code, 0) << iam.err;
  EXPECT_NE(iam.out.find("login:      FAIL as IAM:" + role +
                         " (IAM authentication (temporary credentials from "
                         "GetClusterCredentials)): "),
            std::string::npos)
      << iam.out;
  EXPECT_NE(iam.out.find("password authentication failed for user \"IAM:" + role + "\""),
            std::string::npos)
      << iam.out;

  // The same through a Redshift target: [CLUSTER] HOST is the server's socket folder (trusted),
  // so the temporary login is accepted and the session runs as IAM:<user>.
  ASSERT_TRUE((*db)->AdminExecute("drop role if exists \"IAM:" + role + "\"").ok());
  ASSERT_TRUE((*db)->AdminExecute("create role \"IAM:" + role + "\" login").ok());
  std::smatch m;
  const std::string admin = std::getenv("SPARKIFY_TEST_PG_URI");
  ASSERT_TRUE(std::regex_search(admin, m, std::regex("host=([^&]+)"))) << admin;
  WriteFile(cfg_path_, "[CLUSTER]\nHOST=" + m[1].str() + "\nDB_PORT=" + port + "\n" +
                           config("").substr(std::string("[CLUSTER]\n").size()));
  ProcessResult query = Sparkify(
      {"query", "--target", "redshift:", "--sql", "select current_user as who", "--format", "csv"},
      "", "", {{"PGHOSTADDR", std::nullopt}});
  EXPECT_EQ(query.exit_code, 0) << query.err;
  EXPECT_EQ(query.out, "who\r\nIAM:" + role + "\r\n") << query.err;

  ASSERT_TRUE((*db)->AdminExecute("drop role if exists \"IAM:" + role + "\"").ok());
  ASSERT_TRUE((*db)->AdminExecute("drop role if exists " + role).ok());
  ProcessResult del = Sparkify({"cluster", "delete", "--poll-interval", "1"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
}

// No DWH_DB_PASSWORD: create generates the master password, shows it nowhere, keeps it
// nowhere (or in dwh.cfg with --save-password), and says to use IAM authentication.
TEST_F(ClusterMotoTest, CreateGeneratesTheMasterPasswordWhenNoneIsConfigured) {
  std::string cfg = kConfig;
  cfg.replace(cfg.find("DWH_DB_PASSWORD=Passw0rdXyz"), 27, "DWH_DB_PASSWORD=");
  WriteFile(cfg_path_, cfg);
  ProcessResult create =
      Sparkify({"cluster", "create", "--poll-interval", "1", "--cidr", "203.0.113.7/32"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_NE(create.err.find("generated 32-character password, shown nowhere and kept nowhere"),
            std::string::npos)
      << create.err;
  EXPECT_NE(create.err.find("IAM authentication"), std::string::npos) << create.err;
  std::string written = ReadFile(cfg_path_);
  EXPECT_NE(written.find("DWH_DB_PASSWORD=\r\n"), std::string::npos) << written;
  ProcessResult del = Sparkify({"cluster", "delete", "--poll-interval", "1"});
  ASSERT_EQ(del.exit_code, 0) << del.err;

  WriteFile(cfg_path_, cfg);
  ProcessResult saved = Sparkify(
      {"cluster", "create", "--poll-interval", "1", "--cidr", "203.0.113.7/32", "--save-password"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  std::smatch m;
  written = ReadFile(cfg_path_);
  ASSERT_TRUE(std::regex_search(written, m, std::regex("DWH_DB_PASSWORD=([^\r\n]+)"))) << written;
  const std::string password = m[1];
  EXPECT_EQ(password.size(), 32u) << password;
  EXPECT_EQ(saved.out.find(password), std::string::npos) << "the password was printed";
  EXPECT_EQ(saved.err.find(password), std::string::npos) << "the password was printed";
  ProcessResult del2 = Sparkify({"cluster", "delete", "--poll-interval", "1"});
  ASSERT_EQ(del2.exit_code, 0) << del2.err;
}

TEST_F(ClusterMotoTest, WrongSecretKeyIsAnAuthenticationError) {
  for (const char* action : {"status", "create"}) {
    ProcessResult r = Sparkify({"cluster", action}, "wrong-secret-key");
    EXPECT_EQ(r.exit_code, 7) << action << ": " << r.err;
    EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
  }
  EXPECT_EQ(ReadFile(cfg_path_), kConfig);
}

TEST_F(ClusterMotoTest, DryRunSendsNothingAndMasksThePassword) {
  const std::string before = State();
  for (const char* action : {"create", "status", "delete"}) {
    // A wrong endpoint proves nothing is sent.
    ProcessResult r =
        RunProcess({SPARKIFY_BINARY, "--config", cfg_path_, "cluster", action, "--dry-run"},
                   {{"AWS_ENDPOINT_URL", "http://127.0.0.1:9"}});
    ASSERT_EQ(r.exit_code, 0) << action << ": " << r.err;
    EXPECT_EQ(r.out.find("Passw0rdXyz"), std::string::npos) << r.out;
    if (std::string(action) == "create") {
      EXPECT_NE(r.out.find("iam CreateRole\n"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("    MasterUserPassword=********\n"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("ec2 AuthorizeSecurityGroupIngress\n"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("    Encrypted=true\n"), std::string::npos) << r.out;
    }
    if (std::string(action) == "delete") {
      EXPECT_NE(r.out.find("    SkipFinalClusterSnapshot=true\n"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("iam DeleteRole\n"), std::string::npos) << r.out;
    }
  }
  EXPECT_EQ(ReadFile(cfg_path_), kConfig);
  EXPECT_EQ(State(), before);
}

}  // namespace
}  // namespace sparkify::testing
