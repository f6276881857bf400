// Error values for the whole core library.
//
// An `Error` carries a small code (what the caller can do about it), a message for a person,
// and a chain of context added as the error travels up ("loading x.json: line 17: ...").
// `Status` is "ok or an Error"; `Result<T>` is "a T or an Error". Both are [[nodiscard]].
// Nothing here throws. A bad input *record* is not an Error: it goes to a LoadErrorSink
// (see parse/load_error.hpp); only too many of them become an Error (kTooManyLoadErrors).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sparkify {

enum class ErrorCode {
  kInvalidArgument,    // the caller asked for something malformed (usage error)
  kConfig,             // configuration is missing or malformed
  kNotFound,           // a file, object, table or resource does not exist
  kIo,                 // reading or writing local files failed
  kParse,              // input could not be parsed as a whole (not a single bad record)
  kEngine,             // the database engine refused a statement or a connection
  kUnavailable,        // a transient fault; the call may be retried (network, throttling)
  kAuth,               // credentials were rejected
  kTooManyLoadErrors,  // --max-errors was exceeded
  kCheckFailed,        // a data-quality check failed
  kInternal,           // a bug: an invariant did not hold
};

const char* ErrorCodeName(ErrorCode code);

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Error InvalidArgument(std::string m) {
    return {ErrorCode::kInvalidArgument, std::move(m)};
  }
  static Error Config(std::string m) { return {ErrorCode::kConfig, std::move(m)}; }
  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error Io(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
  static Error Parse(std::string m) { return {ErrorCode::kParse, std::move(m)}; }
  static Error Engine(std::string m) { return {ErrorCode::kEngine, std::move(m)}; }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  ErrorCode code() const { return code_; }
  // The innermost message, without context.
  const std::string& message() const { return message_; }
  // Context (outermost first) followed by the message: "etl: staging events: x.json: ...".
  std::string ToString() const;
  // True when repeating the same call may succeed.
  bool retryable() const { return code_ == ErrorCode::kUnavailable; }

  // Optional details, set by the layer that knows them.
  std::optional<std::string> sqlstate;

  // Prepends a layer of context; returns *this for chaining.
  Error& WithContext(std::string context);

 private:
  ErrorCode code_;
  std::string message_;
  std::string context_;  // "outer: inner: " form, outermost first
};

class [[nodiscard]] Status {
 public:
  Status() = default;                                // ok
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static Status Ok() { return {}; }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(error_ && "Status::error() called on an ok Status");
    return *error_;
  }
  Error&& take_error() {
    assert(error_ && "Status::take_error() called on an ok Status");
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok() && "Result::value() called on an error");
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok() && "Result::value() called on an error");
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok() && "Result::value() called on an error");
    return std::move(std::get<T>(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const Error& error() const {
    assert(!ok() && "Result::error() called on a value");
    return std::get<Error>(v_);
  }
  Error&& take_error() {
    assert(!ok() && "Result::take_error() called on a value");
    return std::move(std::get<Error>(v_));
  }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace sparkify

// Returns early with the error of a Status-returning expression.
#define SPARKIFY_RETURN_IF_ERROR(expr)                                \
  do {                                                                \
    ::sparkify::Status sparkify_status_ = (expr);                     \
    if (!sparkify_status_.ok()) return sparkify_status_.take_error(); \
  } while (false)

#define SPARKIFY_CONCAT_INNER_(a, b) a##b
#define SPARKIFY_CONCAT_(a, b) SPARKIFY_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result-returning expression, or returns its error.
#define SPARKIFY_ASSIGN_OR_RETURN(lhs, expr)                          \
  auto SPARKIFY_CONCAT_(sparkify_result_, __LINE__) = (expr);         \
  if (!SPARKIFY_CONCAT_(sparkify_result_, __LINE__).ok())             \
    return SPARKIFY_CONCAT_(sparkify_result_, __LINE__).take_error(); \
  lhs = std::move(SPARKIFY_CONCAT_(sparkify_result_, __LINE__)).value()
