#include "sparkify/pipeline/etl.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "sparkify/common/log.hpp"
#include "sparkify/pipeline/etl_stages.hpp"
#include "sparkify/pipeline/manifest.hpp"
#include "sparkify/pipeline/run_support.hpp"
#include "sparkify/pipeline/star_builder.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {
namespace {

// `limit_after_commit`: the engine's memory limit to set back once the transaction has ended,
// when the run lowered it for the commit (LimitMemoryForCommit); else left empty.
Result<EtlReport> RunInTransaction(engine::Engine& engine, const EtlOptions& options,
                                   RunRecord& run, std::string& limit_after_commit) {
  EtlReport report;
  SPARKIFY_RETURN_IF_ERROR(LockDatabase(engine));
  SPARKIFY_ASSIGN_OR_RETURN(Sources sources,
                            StartRun(engine, options, /*lock_manifest=*/false, report, run));
  run.mode = report.plan.mode;
  const LoadPlan& plan = report.plan;
  std::vector<StagedFiles> staged;
  std::vector<source::SourceFile> new_files;
  std::string engine_limit;  // LoadEverything's: the engine's own, when it bounded memory
  switch (plan.mode) {
    case LoadMode::kNothing:
      break;
    case LoadMode::kFull:
    case LoadMode::kRebuild:
      SPARKIFY_RETURN_IF_ERROR(
          LoadEverything(engine, options, sources, report, staged, engine_limit));
      break;
    case LoadMode::kAppend: {
      std::vector<source::SourceFile> files;
      for (size_t i : plan.events.fresh) files.push_back(sources.event_files[i]);
      const uint64_t base = plan.events.unchanged.size() + plan.events.kept.size();
      SPARKIFY_RETURN_IF_ERROR(
          AppendEvents(engine, options, files, base, *sources.events, report, staged, new_files));
      break;
    }
  }
  SPARKIFY_RETURN_IF_ERROR(StoreSucceededRun(engine, staged, report, sources, run));
  if (!engine_limit.empty()) {
    SPARKIFY_RETURN_IF_ERROR(LimitMemoryForCommit(engine));
    limit_after_commit = engine_limit;
  }
  return report;
}

}  // namespace

Result<EtlReport> RunEtl(engine::Engine& engine, const EtlOptions& options) {
  std::string limit_after_commit;
  Result<EtlReport> report = RunAtomically(engine, options.arguments, [&](RunRecord& run) {
    return RunInTransaction(engine, options, run, limit_after_commit);
  });
  if (!limit_after_commit.empty()) {
    Result<std::string> restored = SwapMemoryLimit(engine, limit_after_commit);
    if (report.ok() && !restored.ok()) return restored.take_error();
  }
  if (!report.ok()) return report;
  // Inside the staging phases: the workers' read + parse (wall time until the last file was
  // parsed), of it the time the workers spent reading, parsing and mapping rows to plays (each
  // summed over the workers), and the engine thread's appends or COPY. They overlap, so they
  // do not add up.
  for (const auto& [name, stats] :
       {std::pair{"stage_songs", &report->songs}, std::pair{"stage_events", &report->events}}) {
    if (stats->files == 0) continue;
    report->timings.push_back({std::string(name) + ".read_parse", stats->read_parse_seconds});
    report->timings.push_back({std::string(name) + ".read", stats->read_seconds});
    report->timings.push_back({std::string(name) + ".parse", stats->parse_seconds});
    if (stats->map_seconds > 0)
      report->timings.push_back({std::string(name) + ".map", stats->map_seconds});
    report->timings.push_back({std::string(name) + ".append", stats->consume_seconds});
  }
  SPARKIFY_ASSIGN_OR_RETURN(report->counts, CountRows(engine));
  return report;
}

