#include "sparkify/iac/cluster_connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sparkify/aws/redshift.hpp"
#include "sparkify/engine/postgres/pg_connection.hpp"
#include "sparkify/engine/redshift/redshift_engine.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::iac {
namespace {

// One non-blocking connect, waited for at most `timeout`; 0 or an errno.
int ConnectWithin(const addrinfo* ai, std::chrono::milliseconds timeout) {
  int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) return errno;
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
  int err = 0;
  if (rc != 0 && errno != EINPROGRESS) {
    err = errno;
  } else if (rc != 0) {
    pollfd p{fd, POLLOUT, 0};
    int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready == 0) {
      err = ETIMEDOUT;
    } else if (ready < 0) {
      err = errno;
    } else {
      socklen_t len = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
  }
  ::close(fd);
  return err;
}

}  // namespace

Status ProbeTcp(const std::string& host, int port, std::chrono::milliseconds timeout) {
  const char* hostaddr = std::getenv("PGHOSTADDR");
  const bool by_address = hostaddr != nullptr && hostaddr[0] != '\0';
  const std::string target = by_address ? std::string(hostaddr) : host;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (by_address) hints.ai_flags = AI_NUMERICHOST;
  addrinfo* found = nullptr;
  const std::string where = host + ":" + std::to_string(port) +
                            (by_address ? " (address " + target + " from $PGHOSTADDR)" : "");
  int gai = ::getaddrinfo(target.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (gai != 0) {
    return Error::Unavailable("cannot resolve " + where + ": " + ::gai_strerror(gai));
  }
  int err = ETIMEDOUT;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    err = ConnectWithin(ai, timeout);
    if (err == 0) break;
  }
  ::freeaddrinfo(found);
  if (err == 0) return Status::Ok();
  std::string reason = err == ETIMEDOUT ? "timed out after " + std::to_string(timeout.count()) +
                                              " ms (a firewall or security group drops it?)"
                                        : std::strerror(err);
  return Error::Unavailable("no TCP connection to " + where + ": " + reason);
}

std::string ClusterLoginConnInfo(const std::string& host, int port, const ClusterLogin& login,
                                 std::chrono::milliseconds timeout) {
  std::string out;
  engine::AppendConnInfoPair(out, "host", host);
  engine::AppendConnInfoPair(out, "port", std::to_string(port));
  if (!login.db_name.empty()) engine::AppendConnInfoPair(out, "dbname", login.db_name);
  if (!login.user.empty()) engine::AppendConnInfoPair(out, "user", login.user);
  if (!login.password.empty()) engine::AppendConnInfoPair(out, "password", login.password);
  const long long seconds =
      std::max<long long>(2, std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
  engine::AppendConnInfoPair(out, "connect_timeout", std::to_string(seconds));
  return out;
}

ConnectionCheck CheckClusterConnection(const std::string& host, int port, const ClusterLogin& login,
                                       std::chrono::milliseconds timeout) {
  ConnectionCheck check;
  check.address = host + ":" + std::to_string(port);
  Status tcp = ProbeTcp(host, port, timeout);
  check.tcp_ok = tcp.ok();
  if (!tcp.ok()) {
    check.tcp_detail = tcp.error().message();
    return check;
  }
  check.login_tried = true;
  Result<std::unique_ptr<engine::Engine>> engine =
      engine::OpenRedshift(ClusterLoginConnInfo(host, port, login, timeout));
  if (!engine.ok()) {
    check.login_error = engine.error().code();
    check.login_detail = engine.error().message();
    return check;
  }
  Result<engine::QueryResult> version =
      (*engine)->Query(sql::Render(sql::Stmt::kServerVersion, (*engine)->dialect()));
  if (!version.ok()) {
    check.login_error = version.error().code();
    check.login_detail = version.error().message();
    return check;
  }
  check.login_ok = true;
  check.login_detail = !version->rows.empty() && !version->rows[0].empty() && version->rows[0][0]
                           ? *version->rows[0][0]
                           : std::string("(no version reported)");
  return check;
}

TemporaryLogin::TemporaryLogin(ApiCaller& api, std::string identifier, std::string db_name,
                               std::string user, std::chrono::seconds duration, Clock clock)
    : api_(api),
      identifier_(std::move(identifier)),
      db_name_(std::move(db_name)),
      user_(std::move(user)),
      duration_(duration),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })) {}

