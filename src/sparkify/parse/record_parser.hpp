// Parses raw Sparkify JSON into typed staging rows (simdjson On-Demand).
//
// One RecordParser per thread, reused across files: it owns a simdjson parser whose buffers
// grow to the largest record seen and are then reused. Not thread-safe.
//
// Input buffers must stay readable for `capacity` bytes from `data`, where
// capacity >= size + kPadding (simdjson reads ahead). Good records are appended to `out`
// whole (or handed to a RecordSink); every bad record goes to `errors` with its file, line, byte
// offset and a reason, and parsing continues with the next record. Typing rules: parse/records.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "sparkify/common/column_batch.hpp"
#include "sparkify/parse/load_error.hpp"

namespace sparkify::parse {

inline constexpr size_t kPadding = 64;  // >= SIMDJSON_PADDING, checked in the .cpp

struct ParseCounts {
  uint64_t rows = 0;    // records appended
  uint64_t errors = 0;  // records rejected
  uint64_t lines = 0;   // lines consumed (event blocks), blank lines included
};

// Receives each good record: one value per column of the staging table (staging_events: the
// event_seq last). Text values are views into the parser's buffers, valid until Accept returns:
// a sink that keeps them copies them (ColumnBatch::AppendRow does).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void Accept(std::span<const FieldValue> record) = 0;
};

class RecordParser {
 public:
  RecordParser();
  ~RecordParser();
  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  // Parses a block of JSON Lines from an event file. The block holds whole lines (the last
  // may lack its '\n'); `file_index` is the file's place among the run's event
  // files (it makes each row's event_seq); `first_line` is the 1-based number of its first line and
  // `first_offset` the file offset of its first byte. Blank lines are skipped; a trailing
  // '\r' is ignored (CRLF files); a UTF-8 BOM is skipped when `first_offset` is 0.
  ParseCounts ParseEventLines(std::string_view file, uint64_t file_index, const char* data,
                              size_t size, size_t capacity, uint64_t first_line,
                              uint64_t first_offset, RecordSink& out, LoadErrorSink& errors);
  // The same, appending each good record to `out` (staging_events' schema).
  ParseCounts ParseEventLines(std::string_view file, uint64_t file_index, const char* data,
                              size_t size, size_t capacity, uint64_t first_line,
                              uint64_t first_offset, ColumnBatch& out, LoadErrorSink& errors);

  // Parses one whole song file: exactly one JSON object (any formatting, a BOM allowed).
  ParseCounts ParseSongFile(std::string_view file, const char* data, size_t size, size_t capacity,
                            RecordSink& out, LoadErrorSink& errors);
  // The same, appending the record to `out` (staging_songs' schema).
  ParseCounts ParseSongFile(std::string_view file, const char* data, size_t size, size_t capacity,
                            ColumnBatch& out, LoadErrorSink& errors);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sparkify::parse
