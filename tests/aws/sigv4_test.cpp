// SigV4 against AWS's official suite (v4/), the S3 documentation examples and botocore-made
// requests for the calls sparkify makes (../shared/data/aws-sigv4-test-suite, PROVENANCE.md
// there). Each case folder is one test; the vectors are read in place, never copied.
// v4a/ (SigV4a, ECDSA) is not applicable: sparkify signs with SigV4 only.
#include "sparkify/aws/sigv4.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "sparkify/aws/query_api.hpp"
#include "sparkify/aws/s3.hpp"
#include "testing/aws_testing.hpp"

namespace sparkify::aws {
namespace {

namespace fs = std::filesystem;
using sparkify::testing::ReadFileOrDie;

fs::path SuiteDir() { return sparkify::testing::SharedDir() / "data" / "aws-sigv4-test-suite"; }

std::vector<std::string> CaseNames(const std::string& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(SuiteDir() / folder, ec)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// What context.json says.
struct Context {
  Credentials credentials;
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point time;
  bool normalize = true;
  bool double_uri_encode = true;
  bool sign_body = false;
  bool omit_session_token = false;
  int64_t expires = 0;
  simdjson::dom::element params;            // botocore-oracle only
  std::string url;                          // botocore-oracle only
  std::vector<std::string> signed_headers;  // botocore-oracle only
};

std::chrono::system_clock::time_point ParseTimestamp(const std::string& text) {
  std::tm tm{};
  EXPECT_NE(strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm), nullptr) << text;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// gtest names allow only [A-Za-z0-9_].
std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

class CaseTest : public ::testing::TestWithParam<std::string> {
 protected:
  // `folder` is v4, s3-doc-examples or botocore-oracle.
  void Load(const std::string& folder) {
    dir_ = SuiteDir() / folder / GetParam();
    json_ = ReadFileOrDie(dir_ / "context.json");
    simdjson::dom::element root;
    ASSERT_EQ(parser_.parse(json_).get(root), simdjson::SUCCESS) << dir_;
    std::string_view s;
    auto creds = root["credentials"];
    ASSERT_EQ(creds["access_key_id"].get(s), simdjson::SUCCESS);
    ctx_.credentials.access_key_id = std::string(s);
    ASSERT_EQ(creds["secret_access_key"].get(s), simdjson::SUCCESS);
    ctx_.credentials.secret_access_key = std::string(s);
    if (creds["token"].get(s) == simdjson::SUCCESS) ctx_.credentials.session_token = std::string(s);
    ASSERT_EQ(root["region"].get(s), simdjson::SUCCESS);
    ctx_.region = std::string(s);
    ASSERT_EQ(root["service"].get(s), simdjson::SUCCESS);
    ctx_.service = std::string(s);
    ASSERT_EQ(root["timestamp"].get(s), simdjson::SUCCESS);
    ctx_.time = ParseTimestamp(std::string(s));
    bool b = false;
    if (root["normalize"].get(b) == simdjson::SUCCESS) ctx_.normalize = b;
    if (root["double_uri_encode"].get(b) == simdjson::SUCCESS) ctx_.double_uri_encode = b;
    if (root["sign_body"].get(b) == simdjson::SUCCESS) ctx_.sign_body = b;
    if (root["omit_session_token"].get(b) == simdjson::SUCCESS) ctx_.omit_session_token = b;
    int64_t n = 0;
    if (root["expiration_in_seconds"].get(n) == simdjson::SUCCESS) ctx_.expires = n;
    simdjson::dom::element params;
    if (root["params"].get(params) == simdjson::SUCCESS) ctx_.params = params;
    if (root["url"].get(s) == simdjson::SUCCESS) ctx_.url = std::string(s);
    simdjson::dom::array names;
    if (root["signed_headers"].get(names) == simdjson::SUCCESS) {
      for (simdjson::dom::element name : names) {
        if (name.get(s) == simdjson::SUCCESS) ctx_.signed_headers.emplace_back(s);
      }
    }
    if (ctx_.service == "s3") {  // S3 signs the path as sent
      ctx_.normalize = false;
      ctx_.double_uri_encode = false;
    }
  }

  // request.txt as an HttpRequest (Host goes to request.host).
  HttpRequest ParseRequestFile() {
    std::string text = ReadFileOrDie(dir_ / "request.txt");
    HttpRequest r;
    size_t line_end = text.find('\n');
    std::string request_line = text.substr(0, line_end);
    size_t sp = request_line.find(' ');
    size_t proto = request_line.rfind(" HTTP/");
    r.method = request_line.substr(0, sp);
    std::string target = request_line.substr(sp + 1, proto - sp - 1);
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string query = target.substr(q + 1);
      size_t start = 0;
      while (start <= query.size()) {
        size_t amp = query.find('&', start);
        if (amp == std::string::npos) amp = query.size();
        std::string pair = query.substr(start, amp - start);
        size_t eq = pair.find('=');
        r.query.emplace_back(PercentDecode(pair.substr(0, eq)),
                             eq == std::string::npos ? "" : PercentDecode(pair.substr(eq + 1)));
        start = amp + 1;
      }
    }
    size_t pos = line_end + 1;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(pos, end - pos);
      pos = end + 1;
      if (line.empty()) break;                  // the body follows
      if (line[0] == ' ' || line[0] == '\t') {  // a folded continuation of the last header
        size_t first = line.find_first_not_of(" \t");
        r.headers.back().second += " " + line.substr(first);
        continue;
      }
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      if (name == "Host") {
        r.host = value;
      } else {
        r.headers.emplace_back(name, value);
      }
    }
    if (pos < text.size()) r.body = text.substr(pos);
    if (!ctx_.signed_headers.empty()) {
      // The recorded request also shows headers added after signing (Content-Length).
      std::erase_if(r.headers, [&](const auto& h) {
        std::string lower = h.first;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return std::find(ctx_.signed_headers.begin(), ctx_.signed_headers.end(), lower) ==
               ctx_.signed_headers.end();
      });
    }
    return r;
  }

