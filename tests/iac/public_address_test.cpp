// Finding the caller's public address (checkip) and checking --cidr values (issue 17: the
// cluster port opens to the caller's /32 by default). The checkip stand-in is a loopback
// server; nothing here reaches the internet.
#include "sparkify/iac/public_address.hpp"

#include <gtest/gtest.h>

#include "testing/aws_testing.hpp"
#include "testing/loopback_http.hpp"

namespace sparkify::iac {
namespace {

using testing::LoopbackHttpServer;

TEST(PublicAddressTest, AcceptsIpv4CidrBlocks) {
  for (const char* ok : {"203.0.113.7/32", "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32"}) {
    EXPECT_TRUE(ValidateCidr(ok).ok()) << ok;
  }
}

TEST(PublicAddressTest, RejectsMalformedCidrBlocksWithTheReason) {
  struct Case {
    const char* cidr;
    const char* reason;
  };
  for (const Case& c :
       {Case{"203.0.113.7", "no prefix length"},
        Case{"203.0.113.7/33", "prefix length must be 0-32"},
        Case{"203.0.113.7/", "prefix length must be 0-32"},
        Case{"256.0.0.1/32", "not an IPv4 address"}, Case{"1.2.3/32", "not an IPv4 address"},
        Case{"01.2.3.4/32", "not an IPv4 address"}, Case{"::/0", "not an IPv4 address"},
        Case{"everyone/0", "not an IPv4 address"}}) {
    Status s = ValidateCidr(c.cidr);
    ASSERT_FALSE(s.ok()) << c.cidr;
    EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument) << c.cidr;
    EXPECT_NE(s.error().message().find(c.reason), std::string::npos) << s.error().message();
  }
}

TEST(PublicAddressTest, OnlyZeroSlashZeroOpensToEveryone) {
  EXPECT_TRUE(OpensToEveryone("0.0.0.0/0"));
  EXPECT_FALSE(OpensToEveryone("0.0.0.0/1"));
  EXPECT_FALSE(OpensToEveryone("203.0.113.7/32"));
}

TEST(PublicAddressTest, FindsTheAddressAsASlash32) {
  LoopbackHttpServer checkip(200, "198.51.100.7\n");
  Result<std::string> cidr = FindOwnCidr(checkip.url());
  ASSERT_TRUE(cidr.ok()) << cidr.error().ToString();
  EXPECT_EQ(*cidr, "198.51.100.7/32");
  EXPECT_EQ(checkip.requests(), 1);
}

TEST(PublicAddressTest, AnErrorStatusAsksForCidr) {
  LoopbackHttpServer checkip(503, "busy");
  Result<std::string> cidr = FindOwnCidr(checkip.url());
  ASSERT_FALSE(cidr.ok());
  EXPECT_EQ(cidr.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(cidr.error().message().find("HTTP 503"), std::string::npos);
  EXPECT_NE(cidr.error().message().find("--cidr"), std::string::npos);
}

TEST(PublicAddressTest, AnAnswerThatIsNotAnAddressAsksForCidr) {
  LoopbackHttpServer checkip(200, "<html>captive portal</html>");
  Result<std::string> cidr = FindOwnCidr(checkip.url());
  ASSERT_FALSE(cidr.ok());
  EXPECT_EQ(cidr.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(cidr.error().message().find("is not an IPv4 address"), std::string::npos)
      << cidr.error().message();
  EXPECT_NE(cidr.error().message().find("--cidr"), std::string::npos);
}

TEST(PublicAddressTest, AnUnreachableServiceAsksForCidr) {
  std::string url;
  {
    LoopbackHttpServer gone(200, "198.51.100.7");
    url = gone.url();
  }  // stopped: nothing listens on its port any more
  Result<std::string> cidr = FindOwnCidr(url);
  ASSERT_FALSE(cidr.ok());
  EXPECT_EQ(cidr.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(cidr.error().message().find(url), std::string::npos) << cidr.error().message();
}

TEST(PublicAddressTest, TheUrlComesFromTheEnvironment) {
  testing::ScopedEnv env;
  env.Set("SPARKIFY_CHECKIP_URL", std::nullopt);
  EXPECT_EQ(CheckIpUrl(), "https://checkip.amazonaws.com");
  env.Set("SPARKIFY_CHECKIP_URL", "http://127.0.0.1:1/");
  EXPECT_EQ(CheckIpUrl(), "http://127.0.0.1:1/");
}

}  // namespace
}  // namespace sparkify::iac
