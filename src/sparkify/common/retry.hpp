// When to try a failed call again, and how long to wait first.
//
// The decision is the error's: only `Error::retryable()` faults (code kUnavailable: network
// resets, timeouts, 5xx, throttling) are retried; everything else fails at once. The delay is
// capped exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS
// Architecture Blog, 2015): before try n+1 wait uniform(0, 1) x min(max_delay, base x 2^(n-1)).
// Full jitter spreads the retries of many concurrent callers (thousands of small GETs hitting
// the same throttled bucket) instead of synchronising them into waves.
//
// Everything that depends on the world is injected, so tests are exact and instant:
// the random source (Backoff) and the sleep (RunWithRetries).
// Thread-safety: a Backoff is immutable after construction and may be shared by threads;
// its random source is called concurrently and must be thread-safe (the default is).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "sparkify/common/error.hpp"

namespace sparkify {

struct RetryPolicy {
  int max_attempts = 5;  // total tries, the first included; 1 = never retry
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{20000};
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};  // wait this long before the next try
};

class Backoff {
 public:
  // `uniform` returns values in [0, 1); empty = a thread-local PRNG seeded from the OS.
  explicit Backoff(RetryPolicy policy = {}, std::function<double()> uniform = {});

  const RetryPolicy& policy() const { return policy_; }

  // Decides what to do after try number `attempt` (1-based) failed with `error`.
  RetryDecision Decide(int attempt, const Error& error) const;
  // The jittered wait after try number `attempt` (1-based) failed.
  std::chrono::milliseconds DelayAfter(int attempt) const;
  // The un-jittered ceiling of DelayAfter(attempt): min(max_delay, base x 2^(attempt-1)).
  std::chrono::milliseconds CeilingAfter(int attempt) const;

 private:
  RetryPolicy policy_;
  std::function<double()> uniform_;
};

using SleepFn = std::function<void(std::chrono::milliseconds)>;

// `last` (the error of the final try, without context) marked as the end of `attempts`
// tries: same code and details, message + " (gave up after N attempts)".
Error GaveUp(const Error& last, int attempts);

// Calls `attempt_fn(attempt)` (attempt = 1, 2, ...) until it returns ok, fails with an error
// Backoff::Decide does not retry, or the attempts are spent. Before each retry it calls
// `on_retry(attempt, error, delay)` (may be empty; e.g. to log) and then `sleep(delay)`.
// When the attempts are spent the last error is returned with "(gave up after N attempts)"
// appended to its message, so a person can tell a persistent fault from a single one.
template <typename T>
Result<T> RunWithRetries(
    const Backoff& backoff, const SleepFn& sleep,
    const std::function<Result<T>(int attempt)>& attempt_fn,
    const std::function<void(int, const Error&, std::chrono::milliseconds)>& on_retry = {}) {
  for (int attempt = 1;; ++attempt) {
    Result<T> result = attempt_fn(attempt);
    if (result.ok()) return result;
    RetryDecision decision = backoff.Decide(attempt, result.error());
    if (!decision.retry) {
      if (result.error().retryable() && attempt > 1) {
        return GaveUp(result.error(), attempt);
      }
      return result;
    }
    if (on_retry) on_retry(attempt, result.error(), decision.delay);
    sleep(decision.delay);
  }
}

}  // namespace sparkify
