// What every etl run does around its loading, shared by the DuckDB/PostgreSQL run (etl.cpp)
// and the Redshift run (redshift_etl.cpp): listing the sources and planning against the
// manifest, timing phases, running catalog statements, and recording the manifest and the run.
// Internal to pipeline/.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sparkify/common/column_batch.hpp"
#include "sparkify/common/error.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/parse/load_error.hpp"
#include "sparkify/pipeline/etl.hpp"
#include "sparkify/pipeline/manifest.hpp"
#include "sparkify/pipeline/stage.hpp"
#include "sparkify/source/source.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {

using Clock = std::chrono::steady_clock;

// Logs (--verbose) how long loading `table` took since `start`.
void LogLoadTime(const std::string& table, Clock::time_point start);

// Loads `fill`'s rows into `schema`'s table through one bulk loader, in batches.
template <typename Fill>
Status LoadRows(engine::Engine& engine, const TableSchema& schema, Fill fill) {
  auto start = Clock::now();
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<engine::BulkLoader> loader,
                            engine.OpenBulkLoader(schema));
  ColumnBatch batch(schema);
  Status status;
  auto flush = [&]() {
    if (status.ok() && !batch.empty()) status = loader->Append(batch);
    batch.Clear();
  };
  fill(batch, flush);
  flush();
  SPARKIFY_RETURN_IF_ERROR(status);
  SPARKIFY_RETURN_IF_ERROR(loader->Finish());
  LogLoadTime(schema.name, start);
  return Status::Ok();
}

// Warns about the rejected records: how many, and the first few.
void SummariseLoadErrors(const std::vector<parse::LoadError>& errors);

// Adds the wall time of its scope to `timings` as one phase.
class Phase {
 public:
  Phase(std::vector<PhaseTiming>& timings, std::string name)
      : timings_(timings), name_(std::move(name)), start_(Clock::now()) {}
  ~Phase() {
    timings_.push_back({name_, std::chrono::duration<double>(Clock::now() - start_).count()});
  }

 private:
  std::vector<PhaseTiming>& timings_;
  std::string name_;
  Clock::time_point start_;
};

// Runs a catalog statement in the engine's dialect; errors name the statement.
Status RunStatement(engine::Engine& engine, sql::Stmt stmt, const sql::RenderOptions& render = {});
// The first value of a one-value query as an integer (booleans as 0/1; no row: 0).
Result<int64_t> QueryInt(engine::Engine& engine, sql::Stmt stmt,
                         const sql::RenderOptions& render = {});

struct Sources {
  std::unique_ptr<source::Source> songs;  // the listings' sources
  std::unique_ptr<source::Source> events;
  std::vector<source::SourceFile> song_files;  // as listed
  std::vector<source::SourceFile> event_files;
  // Files by location: checksums while planning, and kept files at their last location.
  std::unique_ptr<source::AnywhereSource> anywhere;
  // What a full load or rebuild reads when that is not the listing as it is (FilesToLoad;
  // filled by PrepareFullLoad), and the sources that open the load lists: listed files through
  // the listing's source, kept ones through `anywhere`.
  std::optional<std::vector<source::SourceFile>> merged_song_files;
  std::optional<std::vector<source::SourceFile>> merged_event_files;
  std::unique_ptr<source::Source> load_songs;
  std::unique_ptr<source::Source> load_events;

  // The files a full load or rebuild reads, in load order.
  const std::vector<source::SourceFile>& LoadSongFiles() const {
    return merged_song_files ? *merged_song_files : song_files;
  }
  const std::vector<source::SourceFile>& LoadEventFiles() const {
    return merged_event_files ? *merged_event_files : event_files;
  }
  // Frees the song listing and load list (empty from here on): a full load stores the song
  // files' manifest rows as soon as they are staged, and needs neither after that.
  void ReleaseSongFiles() {
    // Assigned a new vector, not `{}`: that would clear the elements but keep the buffer
    // (operator= of an empty initializer list), 7 MB for 100,000 files.
    song_files = std::vector<source::SourceFile>();
    merged_song_files.reset();
  }
};
// Opens and lists both locations of `options` (songs, events, source).
Result<Sources> OpenAndList(const EtlOptions& options);
// Reads the manifest; a legacy one (ManifestIsLegacy) is converted to names and, in a run
// (`convert`), rewritten in the current format inside the run's transaction.
Result<std::vector<ManifestEntry>> ReadCurrentManifest(engine::Engine& engine,
                                                       const Sources& sources, bool convert);
