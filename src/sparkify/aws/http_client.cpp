#include "sparkify/aws/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <utility>

namespace sparkify::aws {
namespace {

using Clock = std::chrono::steady_clock;

void GlobalInit() {
  // curl_global_init is not thread-safe on every platform; once per process, before any
  // handle exists (https://curl.se/libcurl/c/curl_global_init.html).
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Owns one CURL easy handle.
class CurlEasy {
 public:
  CurlEasy() : handle_((GlobalInit(), curl_easy_init())) {}
  ~CurlEasy() {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
  }
  CurlEasy(CurlEasy&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  CurlEasy& operator=(CurlEasy&& other) noexcept {
    if (this != &other) {
      if (handle_ != nullptr) curl_easy_cleanup(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  CURL* get() const { return handle_; }

 private:
  CURL* handle_;
};

// Owns a curl_slist (request headers).
class CurlSlist {
 public:
  CurlSlist() = default;
  ~CurlSlist() { curl_slist_free_all(list_); }
  CurlSlist(const CurlSlist&) = delete;
  CurlSlist& operator=(const CurlSlist&) = delete;

  // False when curl could not allocate; the list is then unchanged.
  bool Append(const std::string& line) {
    curl_slist* next = curl_slist_append(list_, line.c_str());
    if (next == nullptr) return false;
    list_ = next;
    return true;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// State the C callbacks write into. They never throw: curl is C, and an exception unwinding
// through it is undefined behaviour. They record what went wrong and return curl's abort value.
struct Exchange {
  CURL* handle = nullptr;
  HttpResponse* response = nullptr;
  size_t max_bytes = 0;
  bool too_large = false;
  bool out_of_memory = false;
  bool stalled = false;
  bool cancelled = false;
  std::chrono::milliseconds read_timeout{0};
  const std::atomic<bool>* cancel_flag = nullptr;
  curl_off_t last_down = -1;
  curl_off_t last_up = -1;
  Clock::time_point last_activity;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) noexcept {
  auto* ex = static_cast<Exchange*>(user);
  size_t n = size * count;
  if (ex->response->body.size() + n > ex->max_bytes) {
    ex->too_large = true;
    return 0;  // CURLE_WRITE_ERROR
  }
  try {
    ex->response->body.append(data, n);
  } catch (...) {
    ex->out_of_memory = true;
    return 0;
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) noexcept {
  auto* ex = static_cast<Exchange*>(user);
  size_t n = size * count;
  try {
    std::string_view line(data, n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.starts_with("HTTP/")) {
      ex->response->headers.clear();  // a new response (after 100 Continue) starts
      return n;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    ex->response->headers.emplace_back(std::move(name), std::string(value));
  } catch (...) {
    ex->out_of_memory = true;
    return 0;
  }
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) noexcept {
  auto* ex = static_cast<Exchange*>(user);
  if (ex->cancel_flag != nullptr && ex->cancel_flag->load()) {
    ex->cancelled = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  Clock::time_point now = Clock::now();
  if (dlnow != ex->last_down || ulnow != ex->last_up) {
    ex->last_down = dlnow;
    ex->last_up = ulnow;
    ex->last_activity = now;
    return 0;
  }
  // Until the request is on its way, the connect timeout is the one that applies.
  curl_off_t pretransfer = 0;
  if (curl_easy_getinfo(ex->handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) != CURLE_OK ||
      pretransfer == 0) {
    ex->last_activity = now;
    return 0;
  }
  if (now - ex->last_activity > ex->read_timeout) {
    ex->stalled = true;
    return 1;
  }
  return 0;
}

// Transport failures another try may cure.
bool TransientCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_AGAIN:
      return true;
    default:
      return false;
  }
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const HttpOptions& options) : options_(options) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (easy_.get() == nullptr) return Error::Internal("curl_easy_init failed");
    if (options_.cancelled != nullptr && options_.cancelled->load()) {
      return Error::Unavailable("cancelled");
    }
    CURL* h = easy_.get();
    // Reset drops every option but keeps the open connections and the DNS and TLS caches.
    curl_easy_reset(h);
    HttpResponse response;
    Exchange ex;
    ex.handle = h;
    ex.response = &response;
    ex.max_bytes = options_.max_response_bytes;
    ex.read_timeout = options_.read_timeout;
    ex.cancel_flag = options_.cancelled;
    ex.last_activity = Clock::now();

    CurlSlist headers;
    bool headers_ok = headers.Append("Host: " + request.host) && headers.Append("Expect:");
    if (!FindHeader(request.headers, "Content-Type")) {
      headers_ok = headers_ok && headers.Append("Content-Type:");  // no form default for bodies
    }
    for (const auto& [name, value] : request.headers) {
      headers_ok = headers_ok && headers.Append(value.empty() ? name + ";" : name + ": " + value);
    }
    if (!headers_ok) return Error::Internal("out of memory building request headers");

    std::string url = request.Url();
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM-based DNS timeouts
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
    if (!options_.ca_bundle.empty())
      curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &ex);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (request.method == "GET" && request.body.empty()) {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) return TransportError(rc, errbuf, ex);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    if (request.method != "HEAD") {
      if (auto length = response.Header("content-length")) {
        if (*length != std::to_string(response.body.size())) {
          return Error::Unavailable("response body cut short: got " +
                                    std::to_string(response.body.size()) + " of " +
                                    std::string(*length) + " bytes");
        }
      }
    }
    return response;
  }

 private:
  Error TransportError(CURLcode rc, const char* errbuf, const Exchange& ex) const {
    if (ex.cancelled) return Error::Unavailable("cancelled");
    if (ex.stalled) {
      return Error::Unavailable("no data for " + std::to_string(ex.read_timeout.count()) +
                                " ms (read timeout)");
    }
    if (ex.too_large) {
      return Error::Io("response larger than " + std::to_string(options_.max_response_bytes) +
                       " bytes");
    }
    if (ex.out_of_memory) return Error::Internal("out of memory reading the response");
    std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    if (TransientCurlError(rc)) return Error::Unavailable(detail);
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
      return Error::Config("TLS: " + detail + " (set AWS_CA_BUNDLE to a PEM file of trusted CAs)");
    }
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return Error::InvalidArgument(detail);
    }
    return Error::Io(detail);
  }

  HttpOptions options_;
  CurlEasy easy_;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport(const HttpOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace sparkify::aws
