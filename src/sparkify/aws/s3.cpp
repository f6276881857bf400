#include "sparkify/aws/s3.hpp"

#include <cctype>
#include <ctime>
#include <pugixml.hpp>

#include "sparkify/aws/errors.hpp"
#include "sparkify/aws/xml.hpp"
#include "sparkify/common/log.hpp"

namespace sparkify::aws {
namespace {

constexpr char kDefaultRegion[] = "us-east-1";

// A bucket name usable as a DNS label under TLS (no dots: *.s3.amazonaws.com certificates
// cover one label only).
bool VirtualHostable(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (unsigned char c : bucket) {
    if (!(std::islower(c) || std::isdigit(c) || c == '-')) return false;
  }
  return bucket.front() != '-' && bucket.back() != '-';
}

std::string AwsHost(const std::string& region) {
  std::string suffix = region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  return "s3." + region + suffix;
}

std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

// "2018-11-30T00:00:00.000Z" -> epoch milliseconds; 0 when it does not parse.
int64_t ParseIsoTimeMs(const std::string& text) {
  std::tm tm{};
  int millis = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    return 0;
  }
  size_t dot = text.find('.');
  if (dot != std::string::npos) {
    int scale = 100;
    for (size_t i = dot + 1;
         i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && scale > 0;
         ++i, scale /= 10) {
      millis += (text[i] - '0') * scale;
    }
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
}

// The region S3 says a bucket lives in, from a wrong-region answer; empty if none.
std::string RegionHint(const HttpResponse& response) {
  if (auto h = response.Header("x-amz-bucket-region")) return std::string(*h);
  if (auto e = ParseServiceError(response.body)) return e->region;
  return {};
}

}  // namespace

Result<S3Uri> ParseS3Uri(std::string_view uri) {
  if (!uri.starts_with("s3://")) {
    return Error::InvalidArgument("\"" + std::string(uri) + "\" is not an s3://bucket/prefix URI");
  }
  std::string_view rest = uri.substr(5);
  size_t slash = rest.find('/');
  S3Uri out{std::string(rest.substr(0, slash)),
            slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1))};
  if (out.bucket.empty()) {
    return Error::InvalidArgument("\"" + std::string(uri) +
                                  "\" names no bucket (s3://bucket/prefix)");
  }
  return out;
}

Result<ListPage> ParseListObjectsV2(std::string_view body, std::string_view what) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) {
    return Error::Unavailable(std::string(what) + ": the listing is not valid XML");
  }
  pugi::xml_node root = doc.child("ListBucketResult");
  if (!root) return Error::Unavailable(std::string(what) + ": no ListBucketResult in the listing");
  const bool url_encoded = std::string_view(root.child_value("EncodingType")) == "url";
  ListPage page;
  for (pugi::xml_node c : root.children("Contents")) {
    ObjectInfo info;
    info.key = c.child_value("Key");
    if (url_encoded) info.key = PercentDecode(info.key, /*plus_is_space=*/true);
    info.size = c.child("Size").text().as_ullong();
    info.mtime_ms = ParseIsoTimeMs(c.child_value("LastModified"));
    info.etag = Unquote(c.child_value("ETag"));
    page.objects.push_back(std::move(info));
  }
  if (root.child("IsTruncated").text().as_bool()) {
    page.next_continuation_token = root.child_value("NextContinuationToken");
    if (page.next_continuation_token.empty()) {
      return Error::Unavailable(std::string(what) +
                                ": the listing is truncated but has no NextContinuationToken");
    }
  }
  return page;
}

Result<std::unique_ptr<S3Client>> S3Client::Create(S3Config config) {
  std::optional<Url> endpoint;
  if (!config.endpoint_url.empty()) {
    SPARKIFY_ASSIGN_OR_RETURN(Url url, ParseUrl(config.endpoint_url));
    endpoint = std::move(url);
  }
  return std::unique_ptr<S3Client>(new S3Client(std::move(config), std::move(endpoint)));
}

S3Client::S3Client(S3Config config, std::optional<Url> endpoint)
    : config_(std::move(config)), endpoint_(std::move(endpoint)) {
  region_ = config_.client.region.empty() ? kDefaultRegion : config_.client.region;
  ClientConfig cc = config_.client;
  cc.service = "s3";
  cc.region = region_;
  cc.s3_signing = true;
  // S3 refuses SigV4 requests without x-amz-content-sha256.
  if (cc.payload == PayloadSigning::kHashOnly) cc.payload = PayloadSigning::kHashHeader;
  client_ = std::make_unique<Client>(std::move(cc));
}