Result<ClusterLogin> TemporaryLogin::Get() {
  if (duration_.count() < 900 || duration_.count() > 3600) {
    return Error::InvalidArgument("temporary database credentials last 900-3600 s, not " +
                                  std::to_string(duration_.count()));
  }
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = clock_();
  if (cached_ && now + margin_ < expires_) return *cached_;
  ++requests_;
  Result<std::string> body =
      api_.Call("redshift", aws::redshift::GetClusterCredentialsParams(
                                user_, db_name_, identifier_, static_cast<int>(duration_.count())));
  if (!body.ok()) {
    return body.take_error().WithContext("getting temporary database credentials for " + user_ +
                                         " (IAM authentication; needs "
                                         "redshift:GetClusterCredentials)");
  }
  SPARKIFY_ASSIGN_OR_RETURN(aws::redshift::ClusterCredentials c,
                            aws::redshift::ParseClusterCredentials(*body));
  cached_ = ClusterLogin{db_name_, c.db_user, c.db_password,
                         "IAM authentication (temporary credentials from GetClusterCredentials)"};
  // Counted from the request, not from AWS's Expiration: no clock skew can make it later.
  expires_ = now + duration_;
  return *cached_;
}

bool UsesIamAuth(const config::IniFile& cfg, bool iam_auth) {
  if (iam_auth) return true;
  std::optional<std::string> pw = cfg.Get("CLUSTER", "DB_PASSWORD");
  const char* env = std::getenv("PGPASSWORD");
  return (!pw || pw->empty()) && (env == nullptr || env[0] == '\0');
}

Result<ClusterLogin> ResolveClusterLogin(ApiCaller& api, const config::IniFile& cfg,
                                         const std::string& identifier,
                                         const std::string& default_db,
                                         const std::string& default_user, bool iam_auth) {
  auto get = [&cfg](const char* key, const std::string& fallback) {
    std::optional<std::string> v = cfg.Get("CLUSTER", key);
    return v && !v->empty() ? *v : fallback;
  };
  ClusterLogin login;
  login.db_name = get("DB_NAME", default_db);
  login.user = get("DB_USER", default_user);
  if (!UsesIamAuth(cfg, iam_auth)) {
    login.password = get("DB_PASSWORD", "");
    login.how = login.password.empty() ? "$PGPASSWORD" : "[CLUSTER] DB_PASSWORD";
    return login;
  }
  TemporaryLogin temporary(api, identifier, login.db_name, login.user);
  return temporary.Get();
}

Result<std::string> IamAuthConnInfo(ApiCaller& api, const config::IniFile& cfg,
                                    std::chrono::milliseconds connect_timeout) {
  auto get = [&cfg](const char* section, const char* key) {
    std::optional<std::string> v = cfg.Get(section, key);
    return v && !v->empty() ? *v : std::string();
  };
  std::string id = get("DWH", "DWH_CLUSTER_IDENTIFIER");
  if (id.empty()) id = "dwhCluster";
  std::string host = get("CLUSTER", "HOST");
  std::string port_text = get("CLUSTER", "DB_PORT");
  std::string db = get("CLUSTER", "DB_NAME");
  std::string user = get("CLUSTER", "DB_USER");
  int port = 5439;
  if (host.empty() || db.empty() || user.empty()) {
    SPARKIFY_ASSIGN_OR_RETURN(aws::redshift::Cluster c, DescribeCluster(api, id));
    if (host.empty()) {
      host = c.endpoint_address;
      if (c.endpoint_port > 0) port = c.endpoint_port;
    }
    if (db.empty()) db = c.db_name;
    if (user.empty()) user = c.master_user;
    if (host.empty()) {
      return Error::Unavailable("cluster " + id + " has no endpoint yet (it is " + c.status + ")");
    }
  }
  if (!port_text.empty()) {
    try {
      port = std::stoi(port_text);
    } catch (const std::exception&) {
      return Error::Config("[CLUSTER] DB_PORT \"" + port_text + "\" is not a port number");
    }
  }
  TemporaryLogin temporary(api, id, db, user);
  SPARKIFY_ASSIGN_OR_RETURN(ClusterLogin login, temporary.Get());
  return ClusterLoginConnInfo(host, port, login, connect_timeout);
}

}  // namespace sparkify::iac