  SigningParams Params(const HttpRequest& request) const {
    SigningParams p;
    p.service = ctx_.service;
    p.region = ctx_.region;
    p.time = ctx_.time;
    p.normalize_path = ctx_.normalize;
    p.double_uri_encode = ctx_.double_uri_encode;
    p.sign_session_token = !ctx_.omit_session_token;
    std::optional<std::string_view> content = FindHeader(request.headers, "x-amz-content-sha256");
    if (content == kUnsignedPayloadHash) {
      p.payload = PayloadSigning::kUnsignedPayload;
    } else if (content || ctx_.sign_body) {
      p.payload = PayloadSigning::kHashHeader;
    }
    return p;
  }

  std::string Expected(const std::string& file) { return ReadFileOrDie(dir_ / file); }

  // The Authorization header of header-signed-request.txt (v4) or header-authorization.txt.
  // The S3 documentation prints it without spaces after the commas; AWS accepts both forms,
  // and sparkify writes botocore's (", "), so those are compared with the spaces added.
  std::string ExpectedAuthorization() {
    if (fs::exists(dir_ / "header-authorization.txt")) {
      std::string auth = Expected("header-authorization.txt");
      if (dir_.parent_path().filename() == "s3-doc-examples") {
        for (size_t at = auth.find(",S"); at != std::string::npos; at = auth.find(",S", at)) {
          auth.insert(at + 1, " ");
        }
      }
      return auth;
    }
    std::string signed_request = Expected("header-signed-request.txt");
    size_t at = signed_request.find("\nAuthorization:");
    EXPECT_NE(at, std::string::npos);
    size_t start = at + std::string("\nAuthorization:").size();
    return signed_request.substr(start, signed_request.find('\n', start) - start);
  }

  void ExpectHeaderSigningMatches() {
    HttpRequest request = ParseRequestFile();
    Signature sig = SignRequest(request, ctx_.credentials, Params(request));
    EXPECT_EQ(sig.canonical_request, Expected("header-canonical-request.txt"));
    EXPECT_EQ(sig.string_to_sign, Expected("header-string-to-sign.txt"));
    EXPECT_EQ(sig.signature, Expected("header-signature.txt"));
    EXPECT_EQ(sig.authorization, ExpectedAuthorization());
    EXPECT_EQ(FindHeader(request.headers, "Authorization"), sig.authorization);
    if (!ctx_.credentials.session_token.empty()) {
      EXPECT_EQ(FindHeader(request.headers, "X-Amz-Security-Token"),
                ctx_.credentials.session_token);
    }
  }

