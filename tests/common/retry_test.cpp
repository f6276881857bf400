#include "sparkify/common/retry.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sparkify {
namespace {

using std::chrono::milliseconds;

Backoff Fixed(RetryPolicy policy, double u) {
  return Backoff(policy, [u] { return u; });
}

TEST(Backoff, RetriesOnlyRetryableErrors) {
  Backoff b = Fixed({}, 0.5);
  EXPECT_TRUE(b.Decide(1, Error::Unavailable("HTTP 503 SlowDown")).retry);
  EXPECT_FALSE(b.Decide(1, Error::Auth("HTTP 403 SignatureDoesNotMatch")).retry);
  EXPECT_FALSE(b.Decide(1, Error::NotFound("HTTP 404 NoSuchKey")).retry);
  EXPECT_FALSE(b.Decide(1, Error::InvalidArgument("HTTP 400 InvalidArgument")).retry);
  EXPECT_FALSE(b.Decide(1, Error::Io("disk full")).retry);
}

TEST(Backoff, StopsWhenAttemptsAreSpent) {
  Backoff b = Fixed({.max_attempts = 3}, 0.5);
  Error e = Error::Unavailable("reset");
  EXPECT_TRUE(b.Decide(1, e).retry);
  EXPECT_TRUE(b.Decide(2, e).retry);
  EXPECT_FALSE(b.Decide(3, e).retry);
}

TEST(Backoff, OneAttemptMeansNoRetry) {
  EXPECT_FALSE(Fixed({.max_attempts = 1}, 0.5).Decide(1, Error::Unavailable("x")).retry);
}

TEST(Backoff, CeilingDoublesUpToTheCap) {
  Backoff b = Fixed(
      {.max_attempts = 100, .base_delay = milliseconds(100), .max_delay = milliseconds(1000)}, 0.5);
  EXPECT_EQ(b.CeilingAfter(1), milliseconds(100));
  EXPECT_EQ(b.CeilingAfter(2), milliseconds(200));
  EXPECT_EQ(b.CeilingAfter(3), milliseconds(400));
  EXPECT_EQ(b.CeilingAfter(4), milliseconds(800));
  EXPECT_EQ(b.CeilingAfter(5), milliseconds(1000));
  EXPECT_EQ(b.CeilingAfter(90), milliseconds(1000));  // no overflow far past the cap
}

TEST(Backoff, FullJitterScalesTheCeiling) {
  RetryPolicy p{
      .max_attempts = 5, .base_delay = milliseconds(100), .max_delay = milliseconds(20000)};
  EXPECT_EQ(Fixed(p, 0.0).DelayAfter(3), milliseconds(0));
  EXPECT_EQ(Fixed(p, 0.25).DelayAfter(3), milliseconds(100));
  EXPECT_EQ(Fixed(p, 0.999).DelayAfter(1), milliseconds(99));
  EXPECT_EQ(Fixed(p, 0.5).Decide(2, Error::Unavailable("x")).delay, milliseconds(100));
}

TEST(Backoff, DefaultJitterStaysWithinTheCeiling) {
  Backoff b({.max_attempts = 5, .base_delay = milliseconds(50), .max_delay = milliseconds(400)});
  for (int attempt = 1; attempt <= 6; ++attempt) {
    for (int i = 0; i < 100; ++i) {
      milliseconds d = b.DelayAfter(attempt);
      EXPECT_GE(d.count(), 0);
      EXPECT_LE(d, b.CeilingAfter(attempt));
    }
  }
}

TEST(RunWithRetries, SleepsBetweenTriesAndReturnsTheSuccess) {
  std::vector<milliseconds> slept;
  Backoff b = Fixed(
      {.max_attempts = 5, .base_delay = milliseconds(10), .max_delay = milliseconds(1000)}, 1.0);
  int calls = 0;
  Result<int> r = RunWithRetries<int>(
      b, [&](milliseconds d) { slept.push_back(d); },
      [&](int attempt) -> Result<int> {
        ++calls;
        if (attempt < 3) return Error::Unavailable("HTTP 503");
        return 42;
      });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(slept, (std::vector<milliseconds>{milliseconds(10), milliseconds(20)}));
}

TEST(RunWithRetries, ReturnsAPermanentErrorAtOnce) {
  int calls = 0;
  Result<int> r = RunWithRetries<int>(
      Fixed({}, 0.5), [](milliseconds) { ADD_FAILURE() << "must not sleep"; },
      [&](int) -> Result<int> {
        ++calls;
        return Error::Auth("HTTP 403 SignatureDoesNotMatch");
      });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kAuth);
  EXPECT_EQ(r.error().message(), "HTTP 403 SignatureDoesNotMatch");
  EXPECT_EQ(calls, 1);
}

TEST(RunWithRetries, SaysWhenItGaveUpAndKeepsTheDetails) {
  int calls = 0;
  int retries_seen = 0;
  Result<int> r = RunWithRetries<int>(
      Fixed({.max_attempts = 4}, 0.0), [](milliseconds) {},
      [&](int) -> Result<int> {
        ++calls;
        Error e = Error::Unavailable("GET s3://b/k: HTTP 503 SlowDown");
        e.http_status = 503;
        e.service_code = "SlowDown";
        e.request_id = "REQ1";
        return e;
      },
      [&](int, const Error&, milliseconds) { ++retries_seen; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(retries_seen, 3);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message(), "GET s3://b/k: HTTP 503 SlowDown (gave up after 4 attempts)");
  EXPECT_EQ(r.error().http_status, 503);
  EXPECT_EQ(r.error().service_code, "SlowDown");
  EXPECT_EQ(r.error().request_id, "REQ1");
}

}  // namespace
}  // namespace sparkify
