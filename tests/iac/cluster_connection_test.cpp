// IAM authentication's temporary credentials (issue 17) against a scripted Redshift: the
// request's parameters, the 900-3600 s range, caching and renewal by the clock, the password
// kept out of errors; the TCP probe; the generated master password.
#include "sparkify/iac/cluster_connection.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "sparkify/aws/query_api.hpp"
#include "testing/aws_testing.hpp"

namespace sparkify::iac {
namespace {

using std::chrono::seconds;

class CredentialsApi : public ApiCaller {
 public:
  std::vector<aws::QueryParams> calls;
  Result<std::string> Call(std::string_view service, const aws::QueryParams& params) override {
    EXPECT_EQ(service, "redshift");
    calls.push_back(params);
    if (fail) return Error::Auth("AccessDenied: not allowed");
    return "<GetClusterCredentialsResponse><GetClusterCredentialsResult><DbUser>IAM:dwhuser"
           "</DbUser><DbPassword>TempPw" +
           std::to_string(calls.size()) +
           "</DbPassword><Expiration>2026-01-01T00:15:00Z</Expiration>"
           "</GetClusterCredentialsResult></GetClusterCredentialsResponse>";
  }
  bool fail = false;
};

TEST(TemporaryLoginTest, AsksGetClusterCredentialsWithTheClusterUserDatabaseAndDuration) {
  CredentialsApi api;
  TemporaryLogin login(api, "dwhCluster", "dwh", "dwhuser", seconds(1800));
  Result<ClusterLogin> l = login.Get();
  ASSERT_TRUE(l.ok()) << l.error().ToString();
  EXPECT_EQ(l->user, "IAM:dwhuser");
  EXPECT_EQ(l->password, "TempPw1");
  EXPECT_EQ(l->db_name, "dwh");
  EXPECT_NE(l->how.find("IAM"), std::string::npos);
  ASSERT_EQ(api.calls.size(), 1u);
  EXPECT_EQ(aws::ParamValue(api.calls[0], "Action"), "GetClusterCredentials");
  EXPECT_EQ(aws::ParamValue(api.calls[0], "DbUser"), "dwhuser");
  EXPECT_EQ(aws::ParamValue(api.calls[0], "DbName"), "dwh");
  EXPECT_EQ(aws::ParamValue(api.calls[0], "ClusterIdentifier"), "dwhCluster");
  EXPECT_EQ(aws::ParamValue(api.calls[0], "DurationSeconds"), "1800");
}

TEST(TemporaryLoginTest, DurationOutside900To3600IsRejectedBeforeAnyCall) {
  CredentialsApi api;
  for (int bad : {899, 3601, 0}) {
    TemporaryLogin login(api, "c", "d", "u", seconds(bad));
    Result<ClusterLogin> l = login.Get();
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(l.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(api.calls.empty());
}

TEST(TemporaryLoginTest, ReusedWhileValidAndRenewedBeforeItExpires) {
  CredentialsApi api;
  auto now = std::chrono::system_clock::time_point(seconds(1'000'000));
  TemporaryLogin login(api, "c", "d", "u", seconds(900), [&now] { return now; });
  EXPECT_EQ(login.Get()->password, "TempPw1");
  now += seconds(600);
  EXPECT_EQ(login.Get()->password, "TempPw1") << "still valid for 300 s: reused";
  EXPECT_EQ(login.requests(), 1);
  now += seconds(250);  // 50 s left, under the 60 s margin
  EXPECT_EQ(login.Get()->password, "TempPw2") << "a long run gets fresh credentials";
  EXPECT_EQ(login.requests(), 2);
}

TEST(TemporaryLoginTest, RefusalSaysWhatPermissionIsNeeded) {
  CredentialsApi api;
  api.fail = true;
  TemporaryLogin login(api, "c", "d", "u");
  Result<ClusterLogin> l = login.Get();
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code(), ErrorCode::kAuth);
  EXPECT_NE(l.error().ToString().find("redshift:GetClusterCredentials"), std::string::npos)
      << l.error().ToString();
}

TEST(TemporaryLoginTest, EmptyPasswordMeansIamAuthUnlessPgPasswordIsSet) {
  testing::ScopedEnv env;
  env.Set("PGPASSWORD", std::nullopt);
  config::IniFile cfg;
  EXPECT_TRUE(UsesIamAuth(cfg, false));
  cfg.Set("CLUSTER", "DB_PASSWORD", "");
  EXPECT_TRUE(UsesIamAuth(cfg, false));
  cfg.Set("CLUSTER", "DB_PASSWORD", "pw");
  EXPECT_FALSE(UsesIamAuth(cfg, false));
  EXPECT_TRUE(UsesIamAuth(cfg, true)) << "--iam-auth wins";
  config::IniFile empty;
  env.Set("PGPASSWORD", "from-env");
  EXPECT_FALSE(UsesIamAuth(empty, false));
}

TEST(TemporaryLoginTest, ResolveClusterLoginUsesTheConfiguredPasswordOrIam) {
  testing::ScopedEnv env;
  env.Set("PGPASSWORD", std::nullopt);
  CredentialsApi api;
  config::IniFile cfg;
  cfg.Set("CLUSTER", "DB_USER", "analyst");
  cfg.Set("CLUSTER", "DB_PASSWORD", "Secr3t");
  Result<ClusterLogin> plain = ResolveClusterLogin(api, cfg, "c", "dwh", "dwhuser", false);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->user, "analyst");
  EXPECT_EQ(plain->db_name, "dwh");
  EXPECT_EQ(plain->password, "Secr3t");
  EXPECT_TRUE(api.calls.empty());
  Result<ClusterLogin> iam = ResolveClusterLogin(api, cfg, "c", "dwh", "dwhuser", true);
  ASSERT_TRUE(iam.ok());
  EXPECT_EQ(aws::ParamValue(api.calls.at(0), "DbUser"), "analyst");
}

TEST(ProbeTcpTest, ConnectsToAListeningPortAndExplainsARefusal) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  testing::ScopedEnv env;
  env.Set("PGHOSTADDR", std::nullopt);
  EXPECT_TRUE(ProbeTcp("127.0.0.1", port, seconds(2)).ok());
  ::close(fd);
  Status refused = ProbeTcp("127.0.0.1", port, seconds(2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message().find("Connection refused"), std::string::npos)
      << refused.error().message();
  // $PGHOSTADDR replaces the name, which is then never looked up.
  env.Set("PGHOSTADDR", "127.0.0.1");
  Status by_address = ProbeTcp("cluster.example.invalid", port, seconds(2));
  ASSERT_FALSE(by_address.ok());
  EXPECT_NE(by_address.error().message().find("from $PGHOSTADDR"), std::string::npos);
  EXPECT_EQ(by_address.error().message().find("resolve"), std::string::npos);
}

TEST(MasterPasswordTest, StrongAndDifferentEachTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    Result<std::string> p = GenerateMasterPassword();
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->size(), 32u);
    EXPECT_TRUE(std::any_of(p->begin(), p->end(), ::isupper)) << *p;
    EXPECT_TRUE(std::any_of(p->begin(), p->end(), ::islower)) << *p;
    EXPECT_TRUE(std::any_of(p->begin(), p->end(), ::isdigit)) << *p;
    EXPECT_EQ(p->find_first_of("'\"\\/@ "), std::string::npos) << *p;
    seen.insert(*p);
  }
  EXPECT_EQ(seen.size(), 20u);
}

}  // namespace
}  // namespace sparkify::iac
