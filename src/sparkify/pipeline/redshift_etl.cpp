#include "sparkify/pipeline/redshift_etl.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "sparkify/common/log.hpp"
#include "sparkify/pipeline/manifest.hpp"
#include "sparkify/pipeline/run_support.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {
namespace {

constexpr sql::Dialect kRedshift = sql::Dialect::kRedshift;

// The load's settings as the catalog's {{$values}} (COPY statements) and table attributes.
sql::RenderOptions LoadRender(const RedshiftLoadOptions& o) {
  sql::RenderOptions render;
  render.table_attributes = o.table_attributes;
  render.values = {{"songs", sql::QuoteLiteral(o.songs)},
                   {"events", sql::QuoteLiteral(o.events)},
                   {"jsonpaths", sql::QuoteLiteral(o.jsonpaths)},
                   {"iam_role", sql::QuoteLiteral(o.iam_role_arn)},
                   {"region", sql::QuoteLiteral(o.region)},
                   {"max_errors", std::to_string(o.max_errors)}};
  return render;
}

// What a full load COPYs for a location: the location as a folder (COPY reads every key that
// starts with its argument, and song_data must not take song_data_old, which the listing
// leaves out too), or the one object the location names.
std::string FolderPrefix(const std::string& location,
                         const std::vector<source::SourceFile>& files) {
  if (location.ends_with('/')) return location;
  if (files.size() == 1 && files[0].uri == location) return location;
  return location + "/";
}

// The render of one COPY of `kind` from `prefix`, followed by the statements that record what
// it read and rejected.
sql::RenderOptions CopyRender(const RedshiftLoadOptions& o, FileKind kind,
                              const std::string& prefix, bool append) {
  sql::RenderOptions render = LoadRender(o);
  render.append = append;
  const bool songs = kind == FileKind::kSongs;
  render.values[songs ? "songs" : "events"] = sql::QuoteLiteral(prefix);
  render.values["kind"] = sql::QuoteLiteral(FileKindName(kind));
  render.values["table"] = sql::QuoteLiteral(songs ? "staging_songs" : "staging_events");
  return render;
}

sql::Stmt CopyStatement(FileKind kind) {
  return kind == FileKind::kSongs ? sql::Stmt::kCopyStagingSongs : sql::Stmt::kCopyStagingEvents;
}

// COPY fails as a whole when more records than MAXERROR are bad; Redshift then points at its
// load-error tables ("Check 'sys_load_error_detail'", formerly stl_load_errors).
Error CopyError(Error e, sql::Stmt copy, uint64_t max_errors) {
  const std::string& m = e.message();
  if (m.find("sys_load_error_detail") != std::string::npos ||
      m.find("stl_load_errors") != std::string::npos) {
    Error too_many(ErrorCode::kTooManyLoadErrors,
                   "more than " + std::to_string(max_errors) +
                       " bad records (--max-errors; COPY MAXERROR); nothing was committed. "
                       "Redshift says: " +
                       m);
    return too_many.WithContext(std::string(sql::StmtName(copy)));
  }
  return e.WithContext(std::string(sql::StmtName(copy)));
}

// One COPY per prefix, each followed by the files it read and the records it rejected.
Status CopyFiles(engine::Engine& engine, const RedshiftLoadOptions& o, FileKind kind,
                 const std::vector<std::string>& prefixes, bool append) {
  for (const std::string& prefix : prefixes) {
    const sql::RenderOptions render = CopyRender(o, kind, prefix, append);
    log::Verbose("redshift: copy " + prefix);
    Status s = engine.Execute(sql::Render(CopyStatement(kind), kRedshift, render));
    if (!s.ok()) return CopyError(s.take_error(), CopyStatement(kind), o.max_errors);
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kRecordCopiedFiles, render));
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kInsertCopyErrors, render));
  }
  return Status::Ok();
}

