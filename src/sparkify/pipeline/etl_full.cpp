// The full load and the rebuild (LoadMode kFull, kRebuild): the tables anew, every file of the
// run's load lists staged, the star computed while parsing (direct) or by the SQL transform.
#include <functional>
#include <map>
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

// Sets the engine's memory limit to `limit`; returns the limit it had, as the engine reports it
// (DuckDB: to a tenth of a MiB).
Result<std::string> SwapMemoryLimit(engine::Engine& engine, const std::string& limit) {
  return SwapEngineSetting(engine, sql::Stmt::kMemoryLimit, sql::Stmt::kSetMemoryLimit,
                           sql::QuoteLiteral(limit), "memory limit");
}

// Loads everything; `files_staged` is called once every file is staged, before the transform.
Status LoadAll(engine::Engine& engine, const EtlOptions& options, Sources& sources,
               EtlReport& report, std::vector<StagedFiles>& staged,
               const std::function<Status()>& files_staged);

}  // namespace

Status LoadEverything(engine::Engine& engine, const EtlOptions& options, Sources& sources,
                      EtlReport& report, std::vector<StagedFiles>& staged) {
  if (options.transform != Transform::kDirect || options.load_memory_limit.empty() ||
      !sql::BoundsEngineMemory(engine.dialect())) {
    return LoadAll(engine, options, sources, report, staged, [] { return Status::Ok(); });
  }
  // The files stream in under the lower limit; the transform (users, dim_time) runs under
  // transform_memory_limit or the engine's own, which is back in place afterwards.
  SPARKIFY_ASSIGN_OR_RETURN(std::string own_limit,
                            SwapMemoryLimit(engine, options.load_memory_limit));
  const std::string& transform_limit =
      options.transform_memory_limit.empty() ? own_limit : options.transform_memory_limit;
  bool restored = false;
  auto to_transform_limit = [&]() -> Status {
    restored = transform_limit == own_limit;
    return SwapMemoryLimit(engine, transform_limit).status();
  };
  Status loaded = LoadAll(engine, options, sources, report, staged, to_transform_limit);
  if (!restored) {
    Status r = SwapMemoryLimit(engine, own_limit).status();
    if (loaded.ok()) loaded = r;
  }
  return loaded;
}

namespace {

Status LoadAll(engine::Engine& engine, const EtlOptions& options, Sources& sources,
               EtlReport& report, std::vector<StagedFiles>& staged,
               const std::function<Status()>& files_staged) {
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
  SPARKIFY_RETURN_IF_ERROR(files_staged());
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
