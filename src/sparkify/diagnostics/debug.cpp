#include "sparkify/diagnostics/debug.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "sparkify/analytics/format.hpp"
#include "sparkify/aws/client.hpp"
#include "sparkify/aws/credentials.hpp"
#include "sparkify/aws/s3.hpp"
#include "sparkify/aws/sts.hpp"
#include "sparkify/config/settings.hpp"
#include "sparkify/config/target.hpp"
#include "sparkify/engine/open_engine.hpp"
#include "sparkify/iac/cluster.hpp"
#include "sparkify/iac/cluster_connection.hpp"
#include "sparkify/source/source.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::diagnostics {
namespace {

using Clock = std::chrono::steady_clock;

// "PostgreSQL 15.4 (Debian ...) on x86_64 ..." -> "PostgreSQL 15.4"; "v1.4.4" stays.
std::string ShortVersion(const std::string& v) {
  size_t first = v.find(' ');
  if (first == std::string::npos) return v;
  size_t second = v.find(' ', first + 1);
  return v.substr(0, second);
}

CheckLine Ok(std::string name, std::string detail) {
  return {std::move(name), CheckStatus::kOk, std::move(detail), "", 0};
}
CheckLine Fail(std::string name, std::string reason, std::string hint) {
  return {std::move(name), CheckStatus::kFail, std::move(reason), std::move(hint), 0};
}
CheckLine Skip(std::string name, std::string why) {
  return {std::move(name), CheckStatus::kSkip, std::move(why), "", 0};
}

// Runs `check` and records how long it took.
template <typename F>
void Run(DebugReport& report, F check) {
  const auto start = Clock::now();
  CheckLine line = check();
  line.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  report.checks.push_back(std::move(line));
}

std::string HintFor(const Error& e, const std::string& what) {
  switch (e.code()) {
    case ErrorCode::kAuth:
      return "the credentials were rejected: check " + what;
    case ErrorCode::kNotFound:
      return "it does not exist: check the name, or create it";
    case ErrorCode::kConfig:
      return "fix the configuration named above";
    case ErrorCode::kUnavailable:
      return "not reachable: is it running, are host and port right, does a firewall or "
             "security group let this machine in?";
    default:
      return "see the reason above; -v shows more";
  }
}

// libpq's connect_timeout, unless the connection string sets one.
std::string WithConnectTimeout(std::string conninfo, std::chrono::milliseconds timeout) {
  if (conninfo.find("connect_timeout") != std::string::npos) return conninfo;
  const std::string seconds = std::to_string(
      std::max<long long>(2, std::chrono::duration_cast<std::chrono::seconds>(timeout).count()));
  if (conninfo.find("://") != std::string::npos) {
    return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") +
           "connect_timeout=" + seconds;
  }
  return conninfo + (conninfo.empty() ? "" : " ") + "connect_timeout=" + seconds;
}

CheckLine CheckDuckDbFile(const std::string& path) {
  std::error_code ec;
  if (path == ":memory:") return Ok("target", "in-memory DuckDB (nothing to open)");
  if (!std::filesystem::exists(path, ec)) {
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (parent.empty()) parent = ".";
    if (!std::filesystem::is_directory(parent, ec)) {
      return Fail("target",
                  "DuckDB file " + path + " does not exist and its folder " + parent.string() +
                      " does not either",
                  "create the folder, or point --target at another duckdb:PATH");
    }
    if (::access(parent.c_str(), W_OK) != 0) {
      return Fail("target",
                  "DuckDB file " + path + " does not exist and folder " + parent.string() +
                      " is not writable",
                  "choose a writable folder for --target duckdb:PATH");
    }
    return Ok("target",
              "DuckDB file " + path + " does not exist yet; it would be created (folder writable)");
  }
  Result<std::unique_ptr<engine::Engine>> engine =
      engine::OpenEngine(config::Target{config::Target::Kind::kDuckDb, path, false}, {});
  if (!engine.ok()) {
    return Fail("target", engine.error().message(),
                "is another sparkify using it, or is it not a DuckDB file?");
  }
  Result<engine::QueryResult> v =
      (*engine)->Query(sql::Render(sql::Stmt::kServerVersion, (*engine)->dialect()));
  if (!v.ok()) return Fail("target", v.error().message(), "is it a DuckDB database file?");
  std::string version =
      !v->rows.empty() && !v->rows[0].empty() && v->rows[0][0] ? *v->rows[0][0] : std::string("?");
  return Ok("target", "DuckDB file " + path + " opens (DuckDB " + version + ")");
}

CheckLine CheckServer(const config::Target& target, const std::string& conninfo,
                      const std::string& shown, std::chrono::milliseconds timeout) {
  config::Target t = target;
  t.location = WithConnectTimeout(conninfo, timeout);
  Result<std::unique_ptr<engine::Engine>> engine = engine::OpenEngine(t, {});
  if (!engine.ok()) {
    return Fail("target", shown + ": " + engine.error().message(),
                HintFor(engine.error(),
                        "the user and password (dwh.cfg [CLUSTER], PGPASSWORD, "
                        "~/.pgpass)"));
  }
  Result<engine::QueryResult> v =
      (*engine)->Query(sql::Render(sql::Stmt::kServerVersion, (*engine)->dialect()));
  if (!v.ok()) return Fail("target", v.error().message(), "see the reason above");
  std::string version =
      !v->rows.empty() && !v->rows[0].empty() && v->rows[0][0] ? *v->rows[0][0] : std::string("?");
  return Ok("target",
            (*engine)->Describe() + " accepts connections (" + ShortVersion(version) + ")");
}

CheckLine CheckLocation(const std::string& name, const config::Resolved& where,
                        const DebugOptions& o) {
  if (!where.value || where.value->empty()) {
    return Fail(
        name, "no " + name + " location configured",
        "pass --" + name + " or set dwh.cfg [S3] " + (name == "songs" ? "SONG_DATA" : "LOG_DATA"));
  }
  const std::string& location = *where.value;
  if (!location.starts_with("s3://")) {
    source::SourceOptions so;
    Result<std::unique_ptr<source::Source>> src = source::OpenSource(location, so);
    if (!src.ok()) return Fail(name, src.error().message(), "check the path");
    Result<std::vector<source::SourceFile>> files = (*src)->List();
    if (!files.ok()) return Fail(name, files.error().message(), "check the path");
    if (files->empty()) {
      return Fail(name, location + " holds no .json files", "check the path");
    }
    return Ok(name, location + ": " + std::to_string(files->size()) + " files, e.g. " +
                        files->front().uri);
  }
  // One key of the listing, with the client's own retries and timeouts bounded.
  Result<aws::S3Uri> uri = aws::ParseS3Uri(location);
  if (!uri.ok()) return Fail(name, uri.error().message(), "write s3://bucket/prefix");
  Result<aws::SharedConfig> shared = aws::SharedConfig::Load();
  if (!shared.ok()) return Fail(name, shared.error().message(), "fix the AWS configuration");
  aws::S3Config config;
  Status env = aws::ApplyEnvironment(*shared, config.client);
  if (!env.ok()) return Fail(name, env.error().message(), "fix the setting named above");
  config.client.retry.max_attempts = std::min(config.client.retry.max_attempts, 2);
  config.client.http.connect_timeout = std::min(config.client.http.connect_timeout, o.timeout);
  config.client.http.read_timeout = std::min(config.client.http.read_timeout, o.timeout);
  std::string how = "anonymous (--no-sign-request)";
  if (!o.no_sign_request) {
    Result<aws::Credentials> c = aws::ResolveCredentials(*shared);
    if (!c.ok()) {
      return Fail(name, c.error().message(),
                  "provide AWS credentials, or --no-sign-request for a public bucket");
    }
    how = "signed, credentials from " + c->source;
    config.client.credentials = std::move(c).value();
  }
  config.client.region = aws::ResolveRegion(*shared).value;
  config.endpoint_url = aws::ResolveEndpointUrl(*shared, "S3", o.endpoint_url).value;
  Result<std::unique_ptr<aws::S3Client>> client = aws::S3Client::Create(std::move(config));
  if (!client.ok()) return Fail(name, client.error().message(), "fix the endpoint URL");
  Result<aws::ListPage> page = (*client)->ListObjectsV2(uri->bucket, uri->key, "", 1);
  if (!page.ok()) {
    return Fail(name, page.error().message(),
                HintFor(page.error(), "the AWS credentials (or --no-sign-request)"));
  }
  if (page->objects.empty()) {
    return Fail(name, "nothing below " + location + " (" + how + ")",
                "check the bucket and prefix");
  }
  return Ok(name, location + " lists (" + how + "), e.g. s3://" + uri->bucket + "/" +
                      page->objects.front().key);
}

std::string Masked(const std::optional<std::string>& v) {
  return v && !v->empty() ? std::string("********") : std::string();
}

}  // namespace

