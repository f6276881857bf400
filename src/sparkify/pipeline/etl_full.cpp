// The full load and the rebuild (LoadMode kFull, kRebuild): the tables anew, every file of the
// run's load lists staged, the star computed while parsing (direct) or by the SQL transform.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "sparkify/common/log.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/pipeline/etl_stages.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {
namespace {

// A rebuild read the kept files again from where they were last read: their content must be
// what was loaded (PlanLoad verified their size or checksum before; this sees a change made
// while the run read them, or a file that could not be read at all).
Status VerifyKeptChecksums(const LoadPlan& plan, const StagedFiles& staged) {
  if (plan.mode != LoadMode::kRebuild) return Status::Ok();
  const std::vector<source::SourceFile>& files = *staged.files;
  const StageStats& stats = *staged.stats;
  std::map<std::string, const ManifestEntry*> kept;
  for (const ManifestEntry& e : (staged.kind == FileKind::kSongs ? plan.songs : plan.events).kept)
    kept[e.location] = &e;
  for (size_t i = 0; i < files.size() && i < stats.per_file.size(); ++i) {
    auto it = kept.find(files[i].uri);
    if (it == kept.end() || it->second->checksum.empty()) continue;
    if (stats.per_file[i].checksum.Hex() != it->second->checksum) {
      return Error::NotFound(files[i].uri + ", loaded earlier and read again for the rebuild, " +
                             (stats.per_file[i].checksum.empty()
                                  ? std::string("could not be read")
                                  : std::string("no longer holds what was loaded")) +
                             "; nothing was changed. Restore it, or run etl --full-refresh to "
                             "rebuild from the files listed now and drop its rows");
    }
  }
  return Status::Ok();
}

// What LoadAll calls as it moves on (LoadEverything sets the engine's memory limit there).
struct LoadSteps {
  std::function<Status()> songs_stored;  // the song tables are in, before the events
  std::function<Status()> files_staged;  // every file is staged, before the transform
};

// Loads everything, calling `steps` on the way.
Status LoadAll(engine::Engine& engine, const EtlOptions& options, Sources& sources,
               EtlReport& report, std::vector<StagedFiles>& staged, const LoadSteps& steps);

// A limit of `bytes` as DuckDB's memory_limit takes it.
std::string KiB(uint64_t bytes) { return std::to_string(bytes / 1024) + "KiB"; }

// The song phase's limit: DuckDB holds the dimensions, the match table and the manifest, and
// cannot evict their key indexes (~100 bytes a song file: L's 100,000 took 9.5 MB), so the
// limit follows the song files: 16 MiB, or 8 MiB and 128 bytes a file when that is more. L's
// song phase under the load's 32 MB peaked at 117 MB, under this 20.2 MB at 107; 300,000 files
// get 44.6 MB (docs/BENCHMARKS.md, session 16).
std::string SongPhaseMemoryLimit(size_t song_files) {
  return KiB(std::max<uint64_t>(16 << 20, (8 << 20) + 128 * uint64_t{song_files}));
}

// Whether a full load bounds the engine's memory: the direct transform with a
// load_memory_limit, on an engine whose limit can be lowered (sql::BoundsEngineMemory).
bool BoundsLoadMemory(const engine::Engine& engine, const EtlOptions& options) {
  return options.transform == Transform::kDirect && !options.load_memory_limit.empty() &&
         sql::BoundsEngineMemory(engine.dialect());
}

}  // namespace

Result<std::string> SwapMemoryLimit(engine::Engine& engine, const std::string& limit) {
  return SwapEngineSetting(engine, sql::Stmt::kMemoryLimit, sql::Stmt::kSetMemoryLimit,
                           sql::QuoteLiteral(limit), "memory limit");
}

Status LimitMemoryForCommit(engine::Engine& engine) {
  SPARKIFY_ASSIGN_OR_RETURN(int64_t key_bytes, QueryInt(engine, sql::Stmt::kKeyIndexBytes));
  const uint64_t limit = (24 << 20) + static_cast<uint64_t>(std::max<int64_t>(key_bytes, 0));
  return SwapMemoryLimit(engine, KiB(limit)).status();
}

