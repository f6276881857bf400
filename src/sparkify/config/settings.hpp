// Typed settings with one precedence rule (SPEC section 4):
//   command-line flag > environment variable > dwh.cfg > built-in default.
// Each resolved value remembers where it came from, for messages and `--verbose`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sparkify/common/error.hpp"
#include "sparkify/config/ini_file.hpp"

namespace sparkify::config {

struct Resolved {
  std::optional<std::string> value;
  std::string origin;  // "--target", "$SPARKIFY_TARGET", "dwh.cfg [S3] SONG_DATA", "default"
};

class SettingsResolver {
 public:
  // `cfg` may be empty (no dwh.cfg); `cfg_name` names it in origins.
  SettingsResolver(IniFile cfg, std::string cfg_name)
      : cfg_(std::move(cfg)), cfg_name_(std::move(cfg_name)) {}

  // Loads dwh.cfg from `explicit_path` (must exist), else $SPARKIFY_CONFIG (must exist),
  // else ./dwh.cfg when present; no file at all is fine.
  static Result<SettingsResolver> Load(const std::string& explicit_path);

  // Resolves one setting; any source may be absent (empty flag name, null env, empty key).
  Resolved Get(const std::optional<std::string>& flag_value, std::string_view flag_name,
               const char* env_name, std::string_view section, std::string_view key,
               std::optional<std::string> default_value = std::nullopt) const;

  const IniFile& cfg() const { return cfg_; }
  // The configuration file's name as used in origins ("dwh.cfg").
  const std::string& cfg_name() const { return cfg_name_; }

 private:
  IniFile cfg_;
  std::string cfg_name_;
};

// Parses a non-negative integer setting; the error names the setting's origin.
Result<int64_t> ParseCount(const Resolved& setting, std::string_view what);

}  // namespace sparkify::config
