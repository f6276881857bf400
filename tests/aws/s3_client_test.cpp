// The S3 client and the generic AWS client under it, against an in-process fake server:
// addressing, signing per try, retries (and what is never retried), listings with
// continuation tokens, region redirects. No network.
#include <gtest/gtest.h>

#include <atomic>

#include "sparkify/aws/s3.hpp"
#include "testing/fake_transport.hpp"

namespace sparkify::aws {
namespace {

using sparkify::testing::FakeServer;
using sparkify::testing::MakeResponse;
using std::chrono::milliseconds;

struct Harness {
  explicit Harness(FakeServer::Handler handler) : server(std::move(handler)) {}

  std::unique_ptr<S3Client> Client(std::string endpoint = "http://127.0.0.1:9000",
                                   std::string region = "us-east-1", int attempts = 4) {
    S3Config config;
    config.endpoint_url = std::move(endpoint);
    config.client.region = std::move(region);
    config.client.credentials = Credentials{"AKID", "SECRET", "", "test"};
    config.client.retry = {
        .max_attempts = attempts, .base_delay = milliseconds(100), .max_delay = milliseconds(1000)};
    config.client.make_transport = server.Factory();
    config.client.sleep = [this](milliseconds d) { slept.push_back(d); };
    config.client.jitter = [] { return 1.0; };
    config.client.now = [] { return std::chrono::system_clock::from_time_t(1440938160); };
    Result<std::unique_ptr<S3Client>> client = S3Client::Create(std::move(config));
    EXPECT_TRUE(client.ok());
    return std::move(client).value();
  }

