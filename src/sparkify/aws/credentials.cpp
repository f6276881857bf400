#include "sparkify/aws/credentials.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace sparkify::aws {
namespace {

std::mutex g_prompt_mu;
CredentialsPrompt g_prompt;                     // guarded by g_prompt_mu
std::optional<Result<Credentials>> g_prompted;  // guarded by g_prompt_mu; in memory only

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || v[0] == '\0') return std::nullopt;
  return std::string(v);
}

std::string ExpandHome(std::string path) {
  if (path == "~" || path.starts_with("~/")) {
    std::optional<std::string> home = Env("HOME");
    if (home) path = *home + path.substr(1);
  }
  return path;
}

std::string DefaultPath(const char* env_name, const char* file) {
  if (std::optional<std::string> p = Env(env_name)) return ExpandHome(*p);
  std::optional<std::string> home = Env("HOME");
  if (!home) return {};
  return *home + "/.aws/" + file;
}

Result<config::IniFile> LoadIfExists(const std::string& path) {
  if (path.empty()) return config::IniFile();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return config::IniFile();
  Result<config::IniFile> file = config::IniFile::Load(path);
  if (!file.ok()) return Error::Config(file.error().ToString());
  return file;
}

std::optional<std::string> NonEmpty(std::optional<std::string> v) {
  if (v && v->empty()) return std::nullopt;
  return v;
}

bool IsTrue(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = *v;
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s == "true";
}

}  // namespace

Result<SharedConfig> SharedConfig::Load() {
  SharedConfig c;
  bool named = false;
  if (std::optional<std::string> p = Env("AWS_PROFILE")) {
    c.profile_ = *p;
    named = true;
  } else if (std::optional<std::string> d = Env("AWS_DEFAULT_PROFILE")) {
    c.profile_ = *d;
    named = true;
  } else {
    c.profile_ = "default";
  }
  c.credentials_path_ = DefaultPath("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  c.config_path_ = DefaultPath("AWS_CONFIG_FILE", "config");
  SPARKIFY_ASSIGN_OR_RETURN(c.credentials_, LoadIfExists(c.credentials_path_));
  SPARKIFY_ASSIGN_OR_RETURN(c.config_, LoadIfExists(c.config_path_));
  c.config_section_ = "profile " + c.profile_;
  if (c.profile_ == "default" && !c.config_.HasSection(c.config_section_)) {
    c.config_section_ = "default";
  }
  if (named && c.profile_ != "default" && !c.credentials_.HasSection(c.profile_) &&
      !c.config_.HasSection(c.config_section_)) {
    return Error::Config("AWS profile \"" + c.profile_ + "\" (from $" +
                         (Env("AWS_PROFILE") ? "AWS_PROFILE" : "AWS_DEFAULT_PROFILE") +
                         ") is in neither " + c.credentials_path_ + " nor " + c.config_path_);
  }
  return c;
}

std::optional<std::string> SharedConfig::CredentialsFileValue(std::string_view key) const {
  return NonEmpty(credentials_.Get(profile_, key));
}

std::optional<std::string> SharedConfig::ConfigFileValue(std::string_view key) const {
  return NonEmpty(config_.Get(config_section_, key));
}

Result<Credentials> ResolveCredentials(const SharedConfig& config) {
  std::optional<std::string> env_key = Env("AWS_ACCESS_KEY_ID");
  std::optional<std::string> env_secret = Env("AWS_SECRET_ACCESS_KEY");
  if (env_key && env_secret) {
    return Credentials{*env_key, *env_secret, Env("AWS_SESSION_TOKEN").value_or(""), "environment"};
  }
  if (env_key || env_secret) {
    return Error::Config(std::string("AWS_") + (env_key ? "ACCESS_KEY_ID" : "SECRET_ACCESS_KEY") +
                         " is set but AWS_" + (env_key ? "SECRET_ACCESS_KEY" : "ACCESS_KEY_ID") +
                         " is not: set both, or neither to use a profile");
  }
  auto from_file = [&](auto lookup, const std::string& path) -> std::optional<Result<Credentials>> {
    std::optional<std::string> key = lookup("aws_access_key_id");
    std::optional<std::string> secret = lookup("aws_secret_access_key");
    if (!key && !secret) return std::nullopt;
    std::string where = "profile " + config.profile() + " in " + path;
    if (!key || !secret) {
      return Result<Credentials>(
          Error::Config(where + " has " + (key ? "aws_access_key_id" : "aws_secret_access_key") +
                        " but no " + (key ? "aws_secret_access_key" : "aws_access_key_id")));
    }
    return Result<Credentials>(
        Credentials{*key, *secret, lookup("aws_session_token").value_or(""), where});
  };
  if (auto c = from_file([&](std::string_view k) { return config.CredentialsFileValue(k); },
                         config.credentials_path())) {
    return std::move(*c);
  }
  if (auto c = from_file([&](std::string_view k) { return config.ConfigFileValue(k); },
                         config.config_path())) {
    return std::move(*c);
  }
  for (std::string_view unsupported : {"role_arn", "credential_process", "sso_session",
                                       "sso_start_url", "web_identity_token_file"}) {
    if (config.ConfigFileValue(unsupported)) {
      return Error::Config("AWS profile " + config.profile() + " uses " + std::string(unsupported) +
                           ", which sparkify does not support; export plain credentials "
                           "instead, e.g. eval \"$(aws configure export-credentials --profile " +
                           config.profile() + " --format env)\"");
    }
  }
  Error none = Error::Config(
      "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add "
      "profile " +
      config.profile() + " to " + config.credentials_path() +
      "; for a public bucket pass --no-sign-request");
  std::lock_guard<std::mutex> lock(g_prompt_mu);
  if (!g_prompt) return none;
  if (!g_prompted) {
    g_prompted = g_prompt();
    if (!g_prompted->ok()) {
      Error e = g_prompted->error();
      g_prompted = Result<Credentials>(
          Error::Config(none.message() + " (asked at the terminal: " + e.message() + ")"));
    }
  }
  return *g_prompted;
}

void SetCredentialsPrompt(CredentialsPrompt prompt) {
  std::lock_guard<std::mutex> lock(g_prompt_mu);
  g_prompt = std::move(prompt);
  g_prompted.reset();
}

Setting ResolveRegion(const SharedConfig& config) {
  if (std::optional<std::string> r = Env("AWS_REGION")) return {*r, "$AWS_REGION"};
  if (std::optional<std::string> r = Env("AWS_DEFAULT_REGION")) return {*r, "$AWS_DEFAULT_REGION"};
  if (std::optional<std::string> r = config.ConfigFileValue("region")) {
    return {*r, "profile " + config.profile() + " in " + config.config_path()};
  }
  return {"", "not set"};
}

Setting ResolveEndpointUrl(const SharedConfig& config, std::string_view service_id,
                           const std::string& flag) {
  if (!flag.empty()) return {flag, "--endpoint-url"};
  if (IsTrue(Env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) return {"", "ignored"};
  std::string specific = "AWS_ENDPOINT_URL_" + std::string(service_id);
  if (std::optional<std::string> e = Env(specific.c_str())) return {*e, "$" + specific};
  if (std::optional<std::string> e = Env("AWS_ENDPOINT_URL")) return {*e, "$AWS_ENDPOINT_URL"};
  if (IsTrue(config.ConfigFileValue("ignore_configured_endpoint_urls"))) return {"", "ignored"};
  if (std::optional<std::string> e = config.ConfigFileValue("endpoint_url")) {
    return {*e, "profile " + config.profile() + " in " + config.config_path()};
  }
  return {"", "not set"};
}

}  // namespace sparkify::aws
