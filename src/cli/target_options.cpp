#include "cli/target_options.hpp"

#include <thread>

#include "sparkify/common/log.hpp"
#include "sparkify/config/target.hpp"
#include "sparkify/engine/open_engine.hpp"
#include "sparkify/iac/cluster.hpp"
#include "sparkify/iac/cluster_connection.hpp"

namespace sparkify::cli {

void AddTargetOptions(CLI::App& command, TargetOptions& options) {
  command.add_option("--target", options.target,
                     "Warehouse: duckdb:PATH (default duckdb:sparkify.duckdb); "
                     "postgresql://USER@HOST:PORT/DB or any libpq connection string (PG* "
                     "variables and ~/.pgpass apply); postgresql: alone = the server in dwh.cfg "
                     "[CLUSTER] (HOST DB_PORT DB_NAME DB_USER DB_PASSWORD); redshift://... "
                     "(env SPARKIFY_TARGET, dwh.cfg [SPARKIFY] TARGET)");
  command.add_option("--threads", options.threads,
                     "Worker threads (default: all cores; env SPARKIFY_THREADS)");
  command.add_flag("--iam-auth", options.iam_auth,
                   "Redshift (--target redshift:): log in with temporary credentials from "
                   "GetClusterCredentials (the default when dwh.cfg [CLUSTER] DB_PASSWORD is "
                   "empty); the password is never printed or stored");
}

Result<config::SettingsResolver> LoadSettings(const GlobalOptions& global) {
  return config::SettingsResolver::Load(global.config_path);
}

Result<int> ResolveThreads(const config::SettingsResolver& settings, const TargetOptions& options) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  config::Resolved r = settings.Get(options.threads, "--threads", "SPARKIFY_THREADS", "SPARKIFY",
                                    "THREADS", std::to_string(cores));
  SPARKIFY_ASSIGN_OR_RETURN(int64_t n, config::ParseCount(r, "threads"));
  if (n < 1 || n > 256) {
    return Error::InvalidArgument("threads must be between 1 and 256 (from " + r.origin + ")");
  }
  return static_cast<int>(n);
}

Result<config::Target> ResolveTarget(const config::SettingsResolver& settings,
                                     const TargetOptions& options) {
  config::Resolved r = settings.Get(options.target, "--target", "SPARKIFY_TARGET", "SPARKIFY",
                                    "TARGET", std::string(config::kDefaultTarget));
  Result<config::Target> target = config::ParseTarget(*r.value);
  if (!target.ok()) return target.take_error().WithContext("target from " + r.origin);
  return target;
}

Result<sql::Dialect> ResolveDialect(const config::SettingsResolver& settings,
                                    const TargetOptions& options) {
  SPARKIFY_ASSIGN_OR_RETURN(config::Target target, ResolveTarget(settings, options));
  switch (target.kind) {
    case config::Target::Kind::kDuckDb:
      return sql::Dialect::kDuckDb;
    case config::Target::Kind::kPostgres:
      return sql::Dialect::kPostgres;
    case config::Target::Kind::kRedshift:
      return sql::Dialect::kRedshift;
  }
  return Error::Internal("unknown target kind");
}

std::optional<std::string> ConfiguredMemoryLimit(const config::SettingsResolver& settings) {
  return settings.Get(std::nullopt, "", "SPARKIFY_MEMORY_LIMIT", "SPARKIFY", "MEMORY_LIMIT").value;
}

Result<std::unique_ptr<engine::Engine>> OpenTarget(const config::SettingsResolver& settings,
                                                   const TargetOptions& options, int threads,
                                                   std::string_view default_memory_limit) {
  config::Resolved r = settings.Get(options.target, "--target", "SPARKIFY_TARGET", "SPARKIFY",
                                    "TARGET", std::string(config::kDefaultTarget));
  Result<config::Target> target = config::ParseTarget(*r.value);
  if (!target.ok()) return target.take_error().WithContext("target from " + r.origin);
  log::Verbose("target " + config::RedactTarget(*r.value) + " (from " + r.origin + ")");
  const bool redshift = target->kind == config::Target::Kind::kRedshift;
  if (redshift && (options.iam_auth ||
                   (target->from_cluster_section && iac::UsesIamAuth(settings.cfg(), false)))) {
    if (!target->from_cluster_section) {
      return Error::InvalidArgument(
          "--iam-auth needs --target redshift: (the cluster of dwh.cfg [CLUSTER] and [DWH]); a "
          "redshift:// URI names its own user and password");
    }
    std::string region = iac::ResolveClusterRegion(settings.cfg(), settings.cfg_name(), "").value;
    SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<iac::ApiCaller> api, iac::OpenAwsApi(region));
    Result<std::string> conninfo =
        iac::IamAuthConnInfo(*api, settings.cfg(), std::chrono::seconds(30));
    if (!conninfo.ok()) return conninfo.take_error().WithContext("IAM authentication");
    log::Verbose("target: IAM authentication (temporary credentials from GetClusterCredentials)");
    target->location = std::move(conninfo).value();
    target->from_cluster_section = false;
  } else if (target->from_cluster_section) {
    Result<std::string> conninfo = config::ClusterConnInfo(settings.cfg(), settings.cfg_name());
    if (!conninfo.ok()) return conninfo.take_error();
    target->location = std::move(conninfo).value();
  }
  engine::EngineOptions engine_options{threads};
  // A diagnostic knob for measuring COPY formats (docs/POSTGRES.md); binary is the default.
  config::Resolved copy_format = settings.Get(std::nullopt, "", "SPARKIFY_PG_COPY_FORMAT",
                                              "SPARKIFY", "PG_COPY_FORMAT", "binary");
  if (*copy_format.value == "text") {
    engine_options.pg_copy_format = sql::CopyFormat::kText;
  } else if (*copy_format.value != "binary") {
    return Error::InvalidArgument("PG_COPY_FORMAT must be binary or text, got \"" +
                                  *copy_format.value + "\" (from " + copy_format.origin + ")");
  }
  // DuckDB's memory limit: bounds the memory of a large load (docs/BENCHMARKS.md).
  engine_options.memory_limit =
      ConfiguredMemoryLimit(settings).value_or(std::string(default_memory_limit));
  return engine::OpenEngine(*target, engine_options);
}

Result<OpenedTarget> OpenTargetFor(const GlobalOptions& global, const TargetOptions& options) {
  SPARKIFY_ASSIGN_OR_RETURN(config::SettingsResolver settings, LoadSettings(global));
  SPARKIFY_ASSIGN_OR_RETURN(int threads, ResolveThreads(settings, options));
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                            OpenTarget(settings, options, threads));
  return OpenedTarget{std::move(settings), std::move(engine)};
}

}  // namespace sparkify::cli
