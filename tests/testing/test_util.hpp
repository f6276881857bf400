// Shared helpers for tests: temp folders, running the sparkify binary, file writing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sparkify::testing {

// A fresh temporary folder, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `content` to `path`, creating parent folders.
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);
// `text` with ASCII letters in lower case.
std::string Lowercase(std::string_view text);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `argv` (argv[0] an absolute path; no shell), capturing stdout and stderr. `env` entries
// "NAME=value" are added to (or replace) this process's environment; "NAME" alone removes it.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {});

// RunCommand of build/sparkify with `args`.
CommandResult RunSparkify(const std::vector<std::string>& args,
                          const std::vector<std::string>& env = {});

// Sets (or, for nullptr, unsets) an environment variable for one scope, then restores it.
class ScopedEnvVar {
 public:
  ScopedEnvVar(const char* name, const char* value);
  ~ScopedEnvVar();
  ScopedEnvVar(const ScopedEnvVar&) = delete;
  ScopedEnvVar& operator=(const ScopedEnvVar&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// ../shared/data/sparkify beside the repository.
std::string SampleDataDir();

}  // namespace sparkify::testing
