#include "testing/aws_testing.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "testing/test_util.hpp"

extern char** environ;

namespace sparkify::testing {

namespace fs = std::filesystem;

std::string ReadFileOrDie(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFileOrDie(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

fs::path SharedDir() { return fs::path(SPARKIFY_SOURCE_DIR) / ".." / "shared"; }

ScopedEnv::~ScopedEnv() {
  for (const auto& [name, value] : saved_) {
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
}

void ScopedEnv::Set(const std::string& name, const std::optional<std::string>& value) {
  if (!saved_.contains(name)) {
    const char* old = std::getenv(name.c_str());
    saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
  }
  if (value) {
    ::setenv(name.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name.c_str());
  }
}

void ScopedEnv::ClearAws() {
  std::vector<std::string> names;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string name(entry.substr(0, entry.find('=')));
    if (name.starts_with("AWS_") || name.starts_with("SPARKIFY_AWS_")) names.push_back(name);
  }
  for (const std::string& name : names) Set(name, std::nullopt);
}

std::string MotoUrlOrFail() {
  const char* url = std::getenv("SPARKIFY_TEST_MOTO_URL");
  if (url == nullptr || url[0] == '\0') {
    ADD_FAILURE() << "SPARKIFY_TEST_MOTO_URL is not set: the S3 tests need moto_server. Run "
                     "them through scripts/test.sh, or start one with "
                     "`export SPARKIFY_TEST_MOTO_URL=$(scripts/start-moto.sh)` (needs "
                     "`python3 -m pip install 'moto[server]'`).";
    return {};
  }
  return url;
}

std::string UniqueBucket(const std::string& stem) {
  static std::atomic<int> counter{0};
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return stem + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count() %
                        100000000) +
         "-" + std::to_string(counter++);
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::optional<std::string>>& env) {
  std::vector<std::string> changes;
  for (const auto& [name, value] : env) changes.push_back(value ? name + "=" + *value : name);
  return RunCommand(argv, changes);
}

}  // namespace sparkify::testing
