// The load manifest and incremental planning: which files a run loads, and how.
//
// Every loaded file has a load_manifest row (its size, modification time, ETag or content
// checksum). A run lists its sources and compares:
//   - new:       not in the manifest;
//   - changed:   in it, but the size or the ETag differ, or the modification time differs and
//                the content checksum (read now) does too;
//   - unchanged: everything else (same size and modification time is trusted, as make and
//                rsync do);
//   - gone:      in the manifest but no longer listed (their rows stay).
// The mode follows (LoadMode). Appending is exact: the star after appending B to A equals the
// star of one full run over A+B, because plays are numbered in load order (files in manifest
// key order) and the other rules do not depend on order. Whatever appending cannot do exactly
// (a changed file, a new song file, which may match earlier plays, an event file sorting
// before one already loaded, or the SQL transform) rebuilds the star from every listed file.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sparkify/common/column_batch.hpp"
#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/source/source.hpp"

namespace sparkify::pipeline {

enum class FileKind { kSongs, kEvents };
std::string_view FileKindName(FileKind kind);  // "songs", "events"

// How a file is named in the manifest: s3:// URIs as they are, local paths made absolute and
// normal, so that `data/x` and `/home/me/data/x` are one file.
std::string ManifestKey(std::string_view uri);

struct ManifestEntry {
  FileKind kind = FileKind::kEvents;
  std::string file;  // ManifestKey
  uint64_t size = 0;
  int64_t mtime_ms = 0;
  std::string etag;
  std::string checksum;
};

enum class LoadMode {
  kFull,     // no earlier load (or --full-refresh): create the tables, load every file
  kRebuild,  // earlier load, but appending cannot be exact: rebuild from every listed file
  kAppend,   // only new event files, after every loaded one: append to the star
  kNothing,  // no new or changed file
};
std::string_view LoadModeName(LoadMode mode);  // "full", "rebuild", "incremental", "nothing"

struct FileChanges {
  std::vector<size_t> fresh;      // indices into the listing
  std::vector<size_t> changed;    // indices into the listing
  std::vector<size_t> unchanged;  // indices into the listing
  std::vector<std::string> gone;  // manifest keys no longer listed
};

struct LoadPlan {
  LoadMode mode = LoadMode::kFull;
  std::string reason;  // why this mode, for people
  FileChanges songs;
  FileChanges events;
};

struct PlanInputs {
  const std::vector<source::SourceFile>* songs = nullptr;   // as listed (sorted by uri)
  const std::vector<source::SourceFile>* events = nullptr;  // as listed (sorted by uri)
  const std::vector<ManifestEntry>* manifest = nullptr;     // null: no earlier load
  bool full_refresh = false;
  bool sql_transform = false;  // the SQL transform always rebuilds
  // The content checksum of a listed file whose size matches but modification time does not.
  std::function<Result<std::string>(FileKind, const source::SourceFile&)> checksum;
};

Result<LoadPlan> PlanLoad(const PlanInputs& in);

// The s3:// prefixes whose COPYs read exactly the `chosen` files (indices) of `listing` (sorted
// by uri): Redshift's COPY FROM 's3://b/p' reads every object whose key starts with p, so each
// prefix covers some chosen files and no other listed one. A run of consecutive chosen files is
// one prefix when that is exact, else it is split where its keys share the shortest prefix, so
// a day's or a month's new files are one COPY. kInvalidArgument when a chosen file cannot be
// read alone (a listed file that is not chosen extends its key).
Result<std::vector<std::string>> CopyPrefixes(const std::vector<source::SourceFile>& listing,
                                              const std::vector<size_t>& chosen);

// The manifest and runs tables' bulk-load schemas (sql catalog kCreateLoadState).
const TableSchema& LoadManifestSchema();
const TableSchema& RunsSchema();

// Whether the database holds every table an incremental run needs.
Result<bool> LoadStateExists(engine::Engine& engine);
Result<std::vector<ManifestEntry>> ReadManifest(engine::Engine& engine);

}  // namespace sparkify::pipeline
