// Staging: read every file of a Source, parse it on worker threads, and stream the typed rows
// into an engine bulk loader on the calling thread (the engine is single-threaded).
//
// Memory is bounded, whatever the number or size of files: each worker holds one read buffer
// (event files are read in blocks, split at line ends; a song file is read whole) and at most
// one batch in progress, and at most 2 x workers full batches wait in the queue.
#pragma once

#include <cstdint>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/parse/load_error.hpp"
#include "sparkify/source/source.hpp"

namespace sparkify::pipeline {

enum class RawKind { kSongs, kEvents };

struct StageOptions {
  int threads = 1;
  size_t block_bytes = 4 << 20;  // event files are read in blocks of this size
  size_t batch_rows = 16384;     // rows per batch handed to the loader
};

struct StageStats {
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t rows = 0;
  uint64_t rejected = 0;
  double read_parse_seconds = 0;  // wall time until the last file was parsed
  double load_seconds = 0;        // time the loader spent appending
};

// Stages `files` (from `source`) into the staging table of `kind`. Bad records go to
// `errors`; an unreadable file becomes one load error (the run goes on) unless it is an
// Unavailable fault that outlived retries, which fails the stage.
Result<StageStats> StageFiles(RawKind kind, source::Source& source,
                              const std::vector<source::SourceFile>& files, engine::Engine& engine,
                              parse::LoadErrorSink& errors, const StageOptions& options);

}  // namespace sparkify::pipeline