Status LoadEverything(engine::Engine& engine, const EtlOptions& options, Sources& sources,
                      EtlReport& report, std::vector<StagedFiles>& staged,
                      std::string& engine_limit) {
  if (!BoundsLoadMemory(engine, options)) {
    auto nothing = [] { return Status::Ok(); };
    return LoadAll(engine, options, sources, report, staged, {nothing, nothing});
  }
  // The song tables go in under the song phase's limit, the events stream in under the load's,
  // and the transform (users, dim_time) runs under transform_memory_limit or the engine's own,
  // which is back in place afterwards. The load's limit is set first, so that one the engine
  // refuses fails the run before anything is loaded.
  SPARKIFY_ASSIGN_OR_RETURN(std::string own_limit,
                            SwapMemoryLimit(engine, options.load_memory_limit));
  const std::string& transform_limit =
      options.transform_memory_limit.empty() ? own_limit : options.transform_memory_limit;
  bool restored = false;
  LoadSteps steps;
  steps.songs_stored = [&]() -> Status {
    return SwapMemoryLimit(engine, options.load_memory_limit).status();
  };
  steps.files_staged = [&]() -> Status {
    restored = transform_limit == own_limit;
    return SwapMemoryLimit(engine, transform_limit).status();
  };
  Status loaded =
      SwapMemoryLimit(engine, SongPhaseMemoryLimit(sources.LoadSongFiles().size())).status();
  if (loaded.ok()) loaded = LoadAll(engine, options, sources, report, staged, steps);
  if (!restored) {
    Status r = SwapMemoryLimit(engine, own_limit).status();
    if (loaded.ok()) loaded = r;
  }
  engine_limit = own_limit;
  return loaded;
}

