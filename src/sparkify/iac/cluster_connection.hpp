// Whether a Redshift cluster's database accepts connections (issue 17): `cluster status`
// and `sparkify debug` try the endpoint in two steps, so a failure says which part is wrong:
//   tcp    a TCP connection to endpoint:port (refused, timed out, name not resolved: the
//          cluster is not reachable from here -- security group, --cidr, VPC, DNS)
//   login  a libpq login with the given user and password and `select version()` (the
//          server rejected the credentials, or the database does not exist)
// Both are bounded by `timeout`. Like libpq, the TCP probe connects to $PGHOSTADDR when it is
// set (the name is then used for TLS only, and never looked up). The login uses TLS
// (sslmode=require) unless $PGSSLMODE says otherwise (engine/redshift).
// Secrets: the password is used for the login only; no detail or error carries it.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "sparkify/common/error.hpp"
#include "sparkify/config/ini_file.hpp"
#include "sparkify/iac/cluster.hpp"

namespace sparkify::iac {

struct ClusterLogin {
  std::string db_name;
  std::string user;
  std::string password;  // secret
  std::string how;       // where user and password came from, for people
};

struct ConnectionCheck {
  std::string address;  // "host:port"
  bool tcp_ok = false;
  std::string tcp_detail;  // the reason when !tcp_ok
  bool login_tried = false;
  bool login_ok = false;
  std::string login_detail;                      // the server's version when ok, else the reason
  ErrorCode login_error = ErrorCode::kInternal;  // when tried and not ok
};

// Connects to host:port within `timeout`; kUnavailable with the reason otherwise.
Status ProbeTcp(const std::string& host, int port, std::chrono::milliseconds timeout);

// The two steps above; the login is tried only when the TCP probe succeeds.
ConnectionCheck CheckClusterConnection(const std::string& host, int port, const ClusterLogin& login,
                                       std::chrono::milliseconds timeout);

// A libpq key=value string for `login` at host:port, with connect_timeout (seconds, at least
// 2 as libpq requires). Holds the password: never print it.
std::string ClusterLoginConnInfo(const std::string& host, int port, const ClusterLogin& login,
                                 std::chrono::milliseconds timeout);

// IAM authentication (issue 17: no database password on disk). Temporary database
// credentials from Redshift GetClusterCredentials, made with the caller's AWS credentials,
// for `user` of `db_name` on cluster `identifier`, valid `duration` (900-3600 s; anything
// else is kInvalidArgument). Get() returns the cached login while it has more than `margin`
// left and asks AWS again after that, so a long run that opens a connection after the first
// password expired gets a fresh one (a session already logged in stays valid: Redshift checks
// the password at login only). The password lives in memory only: never printed, logged or
// stored. Thread-safe (one mutex).
class TemporaryLogin {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  TemporaryLogin(ApiCaller& api, std::string identifier, std::string db_name, std::string user,
                 std::chrono::seconds duration = std::chrono::seconds(900), Clock clock = {});
  Result<ClusterLogin> Get();
  int requests() const { return requests_; }  // GetClusterCredentials calls so far

 private:
  ApiCaller& api_;
  std::string identifier_, db_name_, user_;
  std::chrono::seconds duration_;
  Clock clock_;
  std::chrono::seconds margin_{60};
  std::mutex mu_;
  std::optional<ClusterLogin> cached_;  // guarded by mu_
  std::chrono::system_clock::time_point expires_{};
  int requests_ = 0;
};

// Whether a Redshift login uses IAM authentication: `iam_auth` (--iam-auth), or dwh.cfg
// [CLUSTER] DB_PASSWORD empty or absent (and $PGPASSWORD unset).
bool UsesIamAuth(const config::IniFile& cfg, bool iam_auth);

// The login for the cluster's database: [CLUSTER] DB_NAME and DB_USER (else `default_db` and
// `default_user`, the cluster's own), with [CLUSTER] DB_PASSWORD, or -- UsesIamAuth --
// temporary credentials from `api` (900 s).
Result<ClusterLogin> ResolveClusterLogin(ApiCaller& api, const config::IniFile& cfg,
                                         const std::string& identifier,
                                         const std::string& default_db,
                                         const std::string& default_user, bool iam_auth);

// The libpq connection string of dwh.cfg's cluster under IAM authentication (target
// `redshift:` with an empty [CLUSTER] DB_PASSWORD, or --iam-auth): [CLUSTER] HOST and DB_PORT
// (else the endpoint DescribeClusters reports), DB_NAME and DB_USER (else the cluster's), and
// a temporary password for [DWH] DWH_CLUSTER_IDENTIFIER (default dwhCluster) from `login`'s
// GetClusterCredentials. Holds the temporary password: never print it.
Result<std::string> IamAuthConnInfo(ApiCaller& api, const config::IniFile& cfg,
                                    std::chrono::milliseconds connect_timeout);

}  // namespace sparkify::iac
