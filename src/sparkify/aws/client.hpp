// A client for one AWS service (or an S3-compatible store): signs every try, sends it over a
// pool of reusable HTTP transports, and retries what is transient.
//
// Usable for any service and any request shape (S3 REST calls, Query-API POSTs with form
// bodies); service specifics (addressing, XML) live in the callers (aws/s3.hpp, and the
// IAM/Redshift/EC2 clients built on the same pieces).
//
// Thread-safety: Call() may run on many threads at once; each call borrows its own transport
// (so N concurrent calls use N connections, each kept open for reuse) and returns it after.
// Cancel() may be called from any thread.
// Secrets: credentials are used for signing only; no error or log line carries them, nor the
// Authorization or X-Amz-Security-Token headers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/aws/credentials.hpp"
#include "sparkify/aws/http.hpp"
#include "sparkify/aws/sigv4.hpp"
#include "sparkify/common/retry.hpp"

namespace sparkify::aws {

struct ClientConfig {
  std::string service;                     // signing name: "s3", "iam", ...
  std::string region;                      // signing region
  std::optional<Credentials> credentials;  // nullopt: send requests unsigned (public data)
  bool s3_signing = false;                 // S3's canonical-request rules (sigv4.hpp)
  PayloadSigning payload = PayloadSigning::kHashOnly;
  RetryPolicy retry;
  HttpOptions http;

  // Test seams; empty = the real thing.
  std::function<std::unique_ptr<HttpTransport>(const HttpOptions&)> make_transport;  // curl
  SleepFn sleep;  // an interruptible sleep (Cancel() wakes it)
  std::function<std::chrono::system_clock::time_point()> now;  // system clock
  std::function<double()> jitter;                              // uniform [0, 1)
};

// The retry policy and HTTP options the environment asks for:
//   AWS_MAX_ATTEMPTS or the profile's max_attempts   total tries per call (default 5)
//   SPARKIFY_AWS_RETRY_BASE_MS / SPARKIFY_AWS_RETRY_MAX_MS   backoff base and cap (200 / 20000)
//   SPARKIFY_AWS_CONNECT_TIMEOUT_MS / SPARKIFY_AWS_READ_TIMEOUT_MS  (10000 / 30000)
//   AWS_CA_BUNDLE or the profile's ca_bundle          trusted CAs for https
// kConfig when a value is not a positive integer.
Status ApplyEnvironment(const SharedConfig& shared, ClientConfig& config);

struct CallOptions {
  std::string region;                     // signing region for this call; empty = the client's
  std::optional<PayloadSigning> payload;  // how to sign the body; nullopt = the client's
  // Non-2xx responses for which this returns true come back as responses, not errors (and
  // are not retried), so the caller can act on them (S3's wrong-region redirects).
  std::function<bool(const HttpResponse&)> return_response;
  // Checks a 2xx response (e.g. parses its XML); an error fails the try like a transport
  // fault would, so a retryable one (a garbled listing) is retried.
  std::function<Status(const HttpResponse&)> validate;
};

class Client {
 public:
  explicit Client(ClientConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientConfig& config() const { return config_; }

  // Sends `request` (unsigned; it is signed afresh for each try) and returns the 2xx response.
  // Failures become Errors per aws/errors.hpp whose messages start with `what`
  // ("GET s3://bucket/key"); retryable ones are retried per the policy, and when the tries
  // run out the message ends with "(gave up after N attempts)".
  Result<HttpResponse> Call(const HttpRequest& request, std::string_view what,
                            const CallOptions& options = {});

  // Makes calls in progress and later ones fail fast (kUnavailable "cancelled"), and wakes
  // retry sleeps. For shutting down while other threads still wait on the network.
  void Cancel();

  // How many tries were retries, since construction (for --verbose summaries and tests).
  uint64_t retries() const { return retries_.load(); }

 private:
  std::unique_ptr<HttpTransport> Borrow();
  void Return(std::unique_ptr<HttpTransport> transport);
  void InterruptibleSleep(std::chrono::milliseconds delay);

  ClientConfig config_;
  Backoff backoff_;
  std::atomic<bool> cancelled_{false};
  std::atomic<uint64_t> retries_{0};
  std::mutex mu_;
  std::condition_variable cancel_cv_;
  std::vector<std::unique_ptr<HttpTransport>> idle_;  // guarded by mu_
};

}  // namespace sparkify::aws
