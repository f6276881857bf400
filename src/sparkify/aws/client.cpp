#include "sparkify/aws/client.hpp"

#include <charconv>
#include <cstdlib>

#include "sparkify/aws/errors.hpp"
#include "sparkify/aws/http_client.hpp"
#include "sparkify/common/log.hpp"

namespace sparkify::aws {
namespace {

// A positive integer from the environment (or the profile), else `fallback`.
Result<int64_t> PositiveSetting(const char* env_name, std::optional<std::string> profile_value,
                                int64_t fallback) {
  std::string origin;
  std::string text;
  if (const char* v = std::getenv(env_name); v != nullptr && v[0] != '\0') {
    text = v;
    origin = std::string("$") + env_name;
  } else if (profile_value) {
    text = *profile_value;
    origin = "the AWS profile";
  } else {
    return fallback;
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n <= 0) {
    return Error::Config(origin + " must be a positive integer, got \"" + text + "\"");
  }
  return n;
}

std::chrono::milliseconds Ms(int64_t n) { return std::chrono::milliseconds(n); }

}  // namespace

Status ApplyEnvironment(const SharedConfig& shared, ClientConfig& config) {
  SPARKIFY_ASSIGN_OR_RETURN(
      int64_t attempts, PositiveSetting("AWS_MAX_ATTEMPTS", shared.ConfigFileValue("max_attempts"),
                                        config.retry.max_attempts));
  SPARKIFY_ASSIGN_OR_RETURN(
      int64_t base,
      PositiveSetting("SPARKIFY_AWS_RETRY_BASE_MS", std::nullopt, config.retry.base_delay.count()));
  SPARKIFY_ASSIGN_OR_RETURN(int64_t cap, PositiveSetting("SPARKIFY_AWS_RETRY_MAX_MS", std::nullopt,
                                                         config.retry.max_delay.count()));
  SPARKIFY_ASSIGN_OR_RETURN(int64_t connect,
                            PositiveSetting("SPARKIFY_AWS_CONNECT_TIMEOUT_MS", std::nullopt,
                                            config.http.connect_timeout.count()));
  SPARKIFY_ASSIGN_OR_RETURN(int64_t read,
                            PositiveSetting("SPARKIFY_AWS_READ_TIMEOUT_MS", std::nullopt,
                                            config.http.read_timeout.count()));
  config.retry.max_attempts = static_cast<int>(std::min<int64_t>(attempts, 100));
  config.retry.base_delay = Ms(base);
  config.retry.max_delay = Ms(std::max(base, cap));
  config.http.connect_timeout = Ms(connect);
  config.http.read_timeout = Ms(read);
  if (const char* ca = std::getenv("AWS_CA_BUNDLE"); ca != nullptr && ca[0] != '\0') {
    config.http.ca_bundle = ca;
  } else if (auto p = shared.ConfigFileValue("ca_bundle")) {
    config.http.ca_bundle = *p;
  }
  return Status::Ok();
}

Client::Client(ClientConfig config)
    : config_(std::move(config)), backoff_(config_.retry, config_.jitter) {
  config_.http.cancelled = &cancelled_;
  if (!config_.make_transport) config_.make_transport = MakeCurlTransport;
  if (!config_.now) config_.now = [] { return std::chrono::system_clock::now(); };
}

Client::~Client() = default;

std::unique_ptr<HttpTransport> Client::Borrow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<HttpTransport> t = std::move(idle_.back());
      idle_.pop_back();
      return t;
    }
  }
  return config_.make_transport(config_.http);
}

void Client::Return(std::unique_ptr<HttpTransport> transport) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(transport));
}

void Client::Cancel() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
  }
  cancel_cv_.notify_all();
}

void Client::InterruptibleSleep(std::chrono::milliseconds delay) {
  if (config_.sleep) {
    config_.sleep(delay);
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  cancel_cv_.wait_for(lock, delay, [&] { return cancelled_.load(); });
}

Result<HttpResponse> Client::Call(const HttpRequest& request, std::string_view what,
                                  const CallOptions& options) {
  std::unique_ptr<HttpTransport> transport = Borrow();
  auto attempt = [&](int) -> Result<HttpResponse> {
    if (cancelled_) return Error::Unavailable(std::string(what) + ": cancelled");
    HttpRequest signed_request = request;
    if (config_.credentials) {
      SigningParams params;
      std::string region = options.region.empty() ? config_.region : options.region;
      PayloadSigning payload = options.payload.value_or(config_.payload);
      if (config_.s3_signing) {
        params = S3SigningParams(region, config_.now(), payload);
      } else {
        params.region = region;
        params.time = config_.now();
        params.payload = payload;
      }
      params.service = config_.service;
      (void)SignRequest(signed_request, *config_.credentials, params);
    }
    Result<HttpResponse> response = transport->Send(signed_request);
    if (!response.ok()) {
      const Error& e = response.error();
      return Error(e.code(), std::string(what) + ": " + e.message());
    }
    if (response->status >= 200 && response->status < 300) {
      if (options.validate) {
        Status valid = options.validate(*response);
        if (!valid.ok()) return valid.take_error();
      }
      return response;
    }
    if (options.return_response && options.return_response(*response)) return response;
    return ErrorFromResponse(*response, what);
  };
  auto on_retry = [&](int n, const Error& e, std::chrono::milliseconds delay) {
    retries_.fetch_add(1);
    log::Verbose("retrying after " + e.message() + " (try " + std::to_string(n) + " of " +
                 std::to_string(backoff_.policy().max_attempts) + ", waiting " +
                 std::to_string(delay.count()) + " ms)");
  };
  SleepFn sleep = [this](std::chrono::milliseconds d) { InterruptibleSleep(d); };
  Result<HttpResponse> result = RunWithRetries<HttpResponse>(backoff_, sleep, attempt, on_retry);
  Return(std::move(transport));
  return result;
}

}  // namespace sparkify::aws
