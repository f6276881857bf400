// A tiny HTTP/1.1 server on 127.0.0.1 for tests that need a web service stand-in (the
// checkip service of `cluster create`): every request gets the same status and body, and
// the server counts the requests. Runs on its own thread; the destructor stops it.
#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace sparkify::testing {

class LoopbackHttpServer {
 public:
  // Listens on a free 127.0.0.1 port; answers `status` with `body` (text/plain).
  LoopbackHttpServer(int status, std::string body);
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }

 private:
  void Serve();
  int status_;
  std::string body_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace sparkify::testing
