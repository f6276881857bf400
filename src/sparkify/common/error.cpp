#include "sparkify/common/error.hpp"

namespace sparkify {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kConfig:
      return "configuration error";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kIo:
      return "I/O error";
    case ErrorCode::kParse:
      return "parse error";
    case ErrorCode::kEngine:
      return "database error";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kAuth:
      return "authentication error";
    case ErrorCode::kTooManyLoadErrors:
      return "too many load errors";
    case ErrorCode::kCheckFailed:
      return "check failed";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "error";
}

std::string Error::ToString() const { return context_ + message_; }

Error& Error::WithContext(std::string context) {
  context_ = std::move(context) + ": " + context_;
  return *this;
}

}  // namespace sparkify
