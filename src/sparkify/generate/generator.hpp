// Deterministic synthetic Sparkify raw data in the public layout:
//   <out>/song_data/<c3>/<c4>/<c5>/TR<16 chars>.json  one JSON object per file, no final newline
//   <out>/log_data/YYYY/MM/YYYY-MM-DD-events.json     JSON Lines, 18 fields, one file per day
//   <out>/injected_faults.tsv                          (only when malformed > 0) file, line, kind
// Same options => byte-identical output, whatever the thread count.
// Thread-safety: Generate() is self-contained; it may use `threads` worker threads internally.
//
// Injected faults never replace good data: a faulty event line is an extra line between good
// ones and a faulty song file is an extra file, so `events` good event lines and `songs` good
// song files are always written and the requested match rate is not disturbed.
// Faults go mostly to event files, spread evenly over the days; from 4 faults on, about one in
// eight (at least one) is a song file. Kinds (the `kind` column of injected_faults.tsv):
//   event lines: truncated_line, not_json, wrong_type ("ts":"yesterday"),
//                object_for_scalar ("sessionId":{"x":1}), invalid_utf8 (raw 0xFF 0xFE bytes)
//   song files:  truncated_file, json_array (an array holding the song object)
#pragma once

#include <cstdint>
#include <string>

#include "sparkify/common/error.hpp"

namespace sparkify::generate {

struct GenerateOptions {
  std::string out_dir;
  int64_t songs = 100;
  int64_t artists = 0;  // 0: about two thirds of `songs`; at most `songs`
  int64_t events = 10000;
  int64_t users = 100;
  int64_t days = 30;
  std::string start_date = "2018-11-01";  // first day (UTC), YYYY-MM-DD
  double match_rate = 0.1;  // fraction of NextSong events whose (song, artist, length) match a song
  uint64_t seed = 42;
  int64_t malformed = 0;  // malformed lines/files to inject at known places
  int threads = 1;        // 0: one per hardware thread
  // Without it, a non-empty <out>/song_data or <out>/log_data is an error (mixing two
  // generations would silently corrupt both); with it, both are deleted first.
  bool overwrite = false;
};

struct GenerateSummary {
  int64_t song_files = 0;        // well-formed song files (== songs)
  int64_t event_files = 0;       // == days
  int64_t events = 0;            // well-formed event lines written (== events)
  int64_t malformed = 0;         // faults injected (listed in injected_faults.tsv)
  uint64_t bytes = 0;            // total bytes written under song_data/ and log_data/
  int64_t artists = 0;           // distinct artists in the song files
  int64_t next_song_events = 0;  // good events with page NextSong
  int64_t matched_plays = 0;     // NextSong events whose (song, artist, length) match a song
};

Result<GenerateSummary> Generate(const GenerateOptions& options);

}  // namespace sparkify::generate
