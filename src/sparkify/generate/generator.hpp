// Deterministic synthetic Sparkify raw data in the public layout:
//   <out>/song_data/<c3>/<c4>/<c5>/TR<16 chars>.json   one JSON object per file, no trailing
//   newline <out>/log_data/YYYY/MM/YYYY-MM-DD-events.json      JSON Lines, 18 fields, one file per
//   day <out>/injected_faults.tsv                           (only when malformed > 0) file, line,
//   kind
// Same options => byte-identical output, whatever the thread count.
// Thread-safety: Generate() is self-contained; it may use `threads` worker threads internally.
#pragma once

#include <cstdint>
#include <string>

#include "sparkify/common/error.hpp"

namespace sparkify::generate {

struct GenerateOptions {
  std::string out_dir;
  int64_t songs = 100;
  int64_t artists = 0;  // 0: about two thirds of `songs`
  int64_t events = 10000;
  int64_t users = 100;
  int64_t days = 30;
  std::string start_date = "2018-11-01";  // first day (UTC), YYYY-MM-DD
  double match_rate = 0.1;  // fraction of NextSong events whose (song, artist, length) match a song
  uint64_t seed = 42;
  int64_t malformed = 0;  // malformed lines/files to inject at known places
  int threads = 1;
};

struct GenerateSummary {
  int64_t song_files = 0;
  int64_t event_files = 0;
  int64_t events = 0;     // well-formed event lines written
  int64_t malformed = 0;  // faults injected (listed in injected_faults.tsv)
  uint64_t bytes = 0;     // total bytes written under song_data/ and log_data/
};

Result<GenerateSummary> Generate(const GenerateOptions& options);

}  // namespace sparkify::generate