std::string S3Client::DescribeEndpoint() const {
  bool path = config_.addressing == S3Addressing::kPath ||
              (config_.addressing == S3Addressing::kAuto && endpoint_.has_value());
  std::string base = endpoint_
                         ? endpoint_->scheme + "://" + endpoint_->Authority() + endpoint_->path
                         : "https://" + AwsHost(region_);
  return base + (path ? " (path-style)" : " (virtual-hosted)");
}

std::string S3Client::RequestScheme() const { return endpoint_ ? endpoint_->scheme : "https"; }

std::string S3Client::RegionFor(const std::string& bucket) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = bucket_region_.find(bucket);
  return it == bucket_region_.end() ? region_ : it->second;
}

HttpRequest S3Client::BaseRequest(std::string_view method, const std::string& bucket,
                                  const std::string& key, const std::string& region) const {
  HttpRequest r;
  r.method = std::string(method);
  std::string encoded_key = key.empty() ? "" : "/" + UriEncode(key, /*keep_slash=*/true);
  bool path_style = config_.addressing == S3Addressing::kPath ||
                    (config_.addressing == S3Addressing::kAuto &&
                     (endpoint_.has_value() || !VirtualHostable(bucket)));
  if (endpoint_) {
    r.scheme = endpoint_->scheme;
    r.host = endpoint_->Authority();
  } else {
    r.scheme = "https";
    r.host = AwsHost(region);
  }
  std::string base_path = endpoint_ ? endpoint_->path : "";
  if (path_style) {
    r.path = base_path + "/" + UriEncode(bucket) + encoded_key;
  } else {
    r.host = bucket + "." + r.host;
    r.path = base_path + (encoded_key.empty() ? "/" : encoded_key);
  }
  return r;
}

HttpRequest S3Client::ListObjectsV2Request(const std::string& bucket, const std::string& prefix,
                                           const std::string& continuation_token,
                                           std::optional<int> max_keys) const {
  HttpRequest r = BaseRequest("GET", bucket, "", RegionFor(bucket));
  // botocore's parameter order, so that requests compare byte for byte in tests.
  r.query.emplace_back("list-type", "2");
  if (!prefix.empty()) r.query.emplace_back("prefix", prefix);
  if (max_keys) r.query.emplace_back("max-keys", std::to_string(*max_keys));
  if (!continuation_token.empty()) r.query.emplace_back("continuation-token", continuation_token);
  r.query.emplace_back("encoding-type", "url");
  return r;
}

HttpRequest S3Client::GetObjectRequest(const std::string& bucket, const std::string& key) const {
  return BaseRequest("GET", bucket, key, RegionFor(bucket));
}

Result<HttpResponse> S3Client::CallForBucket(const std::string& bucket, const std::string& key,
                                             std::string_view method,
                                             const std::function<void(HttpRequest&)>& customize,
                                             std::string_view what,
                                             std::optional<PayloadSigning> payload,
                                             std::function<Status(const HttpResponse&)> validate) {
  for (int hop = 0;; ++hop) {
    std::string region = RegionFor(bucket);
    HttpRequest request = BaseRequest(method, bucket, key, region);
    if (customize) customize(request);
    CallOptions options;
    options.region = region;
    options.payload = payload;
    options.validate = validate;
    if (!endpoint_ && hop == 0) {
      options.return_response = [&](const HttpResponse& r) {
        if (r.status != 301 && r.status != 400) return false;
        std::string hint = RegionHint(r);
        return !hint.empty() && hint != region;
      };
    }
    SPARKIFY_ASSIGN_OR_RETURN(HttpResponse response, client_->Call(request, what, options));
    if (response.status >= 200 && response.status < 300) return response;
    std::string hint = RegionHint(response);
    log::Verbose("s3: bucket " + bucket + " is in " + hint + ", not " + region + "; switching");
    std::lock_guard<std::mutex> lock(mu_);
    bucket_region_[bucket] = hint;
  }
}

