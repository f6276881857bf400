// The lifecycle's decisions against scripted services (no network): bounded waiting with
// progress, throttling retried by the Query-API client, and the dry-run text.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <map>
#include <string>

#include "sparkify/aws/query_api.hpp"
#include "sparkify/iac/cluster.hpp"
#include "testing/fake_transport.hpp"

namespace sparkify::iac {
namespace {

using std::chrono::milliseconds;

// Answers by Action; unknown actions fail the test.
class ScriptedApi : public ApiCaller {
 public:
  std::map<std::string, std::function<Result<std::string>(const aws::QueryParams&)>> answers;
  std::vector<std::string> calls;
  Result<std::string> Call(std::string_view service, const aws::QueryParams& params) override {
    std::string action = aws::ParamValue(params, "Action");
    calls.push_back(std::string(service) + " " + action);
    auto it = answers.find(action);
    if (it == answers.end()) {
      ADD_FAILURE() << "unexpected call " << action;
      return Error::Internal("unexpected");
    }
    return it->second(params);
  }
};

Error ServiceError(ErrorCode code, const std::string& service_code) {
  Error e(code, service_code);
  e.service_code = service_code;
  return e;
}

ClusterSettings Settings() {
  config::IniFile cfg;
  cfg.Set("DWH", "DWH_DB_PASSWORD", "Passw0rdXyz");
  auto s = ReadClusterSettings(cfg, "dwh.cfg");
  EXPECT_TRUE(s.ok());
  return *s;
}

TEST(ClusterLifecycleTest, WaitingIsBoundedByTheTimeout) {
  ScriptedApi api;
  api.answers["CreateRole"] = [](const aws::QueryParams&) -> Result<std::string> {
    return std::string(
        "<CreateRoleResponse><CreateRoleResult><Role><RoleName>dwhRole</RoleName>"
        "<Arn>arn:aws:iam::1:role/dwhRole</Arn></Role></CreateRoleResult>"
        "</CreateRoleResponse>");
  };
  api.answers["ListAttachedRolePolicies"] = [](const aws::QueryParams&) -> Result<std::string> {
    return std::string(
        "<ListAttachedRolePoliciesResponse><ListAttachedRolePoliciesResult><AttachedPolicies/>"
        "</ListAttachedRolePoliciesResult></ListAttachedRolePoliciesResponse>");
  };
  api.answers["AttachRolePolicy"] = [](const aws::QueryParams&) -> Result<std::string> {
    return std::string("<AttachRolePolicyResponse/>");
  };
  api.answers["CreateCluster"] = [](const aws::QueryParams&) -> Result<std::string> {
    return ServiceError(ErrorCode::kInvalidArgument, "ClusterAlreadyExists");
  };
  api.answers["DescribeClusters"] = [](const aws::QueryParams&) -> Result<std::string> {
    return std::string(
        "<DescribeClustersResponse><DescribeClustersResult><Clusters><Cluster>"
        "<ClusterIdentifier>dwhcluster</ClusterIdentifier><ClusterStatus>creating"
        "</ClusterStatus></Cluster></Clusters></DescribeClustersResult>"
        "</DescribeClustersResponse>");
  };
  LifecycleOptions options;
  options.cidr = "203.0.113.7/32";
  options.wait_timeout = milliseconds(50000);
  options.poll_interval = milliseconds(15000);
  milliseconds slept{0};
  options.sleep = [&slept](milliseconds d) { slept += d; };
  config::IniFile cfg;
  auto out = CreateCluster(api, Settings(), options, cfg, "/nonexistent/dwh.cfg");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(out.error().message().find("still creating after 50 s"), std::string::npos)
      << out.error().message();
  EXPECT_EQ(slept, milliseconds(50000));  // 15 + 15 + 15 + 5
  EXPECT_EQ(cfg.Text(), "");              // nothing written
}

TEST(ClusterLifecycleTest, DeleteOfAMissingClusterAndRoleIsANoOp) {
  ScriptedApi api;
  api.answers["DeleteCluster"] = [](const aws::QueryParams& p) -> Result<std::string> {
    EXPECT_EQ(aws::ParamValue(p, "SkipFinalClusterSnapshot"), "true");
    return ServiceError(ErrorCode::kNotFound, "ClusterNotFound");
  };
  api.answers["DetachRolePolicy"] = [](const aws::QueryParams&) -> Result<std::string> {
    return ServiceError(ErrorCode::kNotFound, "NoSuchEntity");
  };
  api.answers["DeleteRole"] = [](const aws::QueryParams&) -> Result<std::string> {
    return ServiceError(ErrorCode::kNotFound, "NoSuchEntity");
  };
  auto out = DeleteCluster(api, Settings(), {});
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_FALSE(out->changed);
  EXPECT_EQ(api.calls, (std::vector<std::string>{"redshift DeleteCluster", "iam DetachRolePolicy",
                                                 "iam DeleteRole"}));
}

TEST(ClusterLifecycleTest, DeleteConflictStopsWithAHint) {
  ScriptedApi api;
  api.answers["DeleteCluster"] = [](const aws::QueryParams&) -> Result<std::string> {
    return ServiceError(ErrorCode::kNotFound, "ClusterNotFound");
  };
  api.answers["DetachRolePolicy"] = [](const aws::QueryParams&) -> Result<std::string> {
    return std::string("<DetachRolePolicyResponse/>");
  };
  api.answers["DeleteRole"] = [](const aws::QueryParams&) -> Result<std::string> {
    return ServiceError(ErrorCode::kInvalidArgument, "DeleteConflict");
  };
  auto out = DeleteCluster(api, Settings(), {});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().ToString().find("detach them and run delete again"), std::string::npos)
      << out.error().ToString();
}

TEST(ClusterLifecycleTest, ThrottlingIsRetriedByTheQueryApiClient) {
  int tries = 0;
  testing::FakeServer server([&tries](const aws::HttpRequest&) -> Result<aws::HttpResponse> {
    if (++tries < 3) {
      return testing::MakeResponse(
          400,
          "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message>"
          "</Error></ErrorResponse>");
    }
    return testing::MakeResponse(200, "<DescribeClustersResponse/>");
  });
  aws::QueryServiceConfig config;
  config.client.service = "redshift";
  config.client.region = "us-west-2";
  config.client.credentials = aws::Credentials{"AKID", "secret", "", "test"};
  config.client.make_transport = server.Factory();
  config.client.sleep = [](milliseconds) {};
  config.client.jitter = [] { return 0.0; };
  config.default_host = "redshift.us-west-2.amazonaws.com";
  auto service = aws::QueryService::Create(config);
  ASSERT_TRUE(service.ok());
  auto body = (*service)->Call({{"Action", "DescribeClusters"}, {"Version", "2012-12-01"}});
  ASSERT_TRUE(body.ok()) << body.error().ToString();
  EXPECT_EQ(tries, 3);
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[0].host, "redshift.us-west-2.amazonaws.com");
  EXPECT_EQ(server.requests()[0].method, "POST");
}

