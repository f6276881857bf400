// Logging and progress on stderr (stdout is for data only).
//
// Honours NO_COLOR (set and non-empty), TERM=dumb and whether stderr is a terminal.
// Progress: on a terminal, one line redrawn in place; otherwise a plain line per update that
// callers rate-limit by calling Progress::Update only at meaningful steps (Progress itself
// prints at most one plain line per second plus the final one).
// Thread-safe: every function may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace sparkify::log {

struct Options {
  bool verbose = false;
  bool quiet = false;
  bool no_color = false;
};

void Configure(const Options& options);
bool StderrIsTerminal();
bool ColorEnabled();  // for stderr
bool StdoutColorEnabled();

void Info(std::string_view message);     // suppressed by --quiet
void Verbose(std::string_view message);  // only with --verbose
void Warn(std::string_view message);
void Error(std::string_view message);

// A progress display for one phase ("staging events"): counts done out of total.
class Progress {
 public:
  Progress(std::string label, uint64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Reports `done` units and a free-form detail ("8,056 rows"); cheap to call often.
  void Update(uint64_t done, std::string_view detail = {});
  // Prints the final line; called by the destructor if not called before.
  void Finish(std::string_view detail = {});

 private:
  void Print(uint64_t done, std::string_view detail, bool final_line);
  std::string label_;
  uint64_t total_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  std::mutex mu_;
};

// "1,234,567"
std::string WithThousands(uint64_t n);

}  // namespace sparkify::log
