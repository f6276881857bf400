#include "sparkify/aws/uri.hpp"

#include <gtest/gtest.h>

namespace sparkify::aws {
namespace {

TEST(UriEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(UriEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c=d&e/f$"), "a%20b%2Bc%3Dd%26e%2Ff%24");
  EXPECT_EQ(UriEncode("\xE1\x88\xB4"), "%E1%88%B4");
}

TEST(UriEncode, KeepsSlashesInPaths) {
  EXPECT_EQ(UriEncode("song_data/A/TRAAA (copy)+x=1&y.json", true),
            "song_data/A/TRAAA%20%28copy%29%2Bx%3D1%26y.json");
}

TEST(PercentDecode, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(PercentDecode("a%20b%2Bc+d"), "a b+c+d");
  EXPECT_EQ(PercentDecode("a%20b%2Bc+d", true), "a b+c d");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
}

TEST(FormEncode, WritesSpacesAsPlusAndKeepsOrder) {
  EXPECT_EQ(FormEncode({{"Action", "CreateRole"}, {"Path", "/"}, {"Description", "a b"}}),
            "Action=CreateRole&Path=%2F&Description=a+b");
}

TEST(ParseUrl, SplitsEndpointUrls) {
  Result<Url> u = ParseUrl("http://127.0.0.1:5000");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 5000);
  EXPECT_EQ(u->path, "");
  EXPECT_EQ(u->Authority(), "127.0.0.1:5000");

  u = ParseUrl("HTTPS://minio.example.com/base/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/base");
  EXPECT_EQ(u->Authority(), "minio.example.com");

  u = ParseUrl("http://[::1]:9000");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "[::1]");
  EXPECT_EQ(u->Authority(), "[::1]:9000");
}

TEST(ParseUrl, RejectsWhatIsNotAnEndpoint) {
  for (const char* bad :
       {"127.0.0.1:5000", "ftp://host", "http://", "http://host:0", "http://host:99999",
        "http://host:12ab", "http://user:pw@host", "http://host/?x=1"}) {
    Result<Url> u = ParseUrl(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace sparkify::aws