bool DebugReport::ok() const {
  for (const CheckLine& c : checks) {
    if (c.status == CheckStatus::kFail) return false;
  }
  return true;
}

std::string MaskKeyId(const std::string& key_id) {
  if (key_id.size() <= 4) return std::string(key_id.size(), '*');
  return std::string(16, '*') + key_id.substr(key_id.size() - 4);
}

DebugReport RunDebug(const DebugOptions& o) {
  DebugReport report;
  const auto timeout = o.timeout;
  // 1. dwh.cfg
  std::string cfg_origin = !o.config_path.empty() ? "--config" : "default (./dwh.cfg)";
  if (o.config_path.empty()) {
    if (const char* e = std::getenv("SPARKIFY_CONFIG"); e != nullptr && e[0] != '\0') {
      cfg_origin = "$SPARKIFY_CONFIG";
    }
  }
  config::SettingsResolver settings(config::IniFile(), "dwh.cfg");
  Run(report, [&]() -> CheckLine {
    Result<config::SettingsResolver> loaded = config::SettingsResolver::Load(o.config_path);
    if (!loaded.ok()) {
      return Fail("config", loaded.error().message(),
                  "fix the file, or name another with --config");
    }
    settings = std::move(loaded).value();
    std::error_code ec;
    if (!std::filesystem::exists(settings.cfg_name(), ec)) {
      return Ok("config", "no " + settings.cfg_name() + ": built-in defaults and flags only");
    }
    return Ok("config", settings.cfg_name() + " parses");
  });
  const config::IniFile& cfg = settings.cfg();
  report.settings.push_back({"config file", settings.cfg_name(), cfg_origin});

  // Settings.
  config::Resolved target = settings.Get(o.target, "--target", "SPARKIFY_TARGET", "SPARKIFY",
                                         "TARGET", std::string(config::kDefaultTarget));
  config::Resolved songs = settings.Get(o.songs, "--songs", "SPARKIFY_SONGS", "S3", "SONG_DATA");
  config::Resolved events = settings.Get(o.events, "--events", "SPARKIFY_EVENTS", "S3", "LOG_DATA");
  report.settings.push_back({"target", config::RedactTarget(*target.value), target.origin});
  report.settings.push_back({"songs", songs.value.value_or(""), songs.origin});
  report.settings.push_back({"events", events.value.value_or(""), events.origin});
  auto cfg_line = [&](const char* section, const char* key, bool secret) {
    std::optional<std::string> v = cfg.Get(section, key);
    std::string name = std::string("[") + section + "] " + key;
    report.settings.push_back({name, secret ? Masked(v) : v.value_or(""),
                               v ? settings.cfg_name() + " " + name : "not set"});
  };
  for (const char* key : {"HOST", "DB_PORT", "DB_NAME", "DB_USER"}) cfg_line("CLUSTER", key, false);
  cfg_line("CLUSTER", "DB_PASSWORD", true);
  cfg_line("IAM_ROLE", "ARN", false);
  const bool has_dwh = cfg.HasSection("DWH");
  if (has_dwh) cfg_line("DWH", "DWH_CLUSTER_IDENTIFIER", false);

  Result<aws::SharedConfig> shared = aws::SharedConfig::Load();
  aws::Setting region = iac::ResolveClusterRegion(cfg, settings.cfg_name(), o.region);
  std::optional<Result<aws::Credentials>> credentials;
  if (shared.ok()) {
    const char* profile_env = std::getenv("AWS_PROFILE")           ? "$AWS_PROFILE"
                              : std::getenv("AWS_DEFAULT_PROFILE") ? "$AWS_DEFAULT_PROFILE"
                                                                   : "default";
    report.settings.push_back({"aws profile", shared->profile(), profile_env});
    credentials = aws::ResolveCredentials(*shared);
    if (credentials->ok()) {
      report.settings.push_back(
          {"aws access key id", MaskKeyId((*credentials)->access_key_id), (*credentials)->source});
      report.settings.push_back({"aws secret access key", "********", (*credentials)->source});
    } else {
      report.settings.push_back({"aws access key id", "", "not found"});
    }
    aws::Setting endpoint = aws::ResolveEndpointUrl(*shared, "S3", o.endpoint_url);
    report.settings.push_back({"aws endpoint (s3)", endpoint.value, endpoint.origin});
  }
  report.settings.push_back({"aws region", region.value, region.origin});

  // 2. The target.
  Run(report, [&]() -> CheckLine {
    Result<config::Target> t = config::ParseTarget(*target.value);
    if (!t.ok()) return Fail("target", t.error().message(), "fix --target / SPARKIFY_TARGET");
    if (t->kind == config::Target::Kind::kDuckDb) return CheckDuckDbFile(t->location);
    std::string conninfo = t->location;
    if (t->from_cluster_section) {
      if (t->kind == config::Target::Kind::kRedshift && iac::UsesIamAuth(cfg, false)) {
        // IAM authentication: temporary credentials first (GetClusterCredentials).
        Result<std::unique_ptr<iac::ApiCaller>> aws_api = iac::OpenAwsApi(region.value, timeout);
        if (!aws_api.ok()) {
          return Fail("target", aws_api.error().message(),
                      "IAM authentication needs AWS credentials (or set [CLUSTER] DB_PASSWORD)");
        }
        Result<std::string> iam = iac::IamAuthConnInfo(**aws_api, cfg, timeout);
        if (!iam.ok()) {
          return Fail("target", "IAM authentication: " + iam.error().message(),
                      HintFor(iam.error(), "redshift:GetClusterCredentials for your AWS identity"));
        }
        return CheckServer(*t, *iam, "redshift: (IAM authentication)", timeout);
      }
      Result<std::string> c = config::ClusterConnInfo(cfg, settings.cfg_name());
      if (!c.ok()) return Fail("target", c.error().message(), "fill in dwh.cfg [CLUSTER]");
      conninfo = *c;
    }
    return CheckServer(*t, conninfo, config::RedactTarget(*target.value), timeout);
  });

  // 3. The sources.
  Run(report, [&] { return CheckLocation("songs", songs, o); });
  Run(report, [&] { return CheckLocation("events", events, o); });

  // 4. The AWS identity, when anything configured needs AWS.
  const bool needs_aws = (songs.value && songs.value->starts_with("s3://")) ||
                         (events.value && events.value->starts_with("s3://")) ||
                         target.value->starts_with("redshift") || has_dwh;
  std::unique_ptr<iac::ApiCaller> api;
  Run(report, [&]() -> CheckLine {
    if (!needs_aws) return Skip("aws identity", "nothing configured needs AWS");
    if (!shared.ok()) return Fail("aws identity", shared.error().message(), "fix the profile");
    if (o.no_sign_request && !has_dwh && !target.value->starts_with("redshift")) {
      return Skip("aws identity", "--no-sign-request: S3 is read anonymously");
    }
    Result<std::unique_ptr<iac::ApiCaller>> opened = iac::OpenAwsApi(region.value, timeout);
    if (!opened.ok()) {
      return Fail("aws identity", opened.error().message(),
                  "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile");
    }
    api = std::move(opened).value();
    Result<std::string> body = api->Call("sts", aws::sts::GetCallerIdentityParams());
    if (!body.ok()) {
      return Fail("aws identity", body.error().message(),
                  HintFor(body.error(), "the access key and secret"));
    }
    Result<aws::sts::CallerIdentity> id = aws::sts::ParseGetCallerIdentity(*body);
    if (!id.ok()) return Fail("aws identity", id.error().message(), "");
    return Ok("aws identity", "account " + id->account + ", " + id->arn);
  });

  // 5. The cluster, when dwh.cfg describes one.
  if (!has_dwh) {
    Run(report, [] { return Skip("cluster", "dwh.cfg has no [DWH] section"); });
    return report;
  }
  std::optional<aws::redshift::Cluster> cluster;
  const std::string id = cfg.Get("DWH", "DWH_CLUSTER_IDENTIFIER").value_or("dwhCluster");
  Run(report, [&]() -> CheckLine {
    if (!api) return Skip("cluster", "needs the AWS identity, which failed");
    Result<aws::redshift::Cluster> c = iac::DescribeCluster(*api, id);
    if (!c.ok()) {
      return Fail("cluster", c.error().message(),
                  c.error().code() == ErrorCode::kNotFound ? "sparkify cluster create"
                                                           : HintFor(c.error(), "AWS access"));
    }
    cluster = *c;
    if (c->status != "available" || c->endpoint_address.empty()) {
      return Fail("cluster", "cluster " + id + " is " + c->status,
                  "wait until it is available (sparkify cluster status)");
    }
    return Ok("cluster", "cluster " + id + " is available at " + c->endpoint_address + ":" +
                             std::to_string(c->endpoint_port));
  });
  Run(report, [&]() -> CheckLine {
    const std::string name = "cluster database";
    if (!cluster || cluster->status != "available") {
      return Skip(name, "the cluster is not available");
    }
    Result<iac::ClusterLogin> login = iac::ResolveClusterLogin(
        *api, cfg, id, cluster->db_name, cluster->master_user, /*iam_auth=*/false);
    if (!login.ok()) return Fail(name, login.error().message(), HintFor(login.error(), "IAM"));
    iac::ConnectionCheck check = iac::CheckClusterConnection(
        cluster->endpoint_address, cluster->endpoint_port, *login, timeout);
    if (!check.tcp_ok) {
      return Fail(name, check.tcp_detail,
                  "open the port to this machine: sparkify cluster create --cidr YOUR.IP/32");
    }
    if (!check.login_ok) {
      return Fail(name,
                  "login as " + login->user + " (" + login->how + ") failed: " + check.login_detail,
                  check.login_error == ErrorCode::kAuth
                      ? "check [CLUSTER] DB_USER and DB_PASSWORD, or use IAM authentication"
                      : HintFor(Error(check.login_error, ""), "[CLUSTER] DB_USER/DB_PASSWORD"));
    }
    return Ok(name, check.address + " accepts " + login->user + " (" + login->how +
                        "): " + check.login_detail);
  });
  return report;
}

