// sparkify etl: stage raw JSON, build the star schema, print every table's row count.
#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/check_options.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/target_options.hpp"
#include "sparkify/analytics/format.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/pipeline/etl.hpp"
#include "sparkify/pipeline/redshift_etl.hpp"
#include "sparkify/sql/catalog.hpp"
#include "sparkify/sql/dialect.hpp"

namespace sparkify::cli {
namespace {

struct EtlFlags {
  TargetOptions target;
  std::optional<std::string> songs;
  std::optional<std::string> events;
  std::optional<std::string> max_errors;
  std::string format = "table";
  bool timings = false;
  std::string transform = "direct";
  bool keep_staging = false;
  bool check = false;
  CheckFlags checks;
  bool dry_run = false;
  bool no_sign_request = false;
  std::optional<std::string> endpoint_url;
  bool full_refresh = false;
  bool plan = false;
};

// --dry-run: the files and the steps, SQL as a script a person (or psql) can read.
void PrintPlan(const pipeline::EtlPlan& plan, const pipeline::EtlOptions& options,
               sql::Dialect dialect) {
  auto files = [](std::string_view what, const std::string& location,
                  const std::vector<source::SourceFile>& list) {
    uint64_t bytes = 0;
    for (const auto& f : list) bytes += f.size;
    std::cout << fmt::format("-- {} files from {}: {} files, {} bytes\n", what, location,
                             log::WithThousands(list.size()), log::WithThousands(bytes));
    for (const auto& f : list) std::cout << "--   " << f.uri << '\n';
  };
  std::cout << "-- sparkify etl --dry-run: nothing is downloaded, loaded or changed\n";
  files("song", options.songs, plan.song_files);
  files("event", options.events, plan.event_files);
  std::cout << "-- steps, in one transaction, for " << sql::DialectName(dialect) << ":\nbegin;\n";
  for (const auto& step : plan.steps) {
    std::cout << "\n-- " << step.name << '\n';
    if (!step.description.empty()) std::cout << "-- " << step.description << "\n";
    if (step.sql.empty()) continue;
    std::string_view sql = step.sql;
    while (!sql.empty() && (sql.front() == '\n' || sql.front() == ' ')) sql.remove_prefix(1);
    while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ')) sql.remove_suffix(1);
    std::cout << sql << (sql.ends_with(';') ? "\n" : ";\n");
  }
  std::cout << "\ncommit;\n";
}

// Redshift's load settings: the S3 locations, the JSONPaths file, the cluster's role, the
// bucket region and the per-table attribute overrides ([REDSHIFT] <TABLE>_DIST).
Result<pipeline::RedshiftLoadOptions> RedshiftLoad(const config::SettingsResolver& settings,
                                                   const pipeline::EtlOptions& options) {
  pipeline::RedshiftLoadOptions load;
  load.songs = options.songs;
  load.events = options.events;
  for (const std::string* uri : {&load.songs, &load.events}) {
    if (!uri->starts_with("s3://")) {
      return Error::InvalidArgument("Redshift loads from S3 only: \"" + *uri +
                                    "\" is not an s3:// location");
    }
  }
  auto need = [&settings](const char* env, const char* section, const char* key,
                          std::optional<std::string> fallback) -> Result<std::string> {
    config::Resolved r = settings.Get(std::nullopt, "", env, section, key, fallback);
    if (!r.value || r.value->empty()) {
      return Error::Config(std::string("Redshift needs ") + section + " " + key + " in " +
                           settings.cfg_name() + " (or $" + env + ")");
    }
    return *r.value;
  };
  SPARKIFY_ASSIGN_OR_RETURN(load.jsonpaths,
                            need("SPARKIFY_LOG_JSONPATH", "S3", "LOG_JSONPATH", std::nullopt));
  SPARKIFY_ASSIGN_OR_RETURN(load.iam_role_arn,
                            need("SPARKIFY_IAM_ROLE_ARN", "IAM_ROLE", "ARN", std::nullopt));
  SPARKIFY_ASSIGN_OR_RETURN(load.region,
                            need("SPARKIFY_S3_REGION", "S3", "REGION", std::string("us-west-2")));
  load.max_errors = options.max_errors.value_or(100000);  // Redshift's largest MAXERROR
  load.source = options.source;
  load.full_refresh = options.full_refresh;
  load.arguments = options.arguments;
  std::map<std::string, std::string> overrides;
  for (const std::string& key : settings.cfg().Keys("REDSHIFT")) {
    std::string lower;
    for (char c : key)
      lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (!lower.ends_with("_dist")) continue;
    overrides[lower.substr(0, lower.size() - 5)] = settings.cfg().Get("REDSHIFT", key).value_or("");
  }
  SPARKIFY_ASSIGN_OR_RETURN(load.table_attributes, sql::RedshiftTableAttributes(overrides));
  return load;
}

void PrintRedshiftPlan(const std::vector<pipeline::EtlStep>& steps) {
  std::cout << "-- sparkify etl --dry-run: nothing is loaded or changed\n"
               "-- a first load: the cluster reads S3 itself (COPY); later runs COPY only new\n"
               "-- event files (sparkify status shows which); steps, in one transaction, for "
               "redshift:\n"
               "begin;\n";
  for (const auto& step : steps) {
    if (step.sql.empty()) {
      std::cout << "\n-- " << step.name << "\n-- " << step.description << '\n';
      continue;
    }
    std::string_view sql = step.sql;
    while (!sql.empty() && (sql.front() == '\n' || sql.front() == ' ')) sql.remove_prefix(1);
    while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ')) sql.remove_suffix(1);
    std::cout << "\n-- " << step.name << '\n' << sql << (sql.ends_with(';') ? "\n" : ";\n");
  }
  std::cout << "\ncommit;\n";
}

// The sources, limits and transform of a run: flags > environment > dwh.cfg.
Result<pipeline::EtlOptions> ResolveEtlOptions(const config::SettingsResolver& settings,
                                               const EtlFlags& flags) {
  config::Resolved songs =
      settings.Get(flags.songs, "--songs", "SPARKIFY_SONGS", "S3", "SONG_DATA");
  config::Resolved events =
      settings.Get(flags.events, "--events", "SPARKIFY_EVENTS", "S3", "LOG_DATA");
  if (!songs.value || !events.value) {
    return Error::InvalidArgument(
        std::string("no ") + (!songs.value ? "song" : "event") +
        " data given: pass --songs DIR and --events DIR, or set SONG_DATA and LOG_DATA in the "
        "[S3] section of dwh.cfg");
  }
  pipeline::EtlOptions options;
  options.songs = *songs.value;
  options.events = *events.value;
  log::Verbose("songs from " + options.songs + " (" + songs.origin + "), events from " +
               options.events + " (" + events.origin + ")");
  config::Resolved max_errors = settings.Get(flags.max_errors, "--max-errors",
                                             "SPARKIFY_MAX_ERRORS", "SPARKIFY", "MAX_ERRORS");
  if (max_errors.value) {
    SPARKIFY_ASSIGN_OR_RETURN(int64_t n, config::ParseCount(max_errors, "max-errors"));
    options.max_errors = static_cast<uint64_t>(n);
  }
  if (flags.transform == "sql") {
    options.transform = pipeline::Transform::kSql;
  } else if (flags.transform != "direct") {
    return Error::InvalidArgument("--transform must be direct or sql, got \"" + flags.transform +
                                  "\"");
  }
  options.keep_staging = flags.keep_staging;
  options.full_refresh = flags.full_refresh;
  options.source.s3_no_sign_request = flags.no_sign_request;
  if (flags.endpoint_url) options.source.s3_endpoint_url = *flags.endpoint_url;
  config::Resolved concurrency =
      settings.Get(std::nullopt, "", "SPARKIFY_S3_CONCURRENCY", "SPARKIFY", "S3_CONCURRENCY", "16");
  SPARKIFY_ASSIGN_OR_RETURN(int64_t n, config::ParseCount(concurrency, "S3 concurrency"));
  options.source.s3_concurrency = static_cast<int>(std::min<int64_t>(n, 256));
  return options;
}

// The run's command line as the runs table keeps it: resolved values, no secrets (the target
// as Engine::Describe shows it, passwords removed).
std::string DescribeArguments(const pipeline::EtlOptions& o, const std::string& target) {
  std::string a = "etl --songs " + o.songs + " --events " + o.events + " --target " + target +
                  " --threads " + std::to_string(o.threads);
  if (o.transform == pipeline::Transform::kSql) a += " --transform sql";
  if (o.keep_staging) a += " --keep-staging";
  if (o.full_refresh) a += " --full-refresh";
  if (o.max_errors) a += " --max-errors " + std::to_string(*o.max_errors);
  return a;
}

// The files of each category (pipeline/manifest.hpp), each line starting with `prefix`: for
// status and etl --plan, and as SQL comments in etl --dry-run.
void PrintFileCategories(std::ostream& out, const pipeline::LoadPlan& plan,
                         const std::vector<source::SourceFile>& song_files,
                         const std::vector<source::SourceFile>& event_files,
                         std::string_view prefix) {
  auto line = [&](const char* what, const pipeline::FileChanges& c, size_t listed) {
    out << prefix
        << fmt::format(
               "{:<7} {} listed: {} new, {} changed, {} unchanged, {} same content as a "
               "loaded file; {} loaded but not listed (kept), {} unreadable\n",
               what, log::WithThousands(listed), log::WithThousands(c.fresh.size()),
               log::WithThousands(c.changed.size()), log::WithThousands(c.unchanged.size()),
               log::WithThousands(c.same_content.size()), log::WithThousands(c.kept.size()),
               log::WithThousands(c.unreadable.size()));
  };
  line("songs:", plan.songs, song_files.size());
  line("events:", plan.events, event_files.size());
  out << prefix << "next etl: " << pipeline::LoadModeName(plan.mode) << " (" << plan.reason
      << ")\n";
  constexpr size_t kShown = 20;
  auto more = [&](size_t n) {
    if (n > kShown) out << prefix << "  ... and " << log::WithThousands(n - kShown) << " more\n";
  };
  auto files = [&](const char* tag, const std::vector<size_t>& indices,
                   const std::vector<source::SourceFile>& listing) {
    for (size_t i = 0; i < indices.size() && i < kShown; ++i)
      out << prefix << "  " << tag << ' ' << listing[indices[i]].uri << '\n';
    more(indices.size());
  };
  for (const auto& [changes, listing] :
       {std::pair{&plan.songs, &song_files}, std::pair{&plan.events, &event_files}}) {
    files("new       ", changes->fresh, *listing);
    files("changed   ", changes->changed, *listing);
    for (size_t i = 0; i < changes->same_content.size() && i < kShown; ++i) {
      const pipeline::SameContent& s = changes->same_content[i];
      out << prefix << "  same      " << (*listing)[s.index].uri << " (already loaded as "
          << s.loaded_as << ")\n";
    }
    more(changes->same_content.size());
    for (size_t i = 0; i < changes->kept.size() && i < kShown; ++i) {
      const pipeline::ManifestEntry& e = changes->kept[i];
      out << prefix << "  kept      " << e.file << " (last read from " << e.location << ")\n";
    }
    more(changes->kept.size());
    for (const pipeline::Unreadable& u : changes->unreadable)
      out << prefix << "  unreadable " << u.entry.location << ": " << u.reason << '\n';
  }
}

// DuckDB's memory limit during etl unless MEMORY_LIMIT says otherwise: past it DuckDB writes
// row groups to the database file and spills its aggregates (docs/BENCHMARKS.md, memory: 128 MB
// loads L as fast as 256 MB and peaks ~170 MB lower; 64 MB ran out in the aggregate dim_time
// used until session 14).
constexpr std::string_view kEtlMemoryLimit = "128MB";
// DuckDB's memory limit while a full direct load streams the event files in, unless
// MEMORY_LIMIT is set (pipeline::EtlOptions::load_memory_limit, less what the song index holds;
// the song tables and the commit then run under limits of their own, pipeline/etl_stages.hpp,
// and the transform under kEtlMemoryLimit, or the limit below):
// a higher limit only keeps blocks already written cached (docs/BENCHMARKS.md: L's event
// staging at one thread peaks ~120 MB lower, as fast).
constexpr std::string_view kLoadMemoryLimit = "32MB";
// ... and while a full direct load runs its transform: the users and dim_time's distinct times
// go in, each through one load (docs/BENCHMARKS.md: session 12, XL at 147 / 171 MB at one / two
// threads under 40 MB; session 14, dim_time's times merged by sparkify instead of aggregated by
// DuckDB over the loaded plays, so appended only; session 17, L's dim_time at one thread peaked
// at 103.5 MB under 40 MB and at 95 under 24, as fast).
constexpr std::string_view kTransformMemoryLimit = "24MB";

// `error` as etl reports it: DuckDB's out-of-memory error keeps its first line, and the advice
// that follows it (SQL settings a sparkify user cannot reach) becomes how to give etl more
// memory: MEMORY_LIMIT raised when it is `configured`, set when etl chose its own limits (the
// ones above). Any other error comes back as it was.
Error WithMemoryLimitAdvice(const Error& error, const std::optional<std::string>& configured) {
  const std::string text = error.ToString();
  const size_t oom = text.find("Out of Memory Error");
  if (error.code() != ErrorCode::kEngine || oom == std::string::npos) return error;
  std::string message =
      text.substr(0, text.find('\n', oom)) + "\nNothing was loaded: the run was rolled back. ";
  if (configured) {
    message += "DuckDB needed more than MEMORY_LIMIT (" + *configured +
               "): raise SPARKIFY_MEMORY_LIMIT or dwh.cfg [SPARKIFY] MEMORY_LIMIT (e.g. 1GB), or "
               "run with fewer --threads.";
  } else {
    message += fmt::format(
        "etl bounds DuckDB's memory by default ({} while the files stream in, {} or {} for the "
        "rest) and this load needed more: set SPARKIFY_MEMORY_LIMIT or dwh.cfg [SPARKIFY] "
        "MEMORY_LIMIT (e.g. 1GB) to run it under that limit throughout.",
        kLoadMemoryLimit, kTransformMemoryLimit, kEtlMemoryLimit);
  }
  Error advised(error.code(), std::move(message));
  advised.sqlstate = error.sqlstate;
  return advised;
}

// sparkify status / etl --plan.
void PrintLoadStatus(const pipeline::LoadStatus& status, const std::string& target) {
  std::cout << "target: " << target << '\n';
  if (!status.loaded_before) std::cout << "nothing loaded yet (no load manifest)\n";
  PrintFileCategories(std::cout, status.plan, status.song_files, status.event_files, "");
  if (!status.recent_runs.rows.empty()) {
    std::cout << "last runs:\n";
    analytics::WriteResult(std::cout, status.recent_runs, analytics::OutputFormat::kTable,
                           {log::StdoutColorEnabled()});
  }
}

// etl --dry-run on DuckDB or PostgreSQL: what the load manifest says of each listed file, when
// the target can be read without creating anything (a DuckDB file that exists, a server that
// answers); the steps above are those of a full load.
void PrintDryRunCategories(const config::SettingsResolver& settings, const EtlFlags& flags,
                           const pipeline::EtlOptions& options) {
  std::cout << "\n-- the files by what the load manifest says of them:\n";
  auto target = ResolveTarget(settings, flags.target);
  if (target.ok() && target->kind == config::Target::Kind::kDuckDb &&
      !std::filesystem::exists(target->location)) {
    std::cout << "-- " << target->location << " does not exist yet: every listed file is new\n";
    return;
  }
  auto engine = OpenTarget(settings, flags.target, 1);
  if (!engine.ok()) {
    std::cout << "-- the target could not be read (" << engine.error().message() << ")\n";
    return;
  }
  auto status = pipeline::InspectLoad(**engine, options);
  if (!status.ok()) {
    std::cout << "-- the load manifest could not be read (" << status.error().message() << ")\n";
    return;
  }
  if (!status->loaded_before) std::cout << "-- nothing loaded yet (no load manifest)\n";
  PrintFileCategories(std::cout, status->plan, status->song_files, status->event_files, "-- ");
}

int RunStatus(const config::SettingsResolver& settings, const EtlFlags& flags,
              const pipeline::EtlOptions& options) {
  auto engine = OpenTarget(settings, flags.target, options.threads);
  if (!engine.ok()) return ReportError(engine.error());
  pipeline::EtlOptions listing = options;
  if ((*engine)->dialect() == sql::Dialect::kRedshift) {
    auto load = RedshiftLoad(settings, options);
    if (!load.ok()) return ReportError(Error(load.error()).WithContext("status"));
    listing = pipeline::RedshiftListing(*load);
  }
  auto status = pipeline::InspectLoad(**engine, listing);
  if (!status.ok()) return ReportError(Error(status.error()).WithContext("status"));
  PrintLoadStatus(*status, (*engine)->Describe());
  return kExitOk;
}

int RunEtlCommand(const GlobalOptions& global, const EtlFlags& flags) {
  auto settings = LoadSettings(global);
  if (!settings.ok()) return ReportError(settings.error());
  auto format = analytics::ParseOutputFormat(flags.format);
  if (!format.ok()) return ReportError(format.error());
  auto resolved = ResolveEtlOptions(*settings, flags);
  if (!resolved.ok()) return ReportError(resolved.error());
  pipeline::EtlOptions& options = *resolved;
  // Before --dry-run too: the plan shows the statements the run's thread count selects.
  auto threads = ResolveThreads(*settings, flags.target);
  if (!threads.ok()) return ReportError(threads.error());
  options.threads = *threads;
  if (flags.dry_run) {
    auto dialect = ResolveDialect(*settings, flags.target);
    if (!dialect.ok()) return ReportError(dialect.error());
    if (*dialect == sql::Dialect::kRedshift) {
      auto load = RedshiftLoad(*settings, options);
      if (!load.ok()) return ReportError(Error(load.error()).WithContext("etl --dry-run"));
      PrintRedshiftPlan(pipeline::PlanRedshiftEtl(*load));
      return kExitOk;
    }
    auto plan = pipeline::PlanEtl(options, *dialect);
    if (!plan.ok()) return ReportError(Error(plan.error()).WithContext("etl --dry-run"));
    PrintPlan(*plan, options, *dialect);
    PrintDryRunCategories(*settings, flags, options);
    return kExitOk;
  }
  if (flags.plan) return RunStatus(*settings, flags, options);
  // etl bounds DuckDB's memory by default: a load holds its uncommitted row groups in DuckDB's
  // buffer pool, which would otherwise grow with the input (docs/BENCHMARKS.md, memory).
  auto engine = OpenTarget(*settings, flags.target, *threads, kEtlMemoryLimit);
  if (!ConfiguredMemoryLimit(*settings)) {
    // etl's own limits; with MEMORY_LIMIT set, that limit throughout.
    options.load_memory_limit = kLoadMemoryLimit;
    options.transform_memory_limit = kTransformMemoryLimit;
  }
  if (!engine.ok()) return ReportError(engine.error());
  options.arguments = DescribeArguments(options, (*engine)->Describe());

  Result<pipeline::EtlReport> report = Error::Internal("etl did not run");
  if ((*engine)->dialect() == sql::Dialect::kRedshift) {
    auto load = RedshiftLoad(*settings, options);
    if (!load.ok()) return ReportError(Error(load.error()).WithContext("etl"));
    report = pipeline::RunRedshiftEtl(**engine, *load);
  } else {
    report = pipeline::RunEtl(**engine, options);
  }
  if (!report.ok()) {
    return ReportError(
        WithMemoryLimitAdvice(report.error(), ConfiguredMemoryLimit(*settings)).WithContext("etl"));
  }
  if (report->plan.mode == pipeline::LoadMode::kNothing) {
    log::Info(fmt::format("run {}: nothing to load, {} is up to date", report->run_id,
                          (*engine)->Describe()));
  } else {
    log::Info(fmt::format(
        "run {} ({}): loaded {} into {}: {} song rows, {} event rows, {} plays, {} rejected",
        report->run_id, pipeline::LoadModeName(report->plan.mode), options.events,
        (*engine)->Describe(), log::WithThousands(report->songs.rows),
        log::WithThousands(report->events.rows), log::WithThousands(report->plays_added),
        log::WithThousands(report->load_errors.size())));
  }
  if (flags.timings) {
    for (const auto& t : report->timings)
      std::cerr << fmt::format("PHASE {} {:.3f}\n", t.phase, t.seconds);
  }
  engine::QueryResult counts;
  counts.columns = {{"table_name", engine::ValueKind::kText},
                    {"row_count", engine::ValueKind::kInteger}};
  for (const auto& c : report->counts) counts.rows.push_back({c.table, std::to_string(c.rows)});
  analytics::WriteResult(std::cout, counts, *format, {log::StdoutColorEnabled()});
  if (flags.check) {
    // The load is committed first: a failed check exits 5 and leaves the data for inspection.
    // Check lines go to stderr so stdout keeps only the row counts in --format.
    std::cout.flush();
    return RunChecksCommand(**engine, *settings, flags.checks, CheckOutput::kLines, std::cerr,
                            log::ColorEnabled());
  }
  return kExitOk;
}

// Where the raw files are, for etl and status alike.
void AddSourceOptions(CLI::App& cmd, EtlFlags& flags) {
  cmd.add_option("--songs", flags.songs,
                 "Song files: a folder (searched recursively for *.json), a file, or "
                 "s3://bucket/prefix (env SPARKIFY_SONGS, dwh.cfg [S3] SONG_DATA)");
  cmd.add_option("--events", flags.events,
                 "Event log files (JSON Lines): a folder, a file or s3://bucket/prefix "
                 "(env SPARKIFY_EVENTS, dwh.cfg [S3] LOG_DATA)");
  cmd.add_flag("--no-sign-request", flags.no_sign_request,
               "Read s3:// locations anonymously (public buckets); no credentials needed");
  cmd.add_option("--endpoint-url", flags.endpoint_url,
                 "S3-compatible endpoint for s3:// locations, e.g. http://127.0.0.1:9000 "
                 "(MinIO, moto); path-style addressing (env AWS_ENDPOINT_URL_S3, "
                 "AWS_ENDPOINT_URL; docs/S3.md)");
}

}  // namespace

void AddEtlCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "etl",
      "Load song and event JSON into the star schema and print every table's row count. Only "
      "files the load manifest does not hold yet are loaded (sparkify status shows them); the "
      "whole run is one transaction.\n"
      "Example: sparkify etl --songs data/song_data --events data/log_data\n"
      "         sparkify etl --songs s3://udacity-dend/song_data --events "
      "s3://udacity-dend/log_data");
  auto flags = std::make_shared<EtlFlags>();
  AddTargetOptions(*cmd, flags->target);
  AddSourceOptions(*cmd, *flags);
  cmd->add_flag("--full-refresh", flags->full_refresh,
                "Rebuild the star from every listed file, whatever the load manifest holds "
                "(default: load only new files, append when exact, else rebuild)");
  cmd->add_flag("--plan", flags->plan,
                "Show what this run would load (new, changed, loaded and gone files, the mode) "
                "and the last runs, like `sparkify status`; change nothing");
  cmd->add_flag("--dry-run", flags->dry_run,
                "List the files a run would read and print the SQL it would run, in order; "
                "download, load and change nothing");
  cmd->add_option("--max-errors", flags->max_errors,
                  "Fail (exit 4, nothing committed) when more than N records are bad; "
                  "default: no limit, every bad record is kept in load_errors");
  cmd->add_option("--format", flags->format, "Row-count output: table, csv or json")
      ->capture_default_str();
  cmd->add_option("--transform", flags->transform,
                  "How the star is built: direct (in C++ while parsing; fastest) or sql (staging "
                  "tables, then the SQL transform). Both give the same star.")
      ->capture_default_str();
  cmd->add_flag("--keep-staging", flags->keep_staging,
                "With --transform direct, also fill staging_events and staging_songs "
                "(the sql transform always does)");
  cmd->add_flag("--timings", flags->timings,
                "Print per-phase timings (PHASE name seconds) on stderr");
  cmd->add_flag("--check", flags->check,
                "After loading, run `sparkify check` (lines on stderr; exit 5 when a check fails)");
  AddCheckOptions(*cmd, flags->checks);
  cmd->callback(
      [&global, &run, flags] { run = [&global, flags] { return RunEtlCommand(global, *flags); }; });
}

void AddStatusCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "status",
      "Show what the next etl would load: the new, changed, loaded and gone files of each "
      "source against the target's load manifest, the mode (full, incremental, rebuild or "
      "nothing) and the last runs. Changes nothing.\n"
      "Example: sparkify status --songs data/song_data --events data/log_data");
  auto flags = std::make_shared<EtlFlags>();
  AddTargetOptions(*cmd, flags->target);
  AddSourceOptions(*cmd, *flags);
  cmd->add_flag("--full-refresh", flags->full_refresh, "Plan a full refresh");
  cmd->callback([&global, &run, flags] {
    run = [&global, flags]() {
      flags->plan = true;
      return RunEtlCommand(global, *flags);
    };
  });
}

}  // namespace sparkify::cli