  FakeServer server;
  std::vector<milliseconds> slept;
};

std::string ListXml(const std::vector<std::string>& keys, const std::string& next_token) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>";
  for (const std::string& k : keys) {
    xml += "<Contents><Key>" + k +
           "</Key><LastModified>2018-11-30T12:00:01.500Z</LastModified><ETag>&quot;abc&quot;"
           "</ETag><Size>42</Size></Contents>";
  }
  xml += "<EncodingType>url</EncodingType>";
  xml += next_token.empty() ? "<IsTruncated>false</IsTruncated>"
                            : "<IsTruncated>true</IsTruncated><NextContinuationToken>" +
                                  next_token + "</NextContinuationToken>";
  return xml + "</ListBucketResult>";
}

TEST(S3Addressing, PathStyleWithAnEndpoint) {
  Harness h([](const HttpRequest&) { return MakeResponse(200); });
  auto c = h.Client("http://127.0.0.1:9000/base");
  HttpRequest r = c->GetObjectRequest("my-bucket", "song_data/A/x y.json");
  EXPECT_EQ(r.Url(), "http://127.0.0.1:9000/base/my-bucket/song_data/A/x%20y.json");
  EXPECT_EQ(r.host, "127.0.0.1:9000");
  EXPECT_EQ(c->DescribeEndpoint(), "http://127.0.0.1:9000/base (path-style)");
}

TEST(S3Addressing, VirtualHostedOnAws) {
  Harness h([](const HttpRequest&) { return MakeResponse(200); });
  auto c = h.Client("", "us-west-2");
  EXPECT_EQ(c->GetObjectRequest("udacity-dend", "log_data/a.json").Url(),
            "https://udacity-dend.s3.us-west-2.amazonaws.com/log_data/a.json");
  EXPECT_EQ(c->ListObjectsV2Request("udacity-dend", "log_data/", "", std::nullopt).Url(),
            "https://udacity-dend.s3.us-west-2.amazonaws.com/"
            "?list-type=2&prefix=log_data%2F&encoding-type=url");
}

TEST(S3Addressing, DottedBucketsGoPathStyleOnAws) {
  Harness h([](const HttpRequest&) { return MakeResponse(200); });
  auto c = h.Client("", "eu-west-1");
  EXPECT_EQ(c->GetObjectRequest("my.dotted.bucket", "k").Url(),
            "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k");
}

TEST(S3Addressing, DefaultRegionIsUsEast1AndChinaHasItsOwnDomain) {
  Harness h([](const HttpRequest&) { return MakeResponse(200); });
  EXPECT_EQ(h.Client("", "")->region(), "us-east-1");
  EXPECT_EQ(h.Client("", "cn-north-1")->GetObjectRequest("bkt", "k").host,
            "bkt.s3.cn-north-1.amazonaws.com.cn");
}

TEST(S3Addressing, KeysAreNeverNormalised) {
  Harness h([](const HttpRequest&) { return MakeResponse(200); });
  EXPECT_EQ(h.Client()->GetObjectRequest("b", "a/./b/../c//d").path, "/b/a/./b/../c//d");
}

TEST(S3Client, SignsEveryRequestForS3) {
  Harness h([](const HttpRequest&) { return MakeResponse(200, "{}"); });
  ASSERT_TRUE(h.Client()->GetObject("b", "k.json").ok());
  HttpRequest sent = h.server.requests().at(0);
  EXPECT_EQ(FindHeader(sent.headers, "x-amz-content-sha256"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  auto auth = FindHeader(sent.headers, "Authorization");
  ASSERT_TRUE(auth.has_value());
  EXPECT_TRUE(
      auth->starts_with("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request, "
                        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="));
}

TEST(S3Client, UnsignedWithoutCredentials) {
  FakeServer server([](const HttpRequest&) { return MakeResponse(200, "{}"); });
  S3Config config;
  config.endpoint_url = "http://127.0.0.1:9000";
  config.client.make_transport = server.Factory();
  auto c = S3Client::Create(config);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->GetObject("b", "k").ok());
  EXPECT_FALSE(FindHeader(server.requests().at(0).headers, "Authorization").has_value());
}

TEST(S3Client, RetriesThrottlingAndResetsThenSucceeds) {
  std::atomic<int> n{0};
  Harness h([&](const HttpRequest&) -> Result<HttpResponse> {
    switch (n++) {
      case 0:
        return MakeResponse(503, "<Error><Code>SlowDown</Code><Message>slow</Message></Error>");
      case 1:
        return Error::Unavailable("Connection reset by peer");
      case 2:
        return Error::Unavailable("response body cut short: got 3 of 10 bytes");
      default:
        return MakeResponse(200, "{\"ok\":1}", {{"etag", "\"e1\""}});
    }
  });
  Result<ObjectData> r = h.Client()->GetObject("b", "k.json");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->body, "{\"ok\":1}");
  EXPECT_EQ(r->etag, "e1");
  EXPECT_EQ(n.load(), 4);
  EXPECT_EQ(h.slept,
            (std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400)}));
}

TEST(S3Client, EachTryIsSignedAfresh) {
  std::atomic<int> n{0};
  int64_t t = 1440938160;
  FakeServer server([&](const HttpRequest&) -> Result<HttpResponse> {
    if (n++ == 0) return MakeResponse(500);
    return MakeResponse(200);
  });
  S3Config config;
  config.endpoint_url = "http://127.0.0.1:9000";
  config.client.credentials = Credentials{"AKID", "SECRET", "", "test"};
  config.client.make_transport = server.Factory();
  config.client.sleep = [](milliseconds) {};
  config.client.now = [&] { return std::chrono::system_clock::from_time_t(t++ * 1); };
  auto c = S3Client::Create(config);
  ASSERT_TRUE((*c)->GetObject("b", "k").ok());
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(FindHeader(requests[0].headers, "X-Amz-Date"),
            FindHeader(requests[1].headers, "X-Amz-Date"));
  EXPECT_NE(FindHeader(requests[0].headers, "Authorization"),
            FindHeader(requests[1].headers, "Authorization"));
}

TEST(S3Client, NeverRetriesWhatCannotSucceed) {
  for (auto [status, code, want] :
       {std::tuple{403, "SignatureDoesNotMatch", ErrorCode::kAuth},
        std::tuple{403, "AccessDenied", ErrorCode::kAuth},
        std::tuple{404, "NoSuchKey", ErrorCode::kNotFound},
        std::tuple{404, "NoSuchBucket", ErrorCode::kNotFound},
        std::tuple{400, "InvalidArgument", ErrorCode::kInvalidArgument}}) {
    std::atomic<int> n{0};
    Harness h([&](const HttpRequest&) {
      ++n;
      return MakeResponse(status,
                          std::string("<Error><Code>") + code +
                              "</Code><Message>m</Message><RequestId>R9</RequestId></Error>");
    });
    Result<ObjectData> r = h.Client()->GetObject("b", "k.json");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), want) << code;
    EXPECT_EQ(r.error().service_code, code);
    EXPECT_EQ(r.error().request_id, "R9");
    EXPECT_EQ(n.load(), 1) << code << " was retried";
    EXPECT_TRUE(h.slept.empty());
  }
}

TEST(S3Client, GivesUpAfterTheBudgetNamingTheObject) {
  std::atomic<int> n{0};
  Harness h([&](const HttpRequest&) {
    ++n;
    return MakeResponse(503,
                        "<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>");
  });
  Result<ObjectData> r =
      h.Client("http://127.0.0.1:9000", "us-east-1", 3)->GetObject("b", "x/k.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(n.load(), 3);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message(),
            "GET s3://b/x/k.json: HTTP 503 ServiceUnavailable: busy (gave up after 3 attempts)");
}

