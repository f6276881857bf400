#include "sparkify/common/terminal.hpp"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sparkify::terminal {
namespace {

// The state the SIGINT handler restores; written only while a hidden read is in progress.
volatile sig_atomic_t g_restore_fd = -1;
struct termios g_saved;

void RestoreAndReraise(int sig) {
  // Only async-signal-safe calls here: tcsetattr, write, sigaction, raise.
  if (g_restore_fd >= 0) {
    ::tcsetattr(g_restore_fd, TCSAFLUSH, &g_saved);
    (void)!::write(g_restore_fd, "\n", 1);
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  ::raise(sig);
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

bool StdinIsTerminal() { return ::isatty(STDIN_FILENO) == 1; }

Result<std::string> ReadLineFromTerminal(const std::string& prompt, bool echo) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  const int in_fd = tty >= 0 ? tty : STDIN_FILENO;
  const int out_fd = tty >= 0 ? tty : STDERR_FILENO;
  if (::isatty(in_fd) != 1) {
    if (tty >= 0) ::close(tty);
    return Error::Unavailable("no terminal to ask");
  }
  struct termios saved {};
  bool hidden = false;
  struct sigaction old_int {
  }, old_term{};
  if (!echo && ::tcgetattr(in_fd, &saved) == 0) {
    g_saved = saved;
    g_restore_fd = in_fd;
    struct sigaction handler {};
    handler.sa_handler = RestoreAndReraise;
    ::sigemptyset(&handler.sa_mask);
    ::sigaction(SIGINT, &handler, &old_int);
    ::sigaction(SIGTERM, &handler, &old_term);
    struct termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;  // the Enter still moves to the next line
    hidden = ::tcsetattr(in_fd, TCSAFLUSH, &quiet) == 0;
  }
  WriteAll(out_fd, prompt);
  std::string line;
  bool got_line = false;
  char c = 0;
  while (true) {
    ssize_t n = ::read(in_fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (c == '\n') {
      got_line = true;
      break;
    }
    if (c != '\r') line += c;
  }
  if (!echo) {
    if (hidden) ::tcsetattr(in_fd, TCSAFLUSH, &saved);
    g_restore_fd = -1;
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    std::memset(&g_saved, 0, sizeof(g_saved));
  }
  if (tty >= 0) ::close(tty);
  if (!got_line) return Error::Unavailable("input ended before an answer");
  if (line.empty()) return Error::InvalidArgument("nothing was typed");
  return line;
}

}  // namespace sparkify::terminal