std::string FormatText(const DebugReport& report) {
  std::string out = "settings:\n";
  size_t width = 0;
  for (const SettingLine& s : report.settings) width = std::max(width, s.name.size());
  for (const SettingLine& s : report.settings) {
    out += "  " + s.name + std::string(width - s.name.size() + 2, ' ') +
           (s.value.empty() ? std::string("(not set)") : s.value) +
           (s.origin == "not set" ? std::string() : "  [" + s.origin + "]") + "\n";
  }
  out += "checks:\n";
  int failed = 0;
  for (const CheckLine& c : report.checks) {
    const char* tag = c.status == CheckStatus::kOk     ? "OK  "
                      : c.status == CheckStatus::kFail ? "FAIL"
                                                       : "SKIP";
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.1f s", c.seconds);
    out += std::string("  ") + tag + "  " + c.name + ": " + c.detail + " (" + secs + ")\n";
    if (c.status == CheckStatus::kFail) {
      ++failed;
      if (!c.hint.empty()) out += "        hint: " + c.hint + "\n";
    }
  }
  out += std::to_string(report.checks.size()) + " checks: " +
         (failed == 0 ? std::string("all passed") : std::to_string(failed) + " failed") + "\n";
  return out;
}

std::string FormatJson(const DebugReport& report) {
  using analytics::JsonQuote;
  std::string out = std::string("{\"ok\":") + (report.ok() ? "true" : "false") + ",\"settings\":[";
  for (size_t i = 0; i < report.settings.size(); ++i) {
    const SettingLine& s = report.settings[i];
    out += (i ? "," : "") + std::string("{\"name\":") + JsonQuote(s.name) +
           ",\"value\":" + JsonQuote(s.value) + ",\"origin\":" + JsonQuote(s.origin) + "}";
  }
  out += "],\"checks\":[";
  for (size_t i = 0; i < report.checks.size(); ++i) {
    const CheckLine& c = report.checks[i];
    const char* status = c.status == CheckStatus::kOk     ? "ok"
                         : c.status == CheckStatus::kFail ? "fail"
                                                          : "skip";
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.3f", c.seconds);
    out += (i ? "," : "") + std::string("{\"name\":") + JsonQuote(c.name) + ",\"status\":\"" +
           status + "\",\"detail\":" + JsonQuote(c.detail) + ",\"hint\":" + JsonQuote(c.hint) +
           ",\"seconds\":" + secs + "}";
  }
  out += "]}\n";
  return out;
}

}  // namespace sparkify::diagnostics
