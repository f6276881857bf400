// Amazon S3 (and S3-compatible stores: MinIO, moto, Ceph) over the generic AWS client:
// addressing, ListObjectsV2, GetObject, PutObject, CreateBucket.
//
// Addressing: with an endpoint URL (AWS_ENDPOINT_URL[_S3], --endpoint-url) requests are
// path-style, ENDPOINT/bucket/key, as emulators and MinIO expect. On AWS they are
// virtual-hosted, https://bucket.s3.REGION.amazonaws.com/key, except for bucket names that
// cannot be a DNS label under TLS (dots, upper case, underscores), which go path-style to
// https://s3.REGION.amazonaws.com/bucket/key. When a bucket turns out to live in another
// region (S3 answers 301 or 400 with x-amz-bucket-region or <Region>), the client switches to
// that region for the bucket and repeats the call, once.
// Keys are encoded once per RFC 3986 with '/' kept, and never normalised.
//
// Thread-safety: every method may be called from many threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/aws/client.hpp"
#include "sparkify/aws/uri.hpp"
#include "sparkify/common/error.hpp"

namespace sparkify::aws {

struct S3Uri {
  std::string bucket;
  std::string key;  // may be empty (the whole bucket) or a prefix
};

// Parses "s3://bucket[/key]"; kInvalidArgument for anything else.
Result<S3Uri> ParseS3Uri(std::string_view uri);

enum class S3Addressing { kAuto, kPath, kVirtual };

struct S3Config {
  ClientConfig client;       // service/s3_signing are set by S3Client; the rest is honoured
  std::string endpoint_url;  // empty: AWS
  S3Addressing addressing = S3Addressing::kAuto;
};

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  int64_t mtime_ms = 0;
  std::string etag;  // without the quotes S3 puts around it
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::string next_continuation_token;  // empty when this was the last page
};

// Decodes one ListObjectsV2 response body (<ListBucketResult>); keys are percent-decoded when
// it says <EncodingType>url</EncodingType>. kUnavailable (a garbled listing is retried) when
// the body is not XML, has no ListBucketResult, or is truncated without a continuation token;
// `what` starts the message. Public for tests and fuzz/aws_xml_fuzz.cpp.
Result<ListPage> ParseListObjectsV2(std::string_view body, std::string_view what);

struct ObjectData {
  std::string body;
  std::string etag;  // without quotes; empty when the store sent none
};

class S3Client {
 public:
  // kInvalidArgument for an endpoint URL that does not parse.
  static Result<std::unique_ptr<S3Client>> Create(S3Config config);

  // Where requests go, for --verbose: "https://s3.us-west-2.amazonaws.com (virtual-hosted)".
  std::string DescribeEndpoint() const;
  const std::string& region() const { return region_; }

  // Request builders (unsigned), public so tests can compare them with botocore's.
  HttpRequest ListObjectsV2Request(const std::string& bucket, const std::string& prefix,
                                   const std::string& continuation_token,
                                   std::optional<int> max_keys) const;
  HttpRequest GetObjectRequest(const std::string& bucket, const std::string& key) const;

  // One page of keys below `prefix`, in S3's (UTF-8 binary) order. Keys are decoded
  // (requests ask for encoding-type=url so that any key survives the XML).
  Result<ListPage> ListObjectsV2(const std::string& bucket, const std::string& prefix,
                                 const std::string& continuation_token,
                                 std::optional<int> max_keys = std::nullopt);
  // Every key below `prefix`, following continuation tokens.
  Result<std::vector<ObjectInfo>> ListAll(const std::string& bucket, const std::string& prefix);

  // The object, or bytes [first, last] of it with `range`. With `if_match` (an ETag) a changed
  // object fails with kInvalidArgument (HTTP 412) instead of mixing versions.
  Result<ObjectData> GetObject(const std::string& bucket, const std::string& key,
                               std::optional<std::pair<uint64_t, uint64_t>> range = std::nullopt,
                               const std::string& if_match = "");

  // Uploads `body` (used by tests and tools; the ETL only reads). `acl`: e.g. "public-read".
  Status PutObject(const std::string& bucket, const std::string& key, std::string body,
                   const std::string& content_type = "application/octet-stream",
                   const std::string& acl = "");
  Status CreateBucket(const std::string& bucket);

  // See Client::Cancel.
  void Cancel() { client_->Cancel(); }
  uint64_t retries() const { return client_->retries(); }

 private:
  S3Client(S3Config config, std::optional<Url> endpoint);
  // A request for bucket (+ key when not empty), addressed per the rules above.
  HttpRequest BaseRequest(std::string_view method, const std::string& bucket,
                          const std::string& key, const std::string& region) const;
  std::string RegionFor(const std::string& bucket) const;
  // Calls with the bucket's region, following one wrong-region answer.
  Result<HttpResponse> CallForBucket(const std::string& bucket, const std::string& key,
                                     std::string_view method,
                                     const std::function<void(HttpRequest&)>& customize,
                                     std::string_view what,
                                     std::optional<PayloadSigning> payload = std::nullopt,
                                     std::function<Status(const HttpResponse&)> validate = {});
  std::string RequestScheme() const;

  S3Config config_;
  std::optional<Url> endpoint_;
  std::string region_;
  std::unique_ptr<Client> client_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> bucket_region_;  // learnt from redirects; guarded by mu_
};

}  // namespace sparkify::aws
