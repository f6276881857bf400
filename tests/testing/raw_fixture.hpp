// A small deterministic generator of raw Sparkify data in the public layout, with the awkward
// cases real data has (text needing escapes, \u escapes, numbers as strings, disagreeing
// artists, duplicate songs and plays, pretty-printed files, BOM, CRLF, blank lines) and
// malformed lines and files at known places. For cross-engine tests; `sparkify generate`
// (generate/generator.hpp) is the product's generator.
#pragma once

#include <cstdint>
#include <string>

namespace sparkify::testing {

struct RawFixtureOptions {
  int song_files = 2000;
  int event_files = 30;
  int events_per_file = 300;
  uint64_t seed = 4;
};

struct RawFixture {
  std::string songs_dir;     // <dir>/song_data
  std::string events_dir;    // <dir>/log_data
  int malformed_songs = 0;   // song files that must become load errors
  int malformed_events = 0;  // event lines that must become load errors
};

RawFixture WriteRawFixture(const std::string& dir, const RawFixtureOptions& options = {});

}  // namespace sparkify::testing