TEST(S3Client, ListsEveryPageAndDecodesKeys) {
  Harness h([](const HttpRequest& r) {
    std::string token;
    for (const auto& [k, v] : r.query) {
      if (k == "continuation-token") token = v;
    }
    if (token.empty())
      return MakeResponse(200, ListXml({"p/a%20b%2Bc.json", "p/b.json"}, "tok/1+="));
    EXPECT_EQ(token, "tok/1+=");
    return MakeResponse(200, ListXml({"p/c+d.json"}, ""));
  });
  Result<std::vector<ObjectInfo>> all = h.Client()->ListAll("b", "p/");
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key, "p/a b+c.json");
  EXPECT_EQ((*all)[2].key, "p/c d.json");
  EXPECT_EQ((*all)[0].size, 42u);
  EXPECT_EQ((*all)[0].etag, "abc");
  EXPECT_EQ((*all)[0].mtime_ms, 1543579201500);
  EXPECT_EQ(h.server.requests().size(), 2u);
}

TEST(S3Client, ListingThatRepeatsItsTokenStops) {
  Harness h([](const HttpRequest& r) {
    bool has_token = false;
    for (const auto& q : r.query) has_token |= q.first == "continuation-token";
    return MakeResponse(200, ListXml({"p/a.json"}, has_token ? "same" : "same"));
  });
  Result<std::vector<ObjectInfo>> all = h.Client()->ListAll("b", "p/");
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code(), ErrorCode::kInternal);
}

TEST(S3Client, ListingThatIsNotXmlIsRetried) {
  std::atomic<int> n{0};
  Harness h([&](const HttpRequest&) {
    return n++ == 0 ? MakeResponse(200, "<ListBucketResult><Contents><Key>trunc")
                    : MakeResponse(200, ListXml({"p/a.json"}, ""));
  });
  // A garbled listing is a transient fault of the page, not of the bucket.
  Result<std::vector<ObjectInfo>> all = h.Client()->ListAll("b", "p/");
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->size(), 1u);
  EXPECT_EQ(n.load(), 2);
}

TEST(S3Client, RangedGetsCheckTheLength) {
  Harness h([](const HttpRequest& r) {
    EXPECT_EQ(FindHeader(r.headers, "Range"), "bytes=10-19");
    EXPECT_EQ(FindHeader(r.headers, "If-Match"), "\"etag1\"");
    return MakeResponse(206, "0123456789");
  });
  Result<ObjectData> r =
      h.Client()->GetObject("b", "k", std::pair<uint64_t, uint64_t>(10, 19), "etag1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "0123456789");
}

TEST(S3Client, AShortRangedAnswerIsRetried) {
  std::atomic<int> n{0};
  Harness h([&](const HttpRequest&) {
    return n++ == 0 ? MakeResponse(206, "01234") : MakeResponse(206, "0123456789");
  });
  Result<ObjectData> r = h.Client()->GetObject("b", "k", std::pair<uint64_t, uint64_t>(0, 9));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->body, "0123456789");
  EXPECT_EQ(n.load(), 2);
}

TEST(S3Client, AChangedObjectFailsTheRangedReadWithoutRetrying) {
  std::atomic<int> n{0};
  Harness h([&](const HttpRequest&) {
    ++n;
    return MakeResponse(412, "<Error><Code>PreconditionFailed</Code></Error>");
  });
  Result<ObjectData> r =
      h.Client()->GetObject("b", "k", std::pair<uint64_t, uint64_t>(0, 9), "old-etag");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(n.load(), 1);
}

TEST(S3Client, FollowsAWrongRegionAnswerOnce) {
  Harness h([](const HttpRequest& r) {
    if (r.host == "udacity-dend.s3.us-east-1.amazonaws.com") {
      return MakeResponse(301,
                          "<Error><Code>PermanentRedirect</Code><Message>use the right "
                          "endpoint</Message></Error>",
                          {{"x-amz-bucket-region", "us-west-2"}});
    }
    EXPECT_EQ(r.host, "udacity-dend.s3.us-west-2.amazonaws.com");
    auto auth = FindHeader(r.headers, "Authorization");
    EXPECT_NE(auth->find("/us-west-2/s3/aws4_request"), std::string_view::npos);
    return MakeResponse(200, "{}");
  });
  auto c = h.Client("", "us-east-1");
  ASSERT_TRUE(c->GetObject("udacity-dend", "log_json_path.json").ok());
  ASSERT_TRUE(c->GetObject("udacity-dend", "other.json").ok());  // remembered: no second hop
  EXPECT_EQ(h.server.requests().size(), 3u);
}

}  // namespace
}  // namespace sparkify::aws
