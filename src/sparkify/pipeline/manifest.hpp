// The load manifest and incremental planning: which files a run loads, and how.
//
// A file is known by what it is, not where it sits (docs/RELIABILITY.md, "What a file is"):
// its identity is its kind and its name, the path below the --songs/--events location
// (`2018/11/2018-11-01-events.json`); its size and content checksum (XXH3, or the S3 ETag
// between S3 objects) tell its versions apart; where it was last read from is kept beside it.
// A run lists its sources and compares each listed file with the manifest row of its name:
//   - new:          no row of that name, and no loaded file with the same content;
//   - same content: no row of that name, but a loaded file (another name) has the same size
//                   and checksum: "already loaded as X", not loaded again;
//   - changed:      a row, but the content differs;
//   - unchanged:    the same content (same location, size and modification time is trusted,
//                   as make and rsync do; a file read from another location, a copy, a moved
//                   folder or the s3:// mirror of a local folder, is verified by its checksum,
//                   reading it only when its size matches);
//   - kept:         a row, but not listed now: the warehouse keeps every file ever loaded
//                   until --full-refresh, so a rebuild reads it again from where it was last
//                   read, verifying its checksum;
//   - unreadable:   kept, but it can no longer be read there or its content changed: a rebuild
//                   stops (kNotFound) rather than drop its rows.
// The mode follows (LoadMode). Appending is exact: the star after appending B to A equals the
// star of one full run over A+B, because plays are numbered in load order (files in name
// order) and the other rules do not depend on order. Whatever appending cannot do exactly
// (a changed file, a new song file, which may match earlier plays, an event file sorting
// before one already loaded, or the SQL transform) rebuilds the star from every listed and
// every kept file.
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

// Where a file was read from, as the manifest keeps it: s3:// URIs as they are, local paths
// made absolute and normal, so that `data/x` and `/home/me/data/x` are one location.
std::string ManifestKey(std::string_view uri);

struct ManifestEntry {
  FileKind kind = FileKind::kEvents;
  std::string file;      // the name: path below the location (source::SourceFile::name)
  std::string location;  // where it was last read from (ManifestKey)
  uint64_t size = 0;
  int64_t mtime_ms = 0;
  std::string etag;
  std::string checksum;
  int64_t run_id = 0;  // the run that loaded it, and what it gave
  uint64_t rows = 0;
  uint64_t rejected = 0;
};

enum class LoadMode {
  kFull,     // no earlier load (or --full-refresh): create the tables, load every file
  kRebuild,  // earlier load, but appending cannot be exact: rebuild from every listed file
  kAppend,   // only new event files, after every loaded one: append to the star
  kNothing,  // no new or changed file
};
std::string_view LoadModeName(LoadMode mode);  // "full", "rebuild", "incremental", "nothing"

struct SameContent {
  size_t index = 0;       // into the listing
  std::string loaded_as;  // the name of the loaded file with the same content
};

struct Unreadable {
  ManifestEntry entry;  // the kept file
  std::string reason;   // "no longer there", "its content changed (size 10, was 12)"
};

struct FileChanges {
  std::vector<size_t> fresh;              // indices into the listing
  std::vector<size_t> changed;            // indices into the listing
  std::vector<size_t> unchanged;          // indices into the listing
  std::vector<size_t> moved;              // of unchanged: listed at another location now
  std::vector<SameContent> same_content;  // listed, already loaded under another name
  std::vector<ManifestEntry> kept;        // loaded, not listed now (by name)
  std::vector<Unreadable> unreadable;     // of kept, found only when a rebuild needs them
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
  const std::vector<ManifestEntry>* manifest = nullptr;     // null or empty: no earlier load
  bool full_refresh = false;
  bool sql_transform = false;  // the SQL transform always rebuilds
  // The content checksum of a file at `file.uri` (a listed file, or a kept one where it was
  // last read); asked only when its size matches and nothing cheaper decides.
  std::function<Result<std::string>(const source::SourceFile&)> checksum;
  // A kept file as it is now at `location` (size, modification time, ETag); kNotFound when it
  // is gone. Asked only when a rebuild needs the kept files; none: they are not verified.
  std::function<Result<source::SourceFile>(const std::string& location)> locate;
};

Result<LoadPlan> PlanLoad(const PlanInputs& in);

// Fills `plan`'s unreadable files: the kept files that `in.locate` no longer finds, or whose
// content changed. PlanLoad does it for a rebuild; a run that decides to rebuild later
// (Redshift) calls it then.
Status FindUnreadableKept(const PlanInputs& in, LoadPlan& plan);

// The indices of the `listed` files a full load or rebuild reads: all but those whose content is
// loaded under another name.
std::vector<size_t> ListedToLoad(const FileChanges& changes, size_t listed);
// A kept file as a file to read: at its last location, under its name.
source::SourceFile KeptFile(const ManifestEntry& entry);
// What a full load or rebuild reads of one kind: the listed files less those whose content is
// loaded under another name and, for a rebuild, the kept files at their last location, all
// sorted by name (the load order, so plays are numbered as one full run over them would).
// nullopt when that is the listing as it is (nothing left out, nothing kept to add).
std::optional<std::vector<source::SourceFile>> FilesToLoad(
    const std::vector<source::SourceFile>& listed, const FileChanges& changes, LoadMode mode);

// A manifest written before files had names (its `file` held the location): the name of each
// row, found as the listed file at that location, else the longest listed name its location
// ends with, else its path below the folder all rows of its kind share.
std::vector<ManifestEntry> ConvertLegacyManifest(std::vector<ManifestEntry> legacy,
                                                 const std::vector<source::SourceFile>& songs,
                                                 const std::vector<source::SourceFile>& events);

// The s3:// prefixes whose COPYs read exactly the `chosen` files (indices) of `listing` (sorted
// by uri): Redshift's COPY FROM 's3://b/p' reads every object whose key starts with p, so each
// prefix covers some chosen files and no other listed one. A run of consecutive chosen files is
// one prefix when that is exact, else it is split where its keys share the shortest prefix, so
// a day's or a month's new files are one COPY. kInvalidArgument when a chosen file cannot be
// read alone (a listed file that is not chosen extends its key).
Result<std::vector<std::string>> CopyPrefixes(const std::vector<source::SourceFile>& listing,
                                              const std::vector<size_t>& chosen);

// The manifest and runs tables' bulk-load schemas (sql catalog kCreateManifest, kCreateLoadState).
const TableSchema& LoadManifestSchema();
// Appends `entry` to a batch of LoadManifestSchema(), loaded at `loaded_at` (epoch µs).
void AppendManifestRow(ColumnBatch& batch, const ManifestEntry& entry, int64_t loaded_at);
const TableSchema& RunsSchema();

// Whether the database holds every table an incremental run needs.
Result<bool> LoadStateExists(engine::Engine& engine);
// Whether its load_manifest predates file names (no `location` column): ConvertLegacyManifest.
Result<bool> ManifestIsLegacy(engine::Engine& engine);
// The manifest's rows; a legacy manifest's with `location` = `file` (the old key), unconverted.
Result<std::vector<ManifestEntry>> ReadManifest(engine::Engine& engine, bool legacy = false);

}  // namespace sparkify::pipeline