// Compares the listing with the manifest (none: no earlier load) and picks the mode.
Result<LoadPlan> PlanSources(const EtlOptions& options, Sources& sources,
                             const std::optional<std::vector<ManifestEntry>>& manifest);
// For a run that turns into a rebuild after planning: finds the kept files it cannot read
// (FindUnreadableKept), fails as CheckKeptFiles does, and fills the load lists.
Status SwitchToRebuild(LoadPlan& plan, Sources& sources);
// kNotFound when a rebuild needs kept files that can no longer be read (naming them and what
// --full-refresh would drop); otherwise logs the kept and the already-loaded files.
Status CheckKeptFiles(const LoadPlan& plan);
// Fills `sources`' load lists and sources for a full load or rebuild (FilesToLoad).
void PrepareFullLoad(const LoadPlan& plan, Sources& sources);

int64_t NowMicros();
std::string Plural(size_t n, const char* what);  // "1 file", "2 files"

// The files one run staged and what they gave, for the manifest. `files` is null once their
// manifest rows are stored (StoreManifest skips them; stats->files still counts them).
struct StagedFiles {
  FileKind kind;
  const std::vector<source::SourceFile>* files;
  const StageStats* stats;  // per_file by index into files
};
Status StoreManifest(engine::Engine& engine, const std::vector<StagedFiles>& staged,
                     int64_t run_id);

struct RunRecord {
  int64_t run_id = 0;
  int64_t started_at = 0;
  std::string status;
  LoadMode mode = LoadMode::kFull;
  std::string arguments;
  uint64_t files = 0, rows = 0, rejected = 0, plays = 0;
  std::string message;
};
Status StoreRun(engine::Engine& engine, const RunRecord& r);
// The manifest rows of `staged` and the runs row of a run that is about to commit: its counts
// from `staged` and `report`, its message the plan's reason.
// In an incremental or nothing-new run, the manifest's location of each unchanged file listed
// at another location now (`sources`: the listings) follows it.
Status StoreSucceededRun(engine::Engine& engine, const std::vector<StagedFiles>& staged,
                         const EtlReport& report, const Sources& sources, RunRecord& run);
// The start of every run, inside its transaction: lists the sources (phase "list"), reads the
// manifest when the database holds one (locking load_manifest first when `lock_manifest`:
// Redshift's one-etl-at-a-time lock; converting a legacy manifest), plans, takes the run's id
// and says what the run will do. Fails when a rebuild needs kept files it cannot read
// (CheckKeptFiles). For a full load or rebuild, fills the load lists (PrepareFullLoad).
Result<Sources> StartRun(engine::Engine& engine, const EtlOptions& options, bool lock_manifest,
                         EtlReport& report, RunRecord& run);

// After a failed run has rolled back: its runs row, in a transaction of its own, when the
// database has a runs table (best effort: the failure itself is what the caller reports).
void RecordFailedRun(engine::Engine& engine, RunRecord run, const Error& error);

// Hands the heap pages the run's own structures freed (the song index, file lists, parse
// buffers) back to the operating system, so the transform and the commit, where DuckDB's own
// allocator (not glibc's) takes memory, do not stack on top of them (glibc keeps freed small
// blocks otherwise).
void ReleaseFreedMemory();

// Runs `body(run)` in one transaction (`run` filled with its start and arguments) and commits
// it, timed as the "commit" phase; on failure rolls back and records the failed run.
template <typename Body>
Result<EtlReport> RunAtomically(engine::Engine& engine, const std::string& arguments, Body body) {
  RunRecord run;
  run.started_at = NowMicros();
  run.arguments = arguments;
  SPARKIFY_RETURN_IF_ERROR(engine.Begin());
  Result<EtlReport> report = body(run);
  if (!report.ok()) {
    Status rollback = engine.Rollback();
    if (!rollback.ok()) log::Warn("rollback failed: " + rollback.error().ToString());
    if (rollback.ok()) RecordFailedRun(engine, run, report.error());
    return report;
  }
  {
    ReleaseFreedMemory();
    Phase phase(report->timings, "commit");
    SPARKIFY_RETURN_IF_ERROR(engine.Commit());
  }
  return report;
}

}  // namespace sparkify::pipeline
