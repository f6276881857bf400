// AWS credentials, profile, region and endpoint URL, resolved the way the AWS CLI does.
//
// Sources, in order (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html,
// "Configuration settings and precedence"):
//   credentials  1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]
//                2. the profile's section in the shared credentials file
//                   (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials; section [NAME])
//                3. the profile's section in the config file
//                   (AWS_CONFIG_FILE, default ~/.aws/config; section [profile NAME], [default])
//   profile      AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default"
//   region       AWS_REGION, else AWS_DEFAULT_REGION, else the profile's `region`
//   endpoint     --endpoint-url, else AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else
//                the profile's `endpoint_url` (the last three are ignored when
//                AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true)
//                4. (interactive use) CredentialsPrompt, when one is installed: asked once per
//                   process, the answer kept in memory only (issue 17)
// Not supported (a clear kConfig error says so): assume-role profiles (role_arn),
// credential_process, SSO, web identity, and the EC2/ECS metadata services.
//
// Secrets: Credentials never appear in an Error, a log line or Describe(); only `source`
// (where they came from) is meant for people.
// Thread-safety: everything here is immutable after Load/Resolve; the Resolve functions read
// the environment and must not race with setenv.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sparkify/common/error.hpp"
#include "sparkify/config/ini_file.hpp"

namespace sparkify::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // secret: never printed, logged or written
  std::string session_token;      // secret; empty for long-term keys
  std::string source;             // "environment", "profile dev in /home/x/.aws/credentials"
};

// A value and where it came from ("$AWS_REGION", "profile dev in ~/.aws/config"), for
// --verbose and error messages. An empty value means "not set anywhere".
struct Setting {
  std::string value;
  std::string origin;
};

// The shared config and credentials files, read for one profile.
class SharedConfig {
 public:
  // Reads both files for the profile the environment names. Missing files are fine; a file
  // that cannot be parsed, or an AWS_PROFILE / AWS_DEFAULT_PROFILE naming a profile that
  // neither file has, is a kConfig error.
  static Result<SharedConfig> Load();

  const std::string& profile() const { return profile_; }
  const std::string& credentials_path() const { return credentials_path_; }
  const std::string& config_path() const { return config_path_; }

  // The selected profile's key in each file (keys are case-insensitive; empty values = none).
  std::optional<std::string> CredentialsFileValue(std::string_view key) const;
  std::optional<std::string> ConfigFileValue(std::string_view key) const;

 private:
  std::string profile_;
  std::string credentials_path_;
  std::string config_path_;
  std::string config_section_;  // "profile NAME", or "default"
  config::IniFile credentials_;
  config::IniFile config_;
};

// The first credentials the chain above finds; kConfig when none (the message says how to
// provide some, or to use --no-sign-request for public buckets), when only one of the two
// environment variables is set, or when the profile needs an unsupported mechanism.
Result<Credentials> ResolveCredentials(const SharedConfig& config);

// The chain's last source: asks a person (the CLI installs one that prompts on the terminal
// without echo, when stdin is a terminal). Called at most once per process, under a mutex,
// only when sources 1-3 find nothing; its answer (or its error) is kept in memory and returned
// by every later ResolveCredentials. Never written anywhere. An empty function removes it.
using CredentialsPrompt = std::function<Result<Credentials>()>;
void SetCredentialsPrompt(CredentialsPrompt prompt);

Setting ResolveRegion(const SharedConfig& config);

// `service_id` is the upper-case id used in AWS_ENDPOINT_URL_<ID> ("S3", "IAM", "REDSHIFT").
// `flag` (--endpoint-url) wins when not empty.
Setting ResolveEndpointUrl(const SharedConfig& config, std::string_view service_id,
                           const std::string& flag);

}  // namespace sparkify::aws