// What a full load or rebuild COPYs of one kind: the location as a whole when every listed file
// is loaded (no file's content is already loaded under another name), else the prefixes of
// exactly the files loaded; then, for a rebuild, the kept files at their last locations.
Result<std::vector<std::string>> FullLoadPrefixes(const std::vector<source::SourceFile>& listed,
                                                  const FileChanges& changes, LoadMode mode,
                                                  const std::string& location) {
  std::vector<std::string> prefixes;
  if (changes.same_content.empty()) {
    if (!listed.empty()) prefixes.push_back(FolderPrefix(location, listed));
  } else {
    SPARKIFY_ASSIGN_OR_RETURN(prefixes, CopyPrefixes(listed, ListedToLoad(changes, listed.size())));
  }
  if (mode == LoadMode::kRebuild && !changes.kept.empty()) {
    std::vector<source::SourceFile> kept;
    for (const ManifestEntry& e : changes.kept) kept.push_back(KeptFile(e));
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.uri < b.uri; });
    std::vector<size_t> all(kept.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    // COPY reads whatever shares a prefix; CopiedLines fails the run if that was not loaded.
    SPARKIFY_ASSIGN_OR_RETURN(std::vector<std::string> more, CopyPrefixes(kept, all));
    prefixes.insert(prefixes.end(), more.begin(), more.end());
  }
  return prefixes;
}

// Full load and rebuild: the tables anew, each location COPYed as a whole, the SQL transform.
Status CopyEverything(engine::Engine& engine, const RedshiftLoadOptions& o, const Sources& sources,
                      EtlReport& report) {
  const sql::RenderOptions render = LoadRender(o);
  for (sql::Stmt stmt : sql::RebuildTablesStatements())
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, stmt, render));
  SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateCopiedFiles));
  for (FileKind kind : {FileKind::kSongs, FileKind::kEvents}) {
    const bool songs = kind == FileKind::kSongs;
    const std::vector<source::SourceFile>& listed =
        songs ? sources.song_files : sources.event_files;
    const FileChanges& changes = songs ? report.plan.songs : report.plan.events;
    if ((songs ? sources.LoadSongFiles() : sources.LoadEventFiles()).empty()) continue;
    Phase phase(report.timings, songs ? "copy_songs" : "copy_events");
    SPARKIFY_ASSIGN_OR_RETURN(
        std::vector<std::string> prefixes,
        FullLoadPrefixes(listed, changes, report.plan.mode, songs ? o.songs : o.events));
    SPARKIFY_RETURN_IF_ERROR(CopyFiles(engine, o, kind, prefixes, false));
  }
  Phase phase(report.timings, "transform");
  for (sql::Stmt stmt : sql::TransformStatements())
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, stmt, render));
  SPARKIFY_ASSIGN_OR_RETURN(int64_t plays, QueryInt(engine, sql::Stmt::kMaxSongplayId));
  report.plays_added = static_cast<uint64_t>(plays);
  return Status::Ok();
}

// Incremental run: COPYs the new event files into etl_events_new and, when their plays all
// follow the loaded ones, appends them to the star. False: they do not (the caller rebuilds).
Result<bool> AppendNewEvents(engine::Engine& engine, const RedshiftLoadOptions& o,
                             const Sources& sources, const LoadPlan& plan, EtlReport& report) {
  SPARKIFY_ASSIGN_OR_RETURN(std::vector<std::string> prefixes,
                            CopyPrefixes(sources.event_files, plan.events.fresh));
  SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateCopiedFiles));
  SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateEventsNew));
  {
    Phase phase(report.timings, "copy_events");
    log::Verbose(Plural(plan.events.fresh.size(), "new event file") + " in " +
                 Plural(prefixes.size(), "COPY"));
    SPARKIFY_RETURN_IF_ERROR(CopyFiles(engine, o, FileKind::kEvents, prefixes, true));
  }
  SPARKIFY_ASSIGN_OR_RETURN(int64_t ordered, QueryInt(engine, sql::Stmt::kNewPlaysFollowLoaded));
  if (!ordered) return false;
  Phase phase(report.timings, "transform");
  sql::RenderOptions append;
  append.append = true;
  SPARKIFY_ASSIGN_OR_RETURN(int64_t before, QueryInt(engine, sql::Stmt::kMaxSongplayId));
  for (sql::Stmt stmt :
       {sql::Stmt::kInsertDimTime, sql::Stmt::kCreateUpsertLoads, sql::Stmt::kFillUserLoad,
        sql::Stmt::kUpsertUsers, sql::Stmt::kDropUpsertLoads, sql::Stmt::kInsertFactSongplay,
        sql::Stmt::kKeepNewEvents}) {
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, stmt, append));
  }
  SPARKIFY_ASSIGN_OR_RETURN(int64_t after, QueryInt(engine, sql::Stmt::kMaxSongplayId));
  report.plays_added = static_cast<uint64_t>(after - before);
  return true;
}