namespace {

Status LoadAll(engine::Engine& engine, const EtlOptions& options, Sources& sources,
               EtlReport& report, std::vector<StagedFiles>& staged, const LoadSteps& steps) {
  const bool direct = options.transform == Transform::kDirect;
  const bool stage_raw = !direct || options.keep_staging;
  sql::RenderOptions ddl;
  ddl.deferred_keys = sql::DefersKeys(engine.dialect());
  for (sql::Stmt stmt : sql::RebuildTablesStatements())
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, stmt, ddl));
  // Plays are known before the users and times they reference. Without foreign keys declared
  // yet they go straight into fact_songplay; with them they wait in a temporary table.
  const bool plays_wait =
      direct && sql::DeclaresForeignKeys(engine.dialect()) && !ddl.deferred_keys;
  if (plays_wait) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateFactLoad));
  parse::CollectingSink sink;
  StageOptions stage_options;
  stage_options.threads = options.threads;

  // Songs: staged and/or indexed for the direct transform.
  SongIndex songs;
  if (direct) songs.Reserve(sources.LoadSongFiles().size());
  {
    Phase phase(report.timings, "stage_songs");
    LoaderSwitch staging(engine);
    StageHooks hooks;
    hooks.consume = [&](Chunk& chunk) -> Status {
      if (direct) songs.Add(*chunk.raw);
      return stage_raw ? staging.Append(parse::StagingSongsSchema(), *chunk.raw) : Status::Ok();
    };
    Result<StageStats> s = StageFiles(RawKind::kSongs, *sources.load_songs, sources.LoadSongFiles(),
                                      sink, stage_options, hooks);
    if (!s.ok()) return s.take_error().WithContext("staging songs");
    SPARKIFY_RETURN_IF_ERROR(staging.Finish());
    report.songs = *s;
    if (direct) {  // artists before songs: dim_song.artist_id references dim_artist
      SPARKIFY_RETURN_IF_ERROR(
          LoadRows(engine, DimArtistSchema(),
                   [&](ColumnBatch& b, auto& flush) { songs.AppendArtists(b, flush); }));
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, DimSongSchema(), [&](ColumnBatch& b, auto& flush) {
        songs.AppendSongs(b, flush);
      }));
      // From here on only the matches are needed: the rows become the match table as they
      // are freed, and their pages go back before DuckDB takes memory for the matches and the
      // manifest. S100k (100,000 songs, 1 M events) at one thread peaked at 148 MB here, and
      // 127 MB after (docs/BENCHMARKS.md, session 12).
      songs.ReleaseDimensionRows();
      ReleaseFreedMemory();
      SPARKIFY_RETURN_IF_ERROR(
          LoadRows(engine, SongMatchSchema(),
                   [&](ColumnBatch& b, auto& flush) { songs.AppendMatches(b, flush); }));
    }
  }
  // The song files' manifest rows go in now, and their listing and per-file stats go, buffers
  // and all: L's 100,000 song files kept ~8 MB of heap in use through the events and the
  // transform, and their two vectors' buffers 7 MB more until session 12. With the dimension rows
  // they were most of the heap: its freed pages go back before the events' working set takes
  // its own.
  staged.push_back({FileKind::kSongs, &sources.LoadSongFiles(), &report.songs});
  SPARKIFY_RETURN_IF_ERROR(VerifyKeptChecksums(report.plan, staged.back()));
  SPARKIFY_RETURN_IF_ERROR(StoreManifest(engine, {staged.back()}, report.run_id));
  staged.back().files = nullptr;
  sources.ReleaseSongFiles();
  report.songs.per_file = std::vector<FileStats>();  // its buffer too (Sources::ReleaseSongFiles)
  ReleaseFreedMemory();
  SPARKIFY_RETURN_IF_ERROR(steps.songs_stored());

  // Events: staged and/or mapped to plays, in load order so plays are numbered 1..n by it.
  EventStaging events;
  events.engine = &engine;
  events.source = sources.load_events.get();
  events.files = &sources.LoadEventFiles();
  events.direct = direct;
  events.stage_raw = stage_raw;
  events.plays = plays_wait ? &FactLoadSchema() : &FactSongplaySchema();
  events.songs = &songs;
  events.options = stage_options;
  events.sink = &sink;
  SPARKIFY_RETURN_IF_ERROR(StageEventsOfRun(events, options, report, sink));
  // Every play is mapped: the match table goes, and with it the heap pages the staging freed,
  // before the transform (users, dim_time's merge and load) takes its own memory.
  events.songs = nullptr;
  songs = SongIndex();
  ReleaseFreedMemory();
  SPARKIFY_RETURN_IF_ERROR(steps.files_staged());
  {
    Phase phase(report.timings, "transform");
    if (!direct) {
      for (sql::Stmt stmt : sql::TransformStatements())
        SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, stmt));
      SPARKIFY_ASSIGN_OR_RETURN(int64_t plays, QueryInt(engine, sql::Stmt::kMaxSongplayId));
      report.plays_added = static_cast<uint64_t>(plays);
    } else {
      UserTable users;
      for (PlayMapper& m : events.mappers) users.Merge(std::move(m.users()));
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, DimUserSchema(), [&](ColumnBatch& b, auto& flush) {
        users.AppendUsers(b);
        flush();
      }));
      SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, UserStateSchema(),
                                        [&](ColumnBatch& b, auto&) { users.AppendState(b); }));
      {
        Phase times(report.timings, "transform.dim_time");
        SPARKIFY_RETURN_IF_ERROR(LoadTimes(engine, DimTimeSchema(), events.start_times));
      }
      if (plays_wait) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kPublishFactLoad));
    }
    if (ddl.deferred_keys)
      SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kAddDeferredKeys));
  }
  staged.push_back({FileKind::kEvents, &sources.LoadEventFiles(), &report.events});
  return VerifyKeptChecksums(report.plan, staged.back());
}

}  // namespace
}  // namespace sparkify::pipeline
