#include "sparkify/common/retry.hpp"

#include <algorithm>
#include <random>

namespace sparkify {
namespace {

double ThreadLocalUniform() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

Backoff::Backoff(RetryPolicy policy, std::function<double()> uniform)
    : policy_(policy), uniform_(uniform ? std::move(uniform) : ThreadLocalUniform) {
  policy_.max_attempts = std::max(1, policy_.max_attempts);
  policy_.base_delay = std::max(std::chrono::milliseconds(0), policy_.base_delay);
  policy_.max_delay = std::max(policy_.base_delay, policy_.max_delay);
}

std::chrono::milliseconds Backoff::CeilingAfter(int attempt) const {
  // Doubling stops at 2^30 so that the shift never overflows; the cap applies long before.
  int doublings = std::clamp(attempt - 1, 0, 30);
  double ceiling =
      static_cast<double>(policy_.base_delay.count()) * static_cast<double>(1LL << doublings);
  double cap = static_cast<double>(policy_.max_delay.count());
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(ceiling, cap)));
}

std::chrono::milliseconds Backoff::DelayAfter(int attempt) const {
  double u = std::clamp(uniform_(), 0.0, 1.0);
  return std::chrono::milliseconds(
      static_cast<int64_t>(u * static_cast<double>(CeilingAfter(attempt).count())));
}

RetryDecision Backoff::Decide(int attempt, const Error& error) const {
  if (!error.retryable() || attempt >= policy_.max_attempts) return {};
  return {true, DelayAfter(attempt)};
}

Error GaveUp(const Error& last, int attempts) {
  Error e(last.code(),
          last.message() + " (gave up after " + std::to_string(attempts) + " attempts)");
  e.sqlstate = last.sqlstate;
  e.http_status = last.http_status;
  e.service_code = last.service_code;
  e.request_id = last.request_id;
  return e;
}

}  // namespace sparkify