// The lines each file's COPY scanned, by file; fails when a COPY read an object the run did not
// list (COPY reads every object under a prefix; sparkify lists only *.json files outside hidden
// folders, and an object written after the listing is not in it).
Result<std::map<std::string, uint64_t>> CopiedLines(engine::Engine& engine,
                                                    const std::set<std::string>& listed) {
  SPARKIFY_ASSIGN_OR_RETURN(
      engine::QueryResult copied,
      engine.Query(sql::Render(sql::Stmt::kSelectCopiedFiles, engine.dialect())));
  std::map<std::string, uint64_t> lines;
  std::vector<std::string> unlisted;
  for (const auto& row : copied.rows) {
    const std::string file = row[1].value_or("");
    if (!listed.contains(file)) unlisted.push_back(file);
    lines[file] += row[2] ? std::stoull(*row[2]) : 0;
  }
  if (!unlisted.empty()) {
    return Error::InvalidArgument(
        "COPY read " + Plural(unlisted.size(), "object") +
        " that the run did not list (first: " + unlisted[0] +
        "): COPY reads every object under a prefix, while sparkify loads only *.json files "
        "outside hidden folders, and objects written during the run are not listed. Move "
        "other objects out of the data prefixes and run etl again; nothing was committed");
  }
  return lines;
}

// The load errors of this run's files (the table keeps earlier runs' too).
Result<std::vector<parse::LoadError>> RunLoadErrors(engine::Engine& engine,
                                                    const std::set<std::string>& files) {
  SPARKIFY_ASSIGN_OR_RETURN(
      engine::QueryResult rows,
      engine.Query(sql::Render(sql::Stmt::kSelectLoadErrors, engine.dialect())));
  std::vector<parse::LoadError> errors;
  for (const auto& row : rows.rows) {
    parse::LoadError e;
    e.file = row[1].value_or("");
    if (!files.contains(e.file)) continue;
    e.table = row[0].value_or("");
    e.line = row[2] ? std::stoull(*row[2]) : 0;
    e.reason = row[3].value_or("");
    e.excerpt = row[4].value_or("");
    errors.push_back(std::move(e));
  }
  return errors;
}

// Per-file rows for the manifest: the lines COPY scanned less the records it rejected.
StageStats CopyStats(const std::vector<source::SourceFile>& files,
                     const std::map<std::string, uint64_t>& lines,
                     const std::map<std::string, uint64_t>& rejected) {
  StageStats stats;
  stats.files = files.size();
  for (const source::SourceFile& f : files) {
    FileStats fs;
    auto r = rejected.find(f.uri);
    fs.rejected = r == rejected.end() ? 0 : r->second;
    auto l = lines.find(f.uri);
    const uint64_t scanned = l == lines.end() ? 0 : l->second;
    fs.rows = scanned > fs.rejected ? scanned - fs.rejected : 0;
    stats.bytes += f.size;
    stats.rows += fs.rows;
    stats.rejected += fs.rejected;
    stats.per_file.push_back(std::move(fs));
  }
  return stats;
}