Result<LoadStatus> InspectLoad(engine::Engine& engine, const EtlOptions& options) {
  SPARKIFY_ASSIGN_OR_RETURN(Sources sources, OpenAndList(options));
  LoadStatus status;
  SPARKIFY_RETURN_IF_ERROR(engine.BeginReadOnly());
  auto inspect = [&]() -> Status {
    SPARKIFY_ASSIGN_OR_RETURN(status.loaded_before, LoadStateExists(engine));
    std::optional<std::vector<ManifestEntry>> manifest;
    if (status.loaded_before) {
      SPARKIFY_ASSIGN_OR_RETURN(manifest, ReadCurrentManifest(engine, sources, /*convert=*/false));
      SPARKIFY_ASSIGN_OR_RETURN(
          status.recent_runs,
          engine.Query(sql::Render(sql::Stmt::kSelectRecentRuns, engine.dialect())));
    }
    SPARKIFY_ASSIGN_OR_RETURN(status.plan, PlanSources(options, sources, manifest));
    return Status::Ok();
  };
  Status s = inspect();
  Status end = engine.Rollback();
  SPARKIFY_RETURN_IF_ERROR(s);
  SPARKIFY_RETURN_IF_ERROR(end);
  status.song_files = std::move(sources.song_files);
  status.event_files = std::move(sources.event_files);
  return status;
}

Result<EtlPlan> PlanEtl(const EtlOptions& options, sql::Dialect dialect) {
  SPARKIFY_ASSIGN_OR_RETURN(Sources sources, OpenAndList(options));
  EtlPlan plan;
  plan.song_files = std::move(sources.song_files);
  plan.event_files = std::move(sources.event_files);
  const bool direct = options.transform == Transform::kDirect;
  const bool stage_raw = !direct || options.keep_staging;
  const bool plays_wait = direct && sql::DeclaresForeignKeys(dialect) && !sql::DefersKeys(dialect);
  sql::RenderOptions ddl;
  ddl.deferred_keys = sql::DefersKeys(dialect);
  auto statement = [&](sql::Stmt stmt) {
    plan.steps.push_back({std::string(sql::StmtName(stmt)), sql::Render(stmt, dialect, ddl), ""});
  };
  auto load = [&](const std::string& table, std::string what) {
    plan.steps.push_back({"load " + table, "", "bulk load of " + std::move(what)});
  };
  const std::string songs = log::WithThousands(plan.song_files.size()) + " song files";
  const std::string events = log::WithThousands(plan.event_files.size()) + " event files";
  // The same steps, in the same order, as RunInTransaction.
  for (sql::Stmt stmt : sql::RebuildTablesStatements()) statement(stmt);
  if (plays_wait) statement(sql::Stmt::kCreateFactLoad);
  if (stage_raw) load("staging_songs", "the " + songs + " listed above, parsed by sparkify");
  if (direct) {
    load(DimArtistSchema().name, "the artists of the " + songs + ", computed by sparkify");
    load(DimSongSchema().name, "the songs of the " + songs + ", computed by sparkify");
    load(SongMatchSchema().name, "the song each (title, artist, duration) matches");
  }
  load(LoadManifestSchema().name, "one row per song file loaded");
  if (stage_raw) load("staging_events", "the " + events + " listed above, parsed by sparkify");
  if (direct) {
    load(plays_wait ? FactLoadSchema().name : FactSongplaySchema().name,
         "the NextSong plays of the " + events + ", matched to songs by sparkify");
  }
  load("load_errors", "the records that failed to parse, if any");
  if (direct) {
    load(DimUserSchema().name, "each user's latest event, computed by sparkify");
    load(UserStateSchema().name, "the ordering fields of each user's latest event");
    load(DimTimeSchema().name, "the distinct play start times, computed by sparkify");
    if (plays_wait) statement(sql::Stmt::kPublishFactLoad);
  } else {
    for (sql::Stmt stmt : sql::TransformStatements()) statement(stmt);
  }
  if (ddl.deferred_keys) statement(sql::Stmt::kAddDeferredKeys);
  load(LoadManifestSchema().name, "one row per event file loaded");
  load(RunsSchema().name, "this run");
  return plan;
}

Result<std::vector<TableCount>> CountRows(engine::Engine& engine) {
  SPARKIFY_ASSIGN_OR_RETURN(
      engine::QueryResult result,
      engine.Query(sql::Render(sql::Stmt::kTableRowCounts, engine.dialect())));
  std::vector<TableCount> counts;
  for (const auto& row : result.rows) {
    counts.push_back({row[0].value_or(""), row[1] ? std::stoll(*row[1]) : 0});
  }
  return counts;
}

}  // namespace sparkify::pipeline
