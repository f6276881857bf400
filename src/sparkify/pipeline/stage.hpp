// Staging: read every file of a Source, parse it on worker threads, and hand the typed rows to
// a consumer on the calling thread (which owns the engine: engines are single-threaded).
//
// Memory is bounded, whatever the number or size of files: each worker holds one read buffer
// (event files are read in blocks split at line ends; a song file is read whole) and at most
// one chunk in progress, and at most `max_queued_chunks` finished chunks wait for the consumer
// (twice that with `ordered`). With `ordered`, the consumer sees chunks in file order (files as
// listed, each file's chunks in line order): workers run ahead by at most that many chunks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sparkify/common/column_batch.hpp"
#include "sparkify/common/error.hpp"
#include "sparkify/parse/load_error.hpp"
#include "sparkify/source/checksum.hpp"
#include "sparkify/source/source.hpp"

namespace sparkify::pipeline {

enum class RawKind { kSongs, kEvents };

struct StageOptions {
  int threads = 1;
  size_t block_bytes = 4 << 20;  // event files are read in blocks of this size
  // A longer event line is a load error and is skipped to its end: memory stays bounded even
  // for a file without line ends.
  size_t max_line_bytes = 256u << 20;
  // Raw rows per chunk handed to the consumer. Every worker holds one, and as many wait in the
  // queues: 8,192 keeps the working set at 2 threads ~60 MB below 16,384's at the same speed
  // (docs/BENCHMARKS.md).
  size_t batch_rows = 8192;
  // Finished chunks that may wait for the consumer; 0: one per worker. With `ordered` the file
  // being consumed may queue as many again, so its worker never waits behind later files. One
  // per worker, and DuckDB's feed at two batches (engine/duckdb), held L at two threads at
  // 142-150 MB against 153-156 with two per worker and four, as fast (docs/BENCHMARKS.md,
  // session 15).
  size_t max_queued_chunks = 0;
  // Added to a file's index in `files` for event_seq: an incremental run continues the
  // numbering of the files loaded before it.
  uint64_t file_index_base = 0;
};

// What one worker hands over: raw rows (the staging table's schema) and, when a mapper is
// set, the rows it derived from them.
struct Chunk {
  size_t file_index = 0;
  std::unique_ptr<ColumnBatch> raw;
  std::unique_ptr<ColumnBatch> derived;
};

// Derives rows from raw rows on a worker thread; each worker has its own mapper. When the
// consumer wants the derived rows only (StageHooks::hand_over_raw false), each record goes from
// the parser straight to MapRow and no raw batch is filled; else the raw batch is mapped after
// each parse step (Map).
class RowMapper {
 public:
  virtual ~RowMapper() = default;
  // Appends what one raw row (one value per raw column; text views valid for the call only)
  // derives to `derived`.
  virtual void MapRow(std::span<const FieldValue> raw, ColumnBatch& derived) = 0;
  // MapRow for rows [first_row, raw.rows()) of `raw`, in order.
  void Map(const ColumnBatch& raw, size_t first_row, ColumnBatch& derived);
};

struct StageHooks {
  // Optional: the mapper of worker w (0 <= w < threads); null mapper = no derived rows.
  std::function<RowMapper*(int worker)> mapper_for;
  const TableSchema* derived_schema = nullptr;  // required with mapper_for
  // Called on the calling thread for every chunk; an error stops the stage.
  std::function<Status(Chunk& chunk)> consume;
  bool ordered = false;
  // False when `consume` reads only chunk.derived: chunk.raw is then null, and each record goes
  // from the parser straight to the mapper (no raw batch is filled, none waits in the queue).
  bool hand_over_raw = true;
};

// What one file gave, for the load manifest.
struct FileStats {
  uint64_t rows = 0;          // records staged
  uint64_t rejected = 0;      // records (or, for an unreadable file, the file) in load_errors
  source::Checksum checksum;  // of the bytes read (source::ContentHash); empty if unreadable
};

struct StageStats {
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t rows = 0;
  uint64_t rejected = 0;
  double read_parse_seconds = 0;  // wall time until the last file was parsed
  double consume_seconds = 0;     // time the consumer spent (appending)
  // Summed over the workers (so at 2 threads they may add up to twice the wall time): opening
  // and reading files, parsing them, mapping rows (the direct transform's RowMapper). Records
  // mapped as they are parsed (hand_over_raw false) count as parsing: map_seconds is 0.
  double read_seconds = 0;
  double parse_seconds = 0;
  double map_seconds = 0;
  std::vector<FileStats> per_file;  // by index into the staged files
};

// Reads and parses `files` of `source`. Bad records go to `errors`; an unreadable file becomes
// one load error with line 0 (the run goes on) unless its error is retryable (a transient
// fault that outlived the source's retries), which fails the stage.
Result<StageStats> StageFiles(RawKind kind, source::Source& source,
                              const std::vector<source::SourceFile>& files,
                              parse::LoadErrorSink& errors, const StageOptions& options,
                              const StageHooks& hooks);

// The number of worker threads StageFiles uses for `files`.
int StageWorkers(const StageOptions& options, size_t files);

}  // namespace sparkify::pipeline
