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

namespace {

std::string Slurp(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return out;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::optional<std::string>>& env) {
  ProcessResult result;
  // Output goes to temp files rather than pipes: no deadlock whatever the amount.
  TempDir dir;
  const fs::path dir_path = dir.path();
  // The child's environment is built here: after fork only async-signal-safe calls are made.
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    vars[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
  }
  for (const auto& [name, value] : env) {
    if (value) {
      vars[name] = *value;
    } else {
      vars.erase(name);
    }
  }
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : vars) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  std::vector<std::string> argv_copy = argv;
  for (std::string& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);
  std::string out_path = (dir_path / "stdout").string();
  std::string err_path = (dir_path / "stderr").string();
  pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork failed";
    return result;
  }
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    // No terminal on stdin: a child that finds no AWS credentials must fail, not prompt.
    int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0) ::_exit(126);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  int out_fd = ::open(out_path.c_str(), O_RDONLY);
  int err_fd = ::open(err_path.c_str(), O_RDONLY);
  if (out_fd >= 0) {
    result.out = Slurp(out_fd);
    ::close(out_fd);
  }
  if (err_fd >= 0) {
    result.err = Slurp(err_fd);
    ::close(err_fd);
  }
  return result;
}

}  // namespace sparkify::testing
