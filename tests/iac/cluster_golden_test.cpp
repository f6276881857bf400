// `sparkify cluster create --dry-run` for a fixed configuration (tests/golden/iac/): every
// call, in order, with the secure defaults of issue 17 visible (Encrypted=true, the port
// open to the caller's /32 only) and the password masked. Nothing is sent: the endpoint and
// checkip URL point at a closed loopback port.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "testing/aws_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify::testing {
namespace {

const std::string kGoldenDir = std::string(SPARKIFY_SOURCE_DIR) + "/tests/golden/iac";

ProcessResult DryRun(const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {SPARKIFY_BINARY, "--config", kGoldenDir + "/dwh.cfg",
                                   "cluster",       "create",   "--dry-run",
                                   "--region",      "us-west-2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunProcess(
      argv, {{"SPARKIFY_CHECKIP_URL", std::nullopt}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"}});
}

// Regenerate with SPARKIFY_UPDATE_GOLDEN=1 and review the diff.
TEST(ClusterGoldenTest, CreateDryRunPrintsEveryCallWithSecureDefaults) {
  ProcessResult r = DryRun({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string golden = kGoldenDir + "/cluster_create_dry_run.txt";
  if (const char* u = std::getenv("SPARKIFY_UPDATE_GOLDEN"); u != nullptr && u[0] == '1') {
    WriteFile(golden, r.out);
  }
  EXPECT_EQ(r.out, ReadFile(golden));
  EXPECT_EQ(r.out.find("Passw0rdGolden"), std::string::npos);
}

TEST(ClusterGoldenTest, CreateDryRunShowsAGivenCidr) {
  ProcessResult r = DryRun({"--cidr", "203.0.113.0/24"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("    IpPermissions.1.IpRanges.1.CidrIp=203.0.113.0/24\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("checkip"), std::string::npos) << r.out;
  ProcessResult bad = DryRun({"--cidr", "203.0.113.0/40"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

}  // namespace
}  // namespace sparkify::testing
