// Asking a person at a terminal (SPEC section 4: "an interactive prompt does not echo").
//
// ReadLineFromTerminal writes `prompt` to the controlling terminal (/dev/tty, else stderr)
// and reads one line from it (else stdin). With `echo` false, the terminal's ECHO is turned
// off for the read and restored afterwards -- also when the read is interrupted by Ctrl-C:
// a SIGINT handler restores the saved settings, then re-raises SIGINT with the default action
// (so the process ends as interrupted, exit 130 in a shell). A newline is written after a
// hidden answer, since the user's Enter was not echoed.
// Thread-safety: one prompt at a time per process (the callers serialise). Not for use from
// a signal handler.
#pragma once

#include <string>

#include "sparkify/common/error.hpp"

namespace sparkify::terminal {

// Whether stdin is a terminal (the only case in which sparkify prompts).
bool StdinIsTerminal();

// The line without its end. kUnavailable when there is no terminal to ask or input ended
// (EOF) before a line; kInvalidArgument for an empty answer.
Result<std::string> ReadLineFromTerminal(const std::string& prompt, bool echo);

}  // namespace sparkify::terminal