TEST(ClusterLifecycleTest, DryRunNamesEveryCallAndMasksThePassword) {
  std::string text = DryRunCreate(Settings(), {});
  EXPECT_EQ(text.find("Passw0rdXyz"), std::string::npos);
  size_t last = 0;  // in this order
  for (const char* call : {"iam CreateRole", "iam AttachRolePolicy", "redshift CreateCluster",
                           "redshift DescribeClusters", "ec2 AuthorizeSecurityGroupIngress"}) {
    size_t at = text.find(std::string(call) + "\n");
    ASSERT_NE(at, std::string::npos) << call << " in\n" << text;
    EXPECT_GE(at, last) << call;
    last = at;
  }
  // Secure by default (issue 17): encrypted, and the port open to the caller's /32 only.
  EXPECT_NE(text.find("    Encrypted=true\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    IpPermissions.1.IpRanges.1.CidrIp=<your public IPv4 address>/32\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("0.0.0.0/0"), std::string::npos) << text;
  LifecycleOptions everyone;
  everyone.cidr = "0.0.0.0/0";
  std::string open = DryRunCreate(Settings(), everyone);
  EXPECT_NE(open.find("    IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0\n"), std::string::npos);
  EXPECT_NE(open.find("warning: 0.0.0.0/0 lets the whole internet reach the port"),
            std::string::npos)
      << open;
  LifecycleOptions keep;
  keep.final_snapshot = "final-1";
  std::string del = DryRunDelete(Settings(), keep);
  EXPECT_NE(del.find("    FinalClusterSnapshotIdentifier=final-1\n"), std::string::npos) << del;
}

TEST(ClusterLifecycleTest, CreateWithoutOrWithABadCidrSendsNothing) {
  ScriptedApi api;  // any call fails the test
  config::IniFile cfg;
  for (const char* cidr : {"", "203.0.113.7", "203.0.113.7/33", "::/0", "1.2.3/32"}) {
    LifecycleOptions options;
    options.cidr = cidr;
    Result<Outcome> out = CreateCluster(api, Settings(), options, cfg, "/nonexistent/dwh.cfg");
    ASSERT_FALSE(out.ok()) << cidr;
    EXPECT_EQ(out.error().code(), ErrorCode::kInvalidArgument) << cidr;
    EXPECT_NE(out.error().message().find("--cidr"), std::string::npos) << out.error().message();
  }
  EXPECT_TRUE(api.calls.empty());
}

}  // namespace
}  // namespace sparkify::iac