  fs::path dir_;
  std::string json_;
  simdjson::dom::parser parser_;
  Context ctx_;
};

// --- the official suite ------------------------------------------------------------------

class OfficialV4 : public CaseTest {};

TEST_P(OfficialV4, HeaderSignatureMatches) {
  Load("v4");
  ExpectHeaderSigningMatches();
}

TEST_P(OfficialV4, PresignedQueryMatches) {
  Load("v4");
  HttpRequest request = ParseRequestFile();
  SigningParams params = Params(request);
  params.payload = PayloadSigning::kHashOnly;  // presigned: the body hash, no header
  Signature sig =
      PresignRequest(request, ctx_.credentials, params, std::chrono::seconds(ctx_.expires));
  EXPECT_EQ(sig.canonical_request, Expected("query-canonical-request.txt"));
  EXPECT_EQ(sig.string_to_sign, Expected("query-string-to-sign.txt"));
  EXPECT_EQ(sig.signature, Expected("query-signature.txt"));
  EXPECT_EQ(request.query.back(),
            (std::pair<std::string, std::string>("X-Amz-Signature", sig.signature)));
}

INSTANTIATE_TEST_SUITE_P(Suite, OfficialV4, ::testing::ValuesIn(CaseNames("v4")), TestName);

// --- S3 documentation examples ----------------------------------------------------------

class S3DocExample : public CaseTest {};

TEST_P(S3DocExample, HeaderSignatureMatches) {
  Load("s3-doc-examples");
  ExpectHeaderSigningMatches();
}

INSTANTIATE_TEST_SUITE_P(Suite, S3DocExample, ::testing::ValuesIn(CaseNames("s3-doc-examples")),
                         TestName);

// --- botocore oracle: the exact requests sparkify sends ---------------------------------

class BotocoreOracle : public CaseTest {
 protected:
  // The request sparkify's own builders make for this case, from context.json's params.
  HttpRequest BuildOwnRequest() {
    HttpRequest expected = ParseRequestFile();
    if (ctx_.service != "s3") {
      // Query APIs: the body is the form encoding of the parameters, in order.
      QueryParams params;
      size_t start = 0;
      const std::string& body = expected.body;
      while (start < body.size()) {
        size_t amp = body.find('&', start);
        if (amp == std::string::npos) amp = body.size();
        std::string pair = body.substr(start, amp - start);
        size_t eq = pair.find('=');
        params.emplace_back(PercentDecode(pair.substr(0, eq), true),
                            PercentDecode(pair.substr(eq + 1), true));
        start = amp + 1;
      }
      return MakeQueryApiRequest("https", expected.host, params);
    }
    std::string_view bucket, key, prefix, token;
    EXPECT_EQ(ctx_.params["Bucket"].get(bucket), simdjson::SUCCESS);
    const bool virtual_host = expected.host.starts_with(std::string(bucket) + ".");
    S3Config config;
    config.client.region = ctx_.region;
    config.addressing = virtual_host ? S3Addressing::kVirtual : S3Addressing::kPath;
    Result<std::unique_ptr<S3Client>> client = S3Client::Create(config);
    EXPECT_TRUE(client.ok());
    if (ctx_.params["Key"].get(key) == simdjson::SUCCESS) {
      HttpRequest r = (*client)->GetObjectRequest(std::string(bucket), std::string(key));
      if (auto mode = FindHeader(expected.headers, "x-amz-checksum-mode")) {
        r.headers.emplace_back("x-amz-checksum-mode", std::string(*mode));
      }
      return r;
    }
    if (ctx_.params["Prefix"].get(prefix) != simdjson::SUCCESS) prefix = "";
    if (ctx_.params["ContinuationToken"].get(token) != simdjson::SUCCESS) token = "";
    int64_t max_keys = 0;
    std::optional<int> max;
    if (ctx_.params["MaxKeys"].get(max_keys) == simdjson::SUCCESS) max = static_cast<int>(max_keys);
    return (*client)->ListObjectsV2Request(std::string(bucket), std::string(prefix),
                                           std::string(token), max);
  }
};

TEST_P(BotocoreOracle, HeaderSignatureMatches) {
  Load("botocore-oracle");
  ExpectHeaderSigningMatches();
}

TEST_P(BotocoreOracle, OwnRequestIsByteIdenticalAndSignsTheSame) {
  Load("botocore-oracle");
  HttpRequest expected = ParseRequestFile();
  HttpRequest own = BuildOwnRequest();
  EXPECT_EQ(own.Url(), ctx_.url);
  EXPECT_EQ(own.method, expected.method);
  EXPECT_EQ(own.host, expected.host);
  EXPECT_EQ(own.body, expected.body);
  SigningParams params = Params(expected);
  if (ctx_.service == "s3") params = S3SigningParams(ctx_.region, ctx_.time);
  Signature sig = SignRequest(own, ctx_.credentials, params);
  EXPECT_EQ(sig.canonical_request, Expected("header-canonical-request.txt"));
  EXPECT_EQ(sig.string_to_sign, Expected("header-string-to-sign.txt"));
  EXPECT_EQ(sig.authorization, Expected("header-authorization.txt"));
}

INSTANTIATE_TEST_SUITE_P(Suite, BotocoreOracle, ::testing::ValuesIn(CaseNames("botocore-oracle")),
                         TestName);

// The suites must be there: an empty instantiation would pass vacuously.
TEST(SigV4Suite, EveryFolderIsPresent) {
  EXPECT_EQ(CaseNames("v4").size(), 38u) << "expected the 38 official cases under " << SuiteDir();
  EXPECT_EQ(CaseNames("s3-doc-examples").size(), 5u);
  EXPECT_EQ(CaseNames("botocore-oracle").size(), 18u);
}

// --- building blocks ----------------------------------------------------------------------

TEST(SigV4, FormatsAmzDateInUtc) {
  EXPECT_EQ(FormatAmzDate(std::chrono::system_clock::from_time_t(1440938160)), "20150830T123600Z");
}

TEST(SigV4, S3PathIsNeitherNormalisedNorEncodedTwice) {
  EXPECT_EQ(CanonicalUri("/a/./b/../c%20d", false, false), "/a/./b/../c%20d");
  EXPECT_EQ(CanonicalUri("/a/./b/../c%20d", true, true), "/a/c%2520d");
  EXPECT_EQ(CanonicalUri("", false, false), "/");
}

TEST(SigV4, CanonicalQuerySortsByEncodedKeyThenValue) {
  QueryParams q = {{"b", "2"}, {"a", "z"}, {"a", "y"}, {"c d", "e/f+g="}, {"lifecycle", ""}};
  EXPECT_EQ(CanonicalQuery(q), "a=y&a=z&b=2&c%20d=e%2Ff%2Bg%3D&lifecycle=");
}

TEST(SigV4, ResigningReplacesDateTokenAndAuthorization) {
  HttpRequest r;
  r.host = "example.amazonaws.com";
  Credentials c{"AKID", "SECRET", "TOKEN", "test"};
  SigningParams p = S3SigningParams("us-east-1", std::chrono::system_clock::from_time_t(0));
  (void)SignRequest(r, c, p);
  p.time = std::chrono::system_clock::from_time_t(86400);
  (void)SignRequest(r, c, p);
  int dates = 0, auths = 0, tokens = 0;
  for (const auto& [name, value] : r.headers) {
    dates += name == "X-Amz-Date";
    auths += name == "Authorization";
    tokens += name == "X-Amz-Security-Token";
  }
  EXPECT_EQ(dates, 1);
  EXPECT_EQ(auths, 1);
  EXPECT_EQ(tokens, 1);
  EXPECT_EQ(FindHeader(r.headers, "X-Amz-Date"), "19700102T000000Z");
}

TEST(SigV4, SecretNeverAppearsInSignedOutput) {
  HttpRequest r;
  r.host = "example.amazonaws.com";
  Credentials c{"AKID", "wJalrXUtnFEMI-very-secret", "", "test"};
  Signature sig = SignRequest(r, c, S3SigningParams("us-east-1", std::chrono::system_clock::now()));
  for (const std::string& s : {sig.canonical_request, sig.string_to_sign, sig.authorization}) {
    EXPECT_EQ(s.find(c.secret_access_key), std::string::npos);
  }
  for (const auto& [name, value] : r.headers)
    EXPECT_EQ(value.find(c.secret_access_key), std::string::npos);
}

}  // namespace
}  // namespace sparkify::aws
