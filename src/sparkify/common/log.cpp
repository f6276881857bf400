#include "sparkify/common/log.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sparkify::log {
namespace {

std::atomic<bool> g_verbose{false};
std::atomic<bool> g_quiet{false};
std::atomic<bool> g_no_color{false};
std::mutex g_stderr_mu;

bool EnvSaysNoColor() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return true;
  const char* term = std::getenv("TERM");
  return term != nullptr && std::strcmp(term, "dumb") == 0;
}

void Write(std::string_view prefix_plain, std::string_view prefix_color, std::string_view msg) {
  std::lock_guard<std::mutex> lock(g_stderr_mu);
  std::string line;
  line.reserve(msg.size() + 32);
  line += ColorEnabled() ? prefix_color : prefix_plain;
  line += msg;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

void Configure(const Options& options) {
  g_verbose = options.verbose;
  g_quiet = options.quiet;
  g_no_color = options.no_color;
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }
bool ColorEnabled() { return !g_no_color && !EnvSaysNoColor() && StderrIsTerminal(); }
bool StdoutColorEnabled() { return !g_no_color && !EnvSaysNoColor() && isatty(STDOUT_FILENO) == 1; }

void Info(std::string_view message) {
  if (!g_quiet) Write("", "", message);
}
void Verbose(std::string_view message) {
  if (g_verbose && !g_quiet)
    Write("", "\x1b[2m", std::string(message) + (ColorEnabled() ? "\x1b[0m" : ""));
}
void Warn(std::string_view message) { Write("warning: ", "\x1b[33mwarning:\x1b[0m ", message); }
void Error(std::string_view message) {
  Write("sparkify: error: ", "\x1b[1;31msparkify: error:\x1b[0m ", message);
}

std::string WithThousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

Progress::Progress(std::string label, uint64_t total)
    : label_(std::move(label)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

Progress::~Progress() {
  if (!finished_) Finish();
}

void Progress::Update(uint64_t done, std::string_view detail) {
  if (g_quiet) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  auto now = std::chrono::steady_clock::now();
  // A terminal line is cheap to redraw, a log line is not: throttle the latter harder.
  auto min_gap =
      StderrIsTerminal() ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
  if (now - last_print_ < min_gap) return;
  last_print_ = now;
  Print(done, detail, false);
}

void Progress::Finish(std::string_view detail) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  if (g_quiet) return;
  Print(total_, detail, true);
}

void Progress::Print(uint64_t done, std::string_view detail, bool final_line) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string text;
  const bool tty = StderrIsTerminal();
  if (tty && total_ > 0 && !final_line) {
    constexpr int kWidth = 24;
    int filled = static_cast<int>(
        kWidth * std::min<double>(1.0, static_cast<double>(done) / static_cast<double>(total_)));
    text = fmt::format("\r{:<18} [{}{}] {}/{} {}  {:.1f}s\x1b[K", label_, std::string(filled, '#'),
                       std::string(kWidth - filled, '.'), WithThousands(done),
                       WithThousands(total_), detail, seconds);
  } else {
    text = fmt::format("{}{}: {}/{} files{}{} ({:.2f}s)\n", tty ? "\r\x1b[K" : "", label_,
                       WithThousands(done), WithThousands(total_), detail.empty() ? "" : ", ",
                       detail, seconds);
  }
  std::lock_guard<std::mutex> lock(g_stderr_mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sparkify::log
