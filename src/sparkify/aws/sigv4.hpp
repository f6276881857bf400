// AWS Signature Version 4 (header and query-string signing) for any service.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
// The canonical request is built from the request exactly as it will be sent:
//   method \n canonical URI \n canonical query \n canonical headers \n signed headers \n payload
//   hash
// Services differ in three switches, carried by SigningParams:
//   - path normalisation ("." / ".." / "//") and double URI encoding: on for every service
//     except S3, which signs the path as sent (S3SigningParams turns both off);
//   - the payload hash header x-amz-content-sha256: S3 requires it (PayloadSigning::kHashHeader,
//     or kUnsignedPayload, which signs the literal UNSIGNED-PAYLOAD instead of a body hash);
//     Query APIs (IAM, Redshift, EC2) only hash the body (kHashOnly);
//   - the session token: signed as X-Amz-Security-Token (the default), or added after signing.
// Every header in HttpRequest::headers is signed, plus host (from HttpRequest::host). Add
// headers that must not be signed (User-Agent) later, in the transport.
//
// Proven by the official suite (../shared/data/aws-sigv4-test-suite/v4), the S3 documentation
// examples and botocore-made requests for the exact calls sparkify makes (tests/aws/sigv4_test).
// Pure functions; thread-safe. Secrets flow into HMACs only, never into returned strings.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "sparkify/aws/credentials.hpp"
#include "sparkify/aws/crypto.hpp"
#include "sparkify/aws/http.hpp"

namespace sparkify::aws {

inline constexpr std::string_view kUnsignedPayloadHash = "UNSIGNED-PAYLOAD";

enum class PayloadSigning {
  kHashOnly,         // sign the body's SHA-256; no header (Query APIs)
  kHashHeader,       // sign the body's SHA-256 and send it as x-amz-content-sha256 (S3)
  kUnsignedPayload,  // x-amz-content-sha256: UNSIGNED-PAYLOAD (S3, body protected by TLS)
};

struct SigningParams {
  std::string service;  // signing name: "s3", "iam", "redshift", "ec2"
  std::string region;   // credential-scope region ("us-east-1" for global IAM)
  std::chrono::system_clock::time_point time;
  PayloadSigning payload = PayloadSigning::kHashOnly;
  bool normalize_path = true;      // collapse "." / ".." segments and "//" before signing
  bool double_uri_encode = true;   // encode the (already encoded) path once more
  bool sign_session_token = true;  // false: X-Amz-Security-Token is added unsigned
};

// S3's rules: no normalisation, single encoding, x-amz-content-sha256.
SigningParams S3SigningParams(std::string region, std::chrono::system_clock::time_point time,
                              PayloadSigning payload = PayloadSigning::kHashHeader);

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header value (empty for presigning)
};

// Signs `request` in place: sets X-Amz-Date, x-amz-content-sha256 (per params.payload),
// X-Amz-Security-Token (when the credentials carry one) and Authorization. Any earlier values
// of those headers are replaced, so a request may be re-signed for a retry.
Signature SignRequest(HttpRequest& request, const Credentials& credentials,
                      const SigningParams& params);

// Query-string signing (a presigned URL valid for `expires`): appends X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Expires, [X-Amz-Security-Token]
// and X-Amz-Signature to request.query. The payload hash is the body's, or UNSIGNED-PAYLOAD
// with PayloadSigning::kUnsignedPayload (what S3 presigned URLs use).
Signature PresignRequest(HttpRequest& request, const Credentials& credentials,
                         const SigningParams& params, std::chrono::seconds expires);

// Building blocks, exposed for tests.
std::string FormatAmzDate(std::chrono::system_clock::time_point time);  // 20150830T123600Z
std::string CanonicalUri(std::string_view path, bool normalize, bool double_encode);
std::string CanonicalQuery(const QueryParams& query);
Digest SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service);

}  // namespace sparkify::aws
