#include "sparkify/config/settings.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>

namespace sparkify::config {

Result<SettingsResolver> SettingsResolver::Load(const std::string& explicit_path) {
  std::string path = explicit_path;
  bool required = !path.empty();
  if (path.empty()) {
    const char* env = std::getenv("SPARKIFY_CONFIG");
    if (env != nullptr && env[0] != '\0') {
      path = env;
      required = true;
    }
  }
  if (path.empty()) path = "dwh.cfg";
  if (!required && !std::filesystem::exists(path)) return SettingsResolver(IniFile(), path);
  Result<IniFile> cfg = IniFile::Load(path);
  if (!cfg.ok()) {
    Error e = cfg.take_error();
    if (e.code() == ErrorCode::kNotFound)
      return Error::Config("config file " + path + " not found");
    return Error(ErrorCode::kConfig, e.ToString());
  }
  return SettingsResolver(std::move(cfg).value(), path);
}

Resolved SettingsResolver::Get(const std::optional<std::string>& flag_value,
                               std::string_view flag_name, const char* env_name,
                               std::string_view section, std::string_view key,
                               std::optional<std::string> default_value) const {
  if (flag_value.has_value()) return {flag_value, std::string(flag_name)};
  if (env_name != nullptr) {
    const char* env = std::getenv(env_name);
    if (env != nullptr && env[0] != '\0') return {std::string(env), std::string("$") + env_name};
  }
  if (!key.empty()) {
    std::optional<std::string> v = cfg_.Get(section, key);
    if (v.has_value() && !v->empty()) {
      return {v, cfg_name_ + " [" + std::string(section) + "] " + std::string(key)};
    }
  }
  return {std::move(default_value), "default"};
}

Result<int64_t> ParseCount(const Resolved& setting, std::string_view what) {
  const std::string& s = *setting.value;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < 0) {
    return Error::InvalidArgument(std::string(what) + " must be a non-negative integer, got \"" +
                                  s + "\" (from " + setting.origin + ")");
  }
  return v;
}

}  // namespace sparkify::config
