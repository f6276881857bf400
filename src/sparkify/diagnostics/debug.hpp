// `sparkify debug` (issue 17; like `dbt debug` and `aws configure list`): every setting that
// matters with its value and where it came from, then one check per thing a run needs, each
// OK, FAIL (with the reason and a hint) or SKIP (with why it does not apply):
//   config        dwh.cfg parses (no file at all is fine: built-in defaults)
//   target        the warehouse accepts a connection and `select version()`; DuckDB: the file
//                 opens, or would be created (its folder exists and is writable; the file is
//                 not created); `redshift:` without a password: IAM authentication first
//   songs/events  the locations can be listed (one key; S3 signed, or anonymous with
//                 --no-sign-request)
//   aws identity  STS GetCallerIdentity: account and ARN (run when anything configured needs
//                 AWS: an s3:// location, a Redshift target, a [DWH] section)
//   cluster       when dwh.cfg has [DWH]: the cluster's state, then whether its database
//                 accepts a TCP connection and a login (iac/cluster_connection.hpp)
// Every check is bounded by DebugOptions::timeout (connect and read timeouts, two tries).
// Secrets: values are masked (passwords, the secret key; the access key id shows its last
// four characters); no detail or reason carries a secret.
// Thread-safety: RunDebug reads the environment; run it from one thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sparkify::diagnostics {

struct DebugOptions {
  std::string config_path;  // --config; empty: $SPARKIFY_CONFIG or ./dwh.cfg when present
  std::optional<std::string> target;
  std::optional<std::string> songs;
  std::optional<std::string> events;
  std::string endpoint_url;  // --endpoint-url for s3:// locations
  bool no_sign_request = false;
  std::string region;  // --region for STS and the cluster
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
};

struct SettingLine {
  std::string name;    // "target", "aws access key id", "[CLUSTER] DB_PASSWORD"
  std::string value;   // masked when secret; "" = not set
  std::string origin;  // "--target", "$AWS_PROFILE", "dwh.cfg [S3] SONG_DATA", "default"
};

enum class CheckStatus { kOk, kFail, kSkip };

struct CheckLine {
  std::string name;  // "config", "target", "songs", "events", "aws identity", "cluster", ...
  CheckStatus status = CheckStatus::kOk;
  std::string detail;  // OK: what was found; FAIL: the reason; SKIP: why it does not apply
  std::string hint;    // FAIL: what to try
  double seconds = 0;
};

struct DebugReport {
  std::vector<SettingLine> settings;
  std::vector<CheckLine> checks;
  bool ok() const;  // no check failed
};

DebugReport RunDebug(const DebugOptions& options);

// "settings:" then one aligned line per setting, "checks:" then "OK   name  detail" lines
// (FAIL lines are followed by "     hint: ..."), then "N checks: all passed" or "... K failed".
std::string FormatText(const DebugReport& report);
// {"ok":bool,"settings":[{"name","value","origin"}],"checks":[{"name","status":"ok|fail|skip",
// "detail","hint","seconds"}]} on one line.
std::string FormatJson(const DebugReport& report);

// "****************ABCD": the last four characters, as `aws configure list` shows a key id.
std::string MaskKeyId(const std::string& key_id);

}  // namespace sparkify::diagnostics
