// Test helpers for the AWS layer and the S3 source: files, environment overrides, the moto
// server the integration tests use, and running processes with a controlled environment.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sparkify::testing {

std::string ReadFileOrDie(const std::filesystem::path& path);
void WriteFileOrDie(const std::filesystem::path& path, const std::string& text);

// ../shared next to the source tree (SPARKIFY_SOURCE_DIR "/../shared").
std::filesystem::path SharedDir();

// Sets (value) or unsets (nullopt) environment variables for its lifetime and restores the
// previous values afterwards. Construct with every AWS_* variable cleared for a clean chain.
class ScopedEnv {
 public:
  ScopedEnv() = default;
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  void Set(const std::string& name, const std::optional<std::string>& value);
  // Unsets every variable whose name starts with AWS_ or SPARKIFY_AWS_.
  void ClearAws();

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// $SPARKIFY_TEST_MOTO_URL; fails the current test (and returns "") when it is unset: the
// S3 integration tests must never be skipped silently (scripts/test.sh starts moto).
std::string MotoUrlOrFail();

// A bucket name no other test (or earlier run against the same moto) uses.
std::string UniqueBucket(const std::string& stem);

// Temporary folders: TempDir in testing/test_util.hpp.

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs `argv` (argv[0] an absolute path) with `env` added to (or, for nullopt values, removed
// from) this process's environment; captures stdout and stderr.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::optional<std::string>>& env = {});

}  // namespace sparkify::testing