Result<ListPage> S3Client::ListObjectsV2(const std::string& bucket, const std::string& prefix,
                                         const std::string& continuation_token,
                                         std::optional<int> max_keys) {
  std::string what = "ListObjectsV2 s3://" + bucket + "/" + prefix;
  HttpRequest shape = ListObjectsV2Request(bucket, prefix, continuation_token, max_keys);
  std::optional<ListPage> page;
  auto parse = [&](const HttpResponse& response) -> Status {
    Result<ListPage> parsed = ParseListObjectsV2(response.body, what);
    if (!parsed.ok()) return parsed.take_error();
    page = std::move(parsed).value();
    return Status::Ok();
  };
  SPARKIFY_RETURN_IF_ERROR(CallForBucket(
                               bucket, "", "GET", [&](HttpRequest& r) { r.query = shape.query; },
                               what, std::nullopt, parse)
                               .status());
  return std::move(*page);
}

Result<std::vector<ObjectInfo>> S3Client::ListAll(const std::string& bucket,
                                                  const std::string& prefix) {
  std::vector<ObjectInfo> all;
  std::string token;
  do {
    SPARKIFY_ASSIGN_OR_RETURN(ListPage page, ListObjectsV2(bucket, prefix, token));
    if (!token.empty() && page.next_continuation_token == token) {
      return Error::Internal("ListObjectsV2 s3://" + bucket + "/" + prefix +
                             ": the store returned the same continuation token twice");
    }
    all.insert(all.end(), std::make_move_iterator(page.objects.begin()),
               std::make_move_iterator(page.objects.end()));
    token = std::move(page.next_continuation_token);
  } while (!token.empty());
  return all;
}

Result<ObjectData> S3Client::GetObject(const std::string& bucket, const std::string& key,
                                       std::optional<std::pair<uint64_t, uint64_t>> range,
                                       const std::string& if_match) {
  std::string what = "GET s3://" + bucket + "/" + key;
  if (range) {
    what += " bytes " + std::to_string(range->first) + "-" + std::to_string(range->second);
  }
  // A short ranged answer is a transfer fault like a cut connection: retried with the rest.
  std::function<Status(const HttpResponse&)> check_range;
  if (range) {
    check_range = [&](const HttpResponse& response) -> Status {
      uint64_t want = range->second - range->first + 1;
      if (response.status == 206 && response.body.size() == want) return Status::Ok();
      return Error::Unavailable(what + ": expected " + std::to_string(want) +
                                " bytes (HTTP 206), got " + std::to_string(response.body.size()) +
                                " (HTTP " + std::to_string(response.status) + ")");
    };
  }
  auto customize = [&](HttpRequest& r) {
    if (range) {
      r.headers.emplace_back(
          "Range", "bytes=" + std::to_string(range->first) + "-" + std::to_string(range->second));
    }
    if (!if_match.empty()) r.headers.emplace_back("If-Match", "\"" + if_match + "\"");
  };
  SPARKIFY_ASSIGN_OR_RETURN(HttpResponse response, CallForBucket(bucket, key, "GET", customize,
                                                                 what, std::nullopt, check_range));
  ObjectData data;
  data.body = std::move(response.body);
  if (auto etag = response.Header("etag")) data.etag = Unquote(std::string(*etag));
  return data;
}

Status S3Client::PutObject(const std::string& bucket, const std::string& key, std::string body,
                           const std::string& content_type, const std::string& acl) {
  std::string what = "PUT s3://" + bucket + "/" + key;
  Result<HttpResponse> r = CallForBucket(
      bucket, key, "PUT",
      [&](HttpRequest& req) {
        req.headers.emplace_back("Content-Type", content_type);
        if (!acl.empty()) req.headers.emplace_back("x-amz-acl", acl);
        req.body = body;
      },
      what,
      // Over TLS the body is protected in transit; hashing a large upload twice buys nothing.
      RequestScheme() == "https" ? std::optional(PayloadSigning::kUnsignedPayload) : std::nullopt);
  return r.status();
}

Status S3Client::CreateBucket(const std::string& bucket) {
  std::string what = "CreateBucket s3://" + bucket;
  std::string region = RegionFor(bucket);
  Result<HttpResponse> r = CallForBucket(
      bucket, "", "PUT",
      [&](HttpRequest& req) {
        if (region != kDefaultRegion) {
          req.body =
              "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
              "<LocationConstraint>" +
              region + "</LocationConstraint></CreateBucketConfiguration>";
          req.headers.emplace_back("Content-Type", "application/xml");
        }
      },
      what);
  return r.status();
}

}  // namespace sparkify::aws
