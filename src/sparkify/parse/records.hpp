// The two kinds of raw records and how their JSON fields map onto staging columns.
//
// Typing rules (SPEC section 1), shared by both parsers:
//   - a text field accepts a JSON string, or a JSON number (kept as its literal text, e.g. an
//     artist_name of 112 becomes "112");
//   - a BIGINT field accepts an integer, a float with an integral value, or a string holding
//     exactly an integer ("140"); a DOUBLE field accepts a number or a string holding exactly
//     a finite number ("246.3");
//   - null (or an absent key) is SQL NULL, except for required fields, which reject the record;
//   - anything else (boolean, object, array, unconvertible string) rejects the record, as do
//     NaN, Infinity and numbers out of range;
//   - unknown keys are ignored, even when repeated, but their values must be well-formed JSON
//     nested at most 1024 levels deep (malformed JSON rejects a record wherever it is);
//   - a known key given twice rejects the record (no first- or last-wins guessing).
#pragma once

#include <span>
#include <string_view>

#include "sparkify/common/column_batch.hpp"

namespace sparkify::parse {

struct FieldSpec {
  std::string_view json_key;
  bool required;
};

// staging_events columns: the 18 fields in the jsonpaths order of log_json_path.json, then
// event_seq, the event's place in load order: (index of its file among the run's event files,
// sorted by uri) * 2^32 + its line number. Plays are numbered in this order.
const TableSchema& StagingEventsSchema();
std::span<const FieldSpec> EventFields();

// staging_songs columns, in the song files' field order.
const TableSchema& StagingSongsSchema();
std::span<const FieldSpec> SongFields();

}  // namespace sparkify::parse
