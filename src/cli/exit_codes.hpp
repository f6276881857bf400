// Process exit codes of the sparkify binary; the table is documented in docs/CLI.md.
#pragma once

#include "sparkify/common/error.hpp"

namespace sparkify::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,            // runtime failure: I/O, database, network, internal
  kExitUsage = 2,              // bad command line, missing sources
  kExitConfig = 3,             // configuration missing or malformed (dwh.cfg, target, credentials)
  kExitTooManyLoadErrors = 4,  // more bad records than --max-errors allows; nothing committed
  kExitCheckFailed = 5,        // a data-quality check failed
  kExitNotFound = 6,           // the thing asked about does not exist
  kExitAuth = 7,               // credentials were rejected
  kExitInterrupted = 130,      // SIGINT
};

inline int ExitCodeFor(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kConfig:
      return kExitConfig;
    case ErrorCode::kTooManyLoadErrors:
      return kExitTooManyLoadErrors;
    case ErrorCode::kCheckFailed:
      return kExitCheckFailed;
    case ErrorCode::kNotFound:
      return kExitNotFound;
    case ErrorCode::kAuth:
      return kExitAuth;
    default:
      return kExitFailure;
  }
}

}  // namespace sparkify::cli