Result<EtlReport> RunInTransaction(engine::Engine& engine, const RedshiftLoadOptions& o,
                                   RunRecord& run) {
  EtlReport report;
  // One run at a time: the manifest stays locked until this one ends.
  SPARKIFY_ASSIGN_OR_RETURN(
      Sources sources, StartRun(engine, RedshiftListing(o), /*lock_manifest=*/true, report, run));
  LoadPlan& plan = report.plan;

  std::vector<source::SourceFile> new_events;
  if (plan.mode == LoadMode::kAppend) {
    for (size_t i : plan.events.fresh) new_events.push_back(sources.event_files[i]);
    SPARKIFY_ASSIGN_OR_RETURN(bool appended, AppendNewEvents(engine, o, sources, plan, report));
    if (!appended) {
      plan.reason =
          "the new event files hold plays earlier than the last loaded one, and Redshift numbers "
          "plays by time";
      log::Info("rebuild load: " + plan.reason);
      SPARKIFY_RETURN_IF_ERROR(SwitchToRebuild(plan, sources));
    }
  }
  if (plan.mode == LoadMode::kFull || plan.mode == LoadMode::kRebuild) {
    SPARKIFY_RETURN_IF_ERROR(CopyEverything(engine, o, sources, report));
  }
  run.mode = plan.mode;

  std::vector<StagedFiles> staged;
  if (plan.mode != LoadMode::kNothing) {
    const bool append = plan.mode == LoadMode::kAppend;
    std::set<std::string> files;
    const std::vector<source::SourceFile>* read[] = {&sources.LoadSongFiles(),
                                                     &sources.LoadEventFiles(), &new_events};
    for (const std::vector<source::SourceFile>* list : read) {
      if (append && list != &new_events) continue;
      for (const source::SourceFile& f : *list) files.insert(f.uri);
    }
    SPARKIFY_ASSIGN_OR_RETURN(auto lines, CopiedLines(engine, files));
    SPARKIFY_ASSIGN_OR_RETURN(report.load_errors, RunLoadErrors(engine, files));
    SummariseLoadErrors(report.load_errors);
    if (report.load_errors.size() > o.max_errors) {
      return Error(ErrorCode::kTooManyLoadErrors,
                   log::WithThousands(report.load_errors.size()) +
                       " bad records exceed --max-errors " + std::to_string(o.max_errors) +
                       " (over several COPYs); nothing was committed");
    }
    std::map<std::string, uint64_t> rejected;
    for (const parse::LoadError& e : report.load_errors) ++rejected[e.file];
    if (append) {
      report.events = CopyStats(new_events, lines, rejected);
      staged.push_back({FileKind::kEvents, &new_events, &report.events});
    } else {
      report.songs = CopyStats(sources.LoadSongFiles(), lines, rejected);
      report.events = CopyStats(sources.LoadEventFiles(), lines, rejected);
      staged.push_back({FileKind::kSongs, &sources.LoadSongFiles(), &report.songs});
      staged.push_back({FileKind::kEvents, &sources.LoadEventFiles(), &report.events});
    }
  }
  SPARKIFY_RETURN_IF_ERROR(StoreSucceededRun(engine, staged, report, sources, run));
  return report;
}

}  // namespace

EtlOptions RedshiftListing(const RedshiftLoadOptions& options) {
  EtlOptions listing;
  listing.songs = options.songs;
  listing.events = options.events;
  listing.source = options.source;
  listing.full_refresh = options.full_refresh;
  return listing;
}

std::vector<EtlStep> PlanRedshiftEtl(const RedshiftLoadOptions& options) {
  const sql::RenderOptions render = LoadRender(options);
  std::vector<EtlStep> steps;
  auto statement = [&](sql::Stmt stmt, const sql::RenderOptions& r, std::string name = "") {
    steps.push_back({name.empty() ? std::string(sql::StmtName(stmt)) : std::move(name),
                     sql::Render(stmt, kRedshift, r), ""});
  };
  for (sql::Stmt stmt : sql::RebuildTablesStatements()) statement(stmt, render);
  statement(sql::Stmt::kCreateCopiedFiles, render);
  for (FileKind kind : {FileKind::kSongs, FileKind::kEvents}) {
    const std::string& location = kind == FileKind::kSongs ? options.songs : options.events;
    const sql::RenderOptions copy = CopyRender(options, kind, FolderPrefix(location, {}), false);
    const std::string table = kind == FileKind::kSongs ? " staging_songs" : " staging_events";
    statement(CopyStatement(kind), copy);
    statement(sql::Stmt::kRecordCopiedFiles, copy,
              std::string(sql::StmtName(sql::Stmt::kRecordCopiedFiles)) + table);
    statement(sql::Stmt::kInsertCopyErrors, copy,
              std::string(sql::StmtName(sql::Stmt::kInsertCopyErrors)) + table);
  }
  for (sql::Stmt stmt : sql::TransformStatements()) statement(stmt, render);
  steps.push_back({"load load_manifest", "",
                   "one row per file: as listed, with the lines COPY scanned (sys_load_detail)"});
  steps.push_back({"load runs", "", "this run"});
  return steps;
}

Result<EtlReport> RunRedshiftEtl(engine::Engine& engine, const RedshiftLoadOptions& options) {
  Result<EtlReport> report = RunAtomically(engine, options.arguments, [&](RunRecord& run) {
    return RunInTransaction(engine, options, run);
  });
  if (!report.ok()) return report;
  SPARKIFY_ASSIGN_OR_RETURN(report->counts, CountRows(engine));
  return report;
}

}  // namespace sparkify::pipeline
