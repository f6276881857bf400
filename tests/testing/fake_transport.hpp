// An in-process stand-in for the network: every request the AWS client sends goes to a
// handler the test writes, and is recorded. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "sparkify/aws/http.hpp"

namespace sparkify::testing {

class FakeServer {
 public:
  using Handler = std::function<Result<aws::HttpResponse>(const aws::HttpRequest&)>;
  explicit FakeServer(Handler handler) : handler_(std::move(handler)) {}

  // For ClientConfig::make_transport.
  std::function<std::unique_ptr<aws::HttpTransport>(const aws::HttpOptions&)> Factory();

  std::vector<aws::HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  Result<aws::HttpResponse> Handle(const aws::HttpRequest& request) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    return handler_(request);
  }

 private:
  Handler handler_;
  mutable std::mutex mu_;
  std::vector<aws::HttpRequest> requests_;
};

inline aws::HttpResponse MakeResponse(int status, std::string body = "",
                                      aws::HeaderList headers = {}) {
  aws::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

inline std::function<std::unique_ptr<aws::HttpTransport>(const aws::HttpOptions&)>
FakeServer::Factory() {
  class Transport final : public aws::HttpTransport {
   public:
    explicit Transport(FakeServer& server) : server_(server) {}
    Result<aws::HttpResponse> Send(const aws::HttpRequest& request) override {
      return server_.Handle(request);
    }

   private:
    FakeServer& server_;
  };
  return [this](const aws::HttpOptions&) { return std::make_unique<Transport>(*this); };
}

}  // namespace sparkify::testing
