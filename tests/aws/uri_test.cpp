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

// Found by fuzz/sigv4_fuzz.cpp: a host with an unbracketed ':' parsed, and its Authority()
// then named another host and port.
TEST(ParseUrl, RejectsAColonOrBlankInAHostOutsideBrackets) {
  for (const char* bad :
       {"http://a:b:80", "http://minio.example.com:9000=GetObject:///", "http://::1:9000",
        "http://host name", "http://host\t:80", "http://[::1]]:80", "http://a[b]"}) {
    Result<Url> u = ParseUrl(bad);
    ASSERT_FALSE(u.ok()) << bad << " parsed as host " << u->host;
    EXPECT_EQ(u.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
  // What parses re-parses from its own parts.
  for (const char* good : {"http://[::1]:9000/base", "https://minio.example.com:9000",
                           "http://host:/", "http://127.0.0.1"}) {
    Result<Url> u = ParseUrl(good);
    ASSERT_TRUE(u.ok()) << good << ": " << u.error().ToString();
    Result<Url> again = ParseUrl(u->scheme + "://" + u->Authority() + u->path);
    ASSERT_TRUE(again.ok()) << good;
    EXPECT_EQ(again->host, u->host);
    EXPECT_EQ(again->port, u->port);
    EXPECT_EQ(again->path, u->path);
  }
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
