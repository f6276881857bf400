// The full load and the rebuild (LoadMode kFull, kRebuild): the tables anew, every file of the
// run's load lists staged, the star computed while parsing (direct) or by the SQL transform.
#include <algorithm>
#include <cctype>
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

// Where LoadAll stands when it calls LoadEverything back to set the engine's memory limit for
// what comes next.
enum class LoadStep {
  kSongsStaged,       // the song files are parsed; dim_artist and dim_song go in next
  kDimensionsLoaded,  // they are in; the match table and the song files' manifest next
  kSongsStored,       // the song tables are in; the events stream in next
  kFilesStaged,       // every file is staged; the transform next
};
// `song_index_bytes`: at kSongsStored, what the song index holds through the events (its match
// table, SongIndex::MatchBytes); 0 at the other steps.
using OnLoadStep = std::function<Status(LoadStep step, uint64_t song_index_bytes)>;

// Loads everything, calling `on_step` on the way.
Status LoadAll(engine::Engine& engine, const EtlOptions& options, Sources& sources,
               EtlReport& report, std::vector<StagedFiles>& staged, const OnLoadStep& on_step);

// A limit of `bytes` as DuckDB's memory_limit takes it.
std::string KiB(uint64_t bytes) { return std::to_string(bytes / 1024) + "KiB"; }

// The song phase's limits. DuckDB pins a 256 KiB block per column of the table it appends to
// and evicts the rest (no song table has a key index on DuckDB: sql/catalog.cpp), so they do
// not grow with the song files, while sparkify holds the song index's rows and the listing:
// the dimensions (5 columns each) go in under 4 MiB; the raw song rows (staging_songs, when
// kept), the match table and the manifest (11 columns: 4 MiB failed) under 8. L's song phase
// at one thread peaked at 107 MB under 20.2 MiB, at 98 under these (docs/BENCHMARKS.md,
// session 17). A text value needs a block of its own size, and no value is longer than the
// largest song file, so each limit is that much higher (a song file with a 10 MB title).
constexpr uint64_t kSongTablesMemory = 8 << 20;
constexpr uint64_t kSongDimensionsMemory = 4 << 20;
uint64_t LargestFileBytes(const std::vector<source::SourceFile>& files) {
  uint64_t largest = 0;
  for (const source::SourceFile& f : files) largest = std::max(largest, f.size);
  return largest;
}
// `limit` ("32MB", "1.5GiB") in bytes, as DuckDB reads it (KB = 1000 bytes, KiB = 1024);
// nullopt when it is not a number and one of those units.
std::optional<uint64_t> MemoryLimitBytes(std::string_view limit) {
  static const std::map<std::string, double, std::less<>> kUnits{
      {"b", 1},    {"bytes", 1},    {"kb", 1e3},        {"mb", 1e6},
      {"gb", 1e9}, {"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0}};
  size_t digits = 0;
  while (digits < limit.size() &&
         (std::isdigit(static_cast<unsigned char>(limit[digits])) || limit[digits] == '.'))
    ++digits;
  if (digits == 0) return std::nullopt;
  double number = 0;
  try {
    number = std::stod(std::string(limit.substr(0, digits)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::string unit;
  for (char c : limit.substr(digits)) {
    if (c != ' ') unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) return std::nullopt;
  return static_cast<uint64_t>(number * it->second);
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

std::string EventsMemoryLimit(const std::string& load_limit, uint64_t song_index_bytes) {
  constexpr uint64_t kLeast = 16 << 20;
  const std::optional<uint64_t> load_bytes = MemoryLimitBytes(load_limit);
  if (!load_bytes || *load_bytes <= kLeast) return load_limit;
  return KiB(std::max(kLeast, *load_bytes - std::min(*load_bytes, song_index_bytes)));
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
    return LoadAll(engine, options, sources, report, staged,
                   [](LoadStep, uint64_t) { return Status::Ok(); });
  }
  // The song tables go in under the song phase's limits, the events stream in under the
  // load's less the song index's match table, and the transform (users, dim_time) runs under
  // transform_memory_limit or the engine's own, which is back in place afterwards. The load's
  // limit is set first, so that one the engine refuses fails the run before anything is loaded.
  SPARKIFY_ASSIGN_OR_RETURN(std::string own_limit,
                            SwapMemoryLimit(engine, options.load_memory_limit));
  const std::string& transform_limit =
      options.transform_memory_limit.empty() ? own_limit : options.transform_memory_limit;
  bool restored = false;
  const uint64_t largest_value = LargestFileBytes(sources.LoadSongFiles());
  auto on_step = [&](LoadStep step, uint64_t song_index_bytes) -> Status {
    switch (step) {
      case LoadStep::kSongsStaged:
        return SwapMemoryLimit(engine, KiB(kSongDimensionsMemory + largest_value)).status();
      case LoadStep::kDimensionsLoaded:
        return SwapMemoryLimit(engine, KiB(kSongTablesMemory + largest_value)).status();
      case LoadStep::kSongsStored:
        return SwapMemoryLimit(engine,
                               EventsMemoryLimit(options.load_memory_limit, song_index_bytes))
            .status();
      case LoadStep::kFilesStaged:
        restored = transform_limit == own_limit;
        return SwapMemoryLimit(engine, transform_limit).status();
    }
    return Status::Ok();
  };
  Status loaded = SwapMemoryLimit(engine, KiB(kSongTablesMemory + largest_value)).status();
  if (loaded.ok()) loaded = LoadAll(engine, options, sources, report, staged, on_step);
  if (!restored) {
    Status r = SwapMemoryLimit(engine, own_limit).status();
    if (loaded.ok()) loaded = r;
  }
  engine_limit = own_limit;
  return loaded;
}

namespace {

Status LoadAll(engine::Engine& engine, const EtlOptions& options, Sources& sources,
               EtlReport& report, std::vector<StagedFiles>& staged, const OnLoadStep& on_step) {
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
      SPARKIFY_RETURN_IF_ERROR(on_step(LoadStep::kSongsStaged, 0));
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
      SPARKIFY_RETURN_IF_ERROR(on_step(LoadStep::kDimensionsLoaded, 0));
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
  SPARKIFY_RETURN_IF_ERROR(on_step(LoadStep::kSongsStored, songs.MatchBytes()));

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
  SPARKIFY_RETURN_IF_ERROR(on_step(LoadStep::kFilesStaged, 0));
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
