#include "sparkify/engine/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <regex>

#include "sparkify/common/log.hpp"
#include "sparkify/config/target.hpp"
#include "sparkify/engine/canonical.hpp"

namespace sparkify::engine {
namespace {

// Type OIDs from PostgreSQL's catalog/pg_type.dat (stable across versions; Redshift uses the
// same numbers for the types it has).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kDateOid = 1082;
constexpr Oid kTimestampOid = 1114;
constexpr Oid kTimestampTzOid = 1184;
constexpr Oid kNumericOid = 1700;

ValueKind KindOf(Oid type) {
  switch (type) {
    case kBoolOid:
      return ValueKind::kBoolean;
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      return ValueKind::kInteger;
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return ValueKind::kFloat;
    case kDateOid:
      return ValueKind::kDate;
    case kTimestampOid:
    case kTimestampTzOid:
      return ValueKind::kTimestamp;
    default:
      return ValueKind::kText;
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// PostgreSQL prints "2018-11-01 21:01:46", "…:46.79" or "…:46.796123" (trailing zeros cut),
// plus "+00" for timestamptz in a UTC session. The canonical form always has 3 or 6 fraction
// digits and no zone. Anything unusual (BC, infinity, years past 9999) is kept as printed.
std::string CanonicalTimestamp(std::string_view text) {
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':') {
    return std::string(text);
  }
  std::string_view rest = text.substr(19);
  std::string_view fraction;
  if (!rest.empty() && rest[0] == '.') {
    size_t n = 1;
    while (n < rest.size() && IsDigit(rest[n])) ++n;
    fraction = rest.substr(1, n - 1);
    rest.remove_prefix(n);
  }
  if (rest == "+00" || rest == "+00:00") rest = {};
  if (!rest.empty() || fraction.size() > 6) return std::string(text);
  std::string out(text.substr(0, 19));
  out += '.';
  out += fraction;
  out.append((fraction.size() <= 3 ? 3 : 6) - fraction.size(), '0');
  return out;
}

std::string CanonicalValue(Oid type, std::string_view text) {
  switch (type) {
    case kBoolOid:
      return text == "t" ? "true" : text == "f" ? "false" : std::string(text);
    case kFloat8Oid: {
      double d = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || end != text.data() + text.size()) return std::string(text);
      return FormatDouble(d);
    }
    case kFloat4Oid: {
      // As DuckDB prints a FLOAT: the double value of the float.
      float f = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), f);
      if (ec != std::errc() || end != text.data() + text.size()) return std::string(text);
      return FormatDouble(static_cast<double>(f));
    }
    case kTimestampOid:
    case kTimestampTzOid:
      return CanonicalTimestamp(text);
    default:
      return std::string(text);
  }
}

std::string TrimMessage(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  size_t start = out.find_first_not_of(' ');
  return start == std::string::npos ? std::string() : out.substr(start);
}

// libpq's text for a connection that broke: the server's last words, if they arrived
// ("FATAL:  terminating connection due to administrator command"), then libpq's own
// ("server closed the connection unexpectedly") and its boilerplate guess, on indented lines
// ("\tThis probably means the server terminated abnormally ..."), which is wrong when an
// administrator or a timeout ended the session. Keeps the first two, severity prefixes cut.
std::string DescribeLoss(std::string_view text) {
  std::string out;
  bool server_said = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line[0] == ' ' || line[0] == '\t') continue;
    for (std::string_view severity : {"FATAL:", "ERROR:", "PANIC:"}) {
      if (line.starts_with(severity)) {
        line.remove_prefix(severity.size());
        server_said = true;
      }
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (!out.empty()) out += "; ";
    out += line;
  }
  if (out.empty()) out = "no connection to the server";
  if (!server_said) out += " (the server stopped or restarted, or ended this session)";
  return out;
}

bool IsCommit(std::string_view sql) {
  while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ')) sql.remove_suffix(1);
  while (!sql.empty() && sql.front() == ' ') sql.remove_prefix(1);
  std::string lower;
  for (char c : sql) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower == "commit" || lower == "end" || lower == "commit transaction" ||
         lower == "commit work";
}

std::string RedactWith(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3)) {
      out.replace(pos, secret.size(), "***");
    }
  }
  return config::RedactTarget(out);
}

void AddSecret(std::vector<std::string>& secrets, std::string value) {
  if (value.empty()) return;
  if (std::find(secrets.begin(), secrets.end(), value) != secrets.end()) return;
  secrets.push_back(std::move(value));
  // Longest first, so that a secret containing another is replaced whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

// Passwords as they may appear in the raw string, before libpq decodes it: the userinfo of a
// URI and a password= parameter, percent-encoded or quoted as written.
void AddRawSecrets(std::string_view conninfo, std::vector<std::string>& secrets) {
  static const std::regex kUserinfo(R"(^[A-Za-z]+://[^:/@?]*:([^@/?]*)@)");
  static const std::regex kParam(R"((?:^|[?&\s])password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]*))",
                                 std::regex::icase);
  std::string s(conninfo);
  std::smatch m;
  if (std::regex_search(s, m, kUserinfo)) AddSecret(secrets, m[1].str());
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kParam); it != std::sregex_iterator();
       ++it) {
    std::string value = (*it)[1].str();
    AddSecret(secrets, value);
    if (value.size() >= 2 && value.front() == '\'') {
      AddSecret(secrets, value.substr(1, value.size() - 2));
    }
  }
}

void OnNotice(void* arg, const char* message) {
  const auto* secrets = static_cast<const std::vector<std::string>*>(arg);
  log::Verbose("postgres: " + RedactWith(TrimMessage(message), *secrets));
}

std::string PercentEncodeHost(std::string_view host) {
  if (host.empty() || host[0] != '/') return std::string(host);
  std::string out;
  for (char c : host) {
    if (c == '/') {
      out += "%2F";
    } else {
      out += c;
    }
  }
  return out;
}

// libpq reports a failed connection as text only; these phrases are the server's and libpq's
// wording in every supported version (auth.c, fe-connect.c).
ErrorCode ClassifyConnectFailure(PGconn* conn, const std::string& message) {
  if (PQconnectionNeedsPassword(conn) ||
      message.find("password authentication failed") != std::string::npos ||
      message.find("no password supplied") != std::string::npos ||
      message.find("authentication failed") != std::string::npos ||
      message.find("pg_hba.conf") != std::string::npos) {
    return ErrorCode::kAuth;
  }
  if (message.find("database \"") != std::string::npos &&
      message.find("does not exist") != std::string::npos) {
    return ErrorCode::kNotFound;
  }
  if (message.find("role \"") != std::string::npos &&
      message.find("does not exist") != std::string::npos) {
    return ErrorCode::kAuth;
  }
  return ErrorCode::kUnavailable;
}

}  // namespace

PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.release();
  }
  return *this;
}

Result<PgConnection> PgConnection::Connect(std::string_view conninfo) {
  auto secrets = std::make_unique<Secrets>();
  AddRawSecrets(conninfo, secrets->values);
  if (const char* env = std::getenv("PGPASSWORD")) AddSecret(secrets->values, env);
  const std::string info(conninfo);

  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(info.c_str(), &parse_error);
  if (options == nullptr) {
    std::string message = parse_error != nullptr ? TrimMessage(parse_error) : "out of memory";
    if (parse_error != nullptr) PQfreemem(parse_error);
    return Error::InvalidArgument("invalid PostgreSQL connection string: " +
                                  RedactWith(message, secrets->values));
  }
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && std::string_view(o->keyword) == "password") {
      AddSecret(secrets->values, o->val);
    }
  }
  PQconninfoFree(options);

  // Keywords before "dbname" are defaults the string may override; keywords after it win.
  // We send UTF-8, so client_encoding is not the user's to choose.
  std::vector<const char*> keys, values;
  if (std::getenv("PGCONNECT_TIMEOUT") == nullptr) {
    keys.push_back("connect_timeout");
    values.push_back("30");
  }
  // Over TCP, a server that vanished without closing the connection (a host gone, a NAT or
  // firewall that dropped the flow: AWS NAT gateways drop flows idle for 350 s) would leave a
  // statement waiting for hours, the kernel's keepalive defaults. Probe after 60 s of silence,
  // give up after 6 unanswered probes 10 s apart. The connection string may override these.
  keys.insert(keys.end(),
              {"keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count"});
  values.insert(values.end(), {"1", "60", "10", "6"});
  keys.insert(keys.end(), {"fallback_application_name", "dbname", "client_encoding", nullptr});
  values.insert(values.end(), {"sparkify", info.c_str(), "UTF8", nullptr});
  PgConnection conn(PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1),
                    std::move(secrets));
  if (conn.conn_ == nullptr) return Error::Internal("libpq could not allocate a connection");
  // The password libpq used may have come from ~/.pgpass.
  if (const char* used = PQpass(conn.conn_)) AddSecret(conn.secrets_->values, used);
  if (PQstatus(conn.conn_) != CONNECTION_OK) {
    std::string message = conn.LastMessage();
    ErrorCode code = ClassifyConnectFailure(conn.conn_, message);
    if (code == ErrorCode::kAuth && PQconnectionNeedsPassword(conn.conn_)) {
      message += " (the server wants a password: give it in the URI, PGPASSWORD or ~/.pgpass)";
    }
    return Error(code, "connecting to " + conn.Describe() + ": " + message);
  }
  PQsetNoticeProcessor(conn.conn_, OnNotice, &conn.secrets_->values);
  return conn;
}

PgConnection::PgConnection(PgConnection&& other) noexcept
    : conn_(other.conn_),
      secrets_(std::move(other.secrets_)),
      in_transaction_(other.in_transaction_),
      committing_(other.committing_) {
  other.conn_ = nullptr;
}

PgConnection& PgConnection::operator=(PgConnection&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = other.conn_;
    secrets_ = std::move(other.secrets_);
    in_transaction_ = other.in_transaction_;
    committing_ = other.committing_;
    other.conn_ = nullptr;
  }
  return *this;
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

std::string PgConnection::Describe() const {
  auto str = [](const char* s) { return std::string(s != nullptr ? s : ""); };
  std::string host = PercentEncodeHost(str(PQhost(conn_)));
  std::string port = str(PQport(conn_));
  std::string out = "postgresql://" + str(PQuser(conn_)) + "@" + host;
  if (!port.empty()) out += ":" + port;
  out += "/" + str(PQdb(conn_));
  return Redact(out);
}

std::string PgConnection::Redact(std::string_view text) const {
  static const std::vector<std::string> kNone;
  return RedactWith(text, secrets_ ? secrets_->values : kNone);
}

std::string PgConnection::LastMessage() const {
  std::string message = TrimMessage(PQerrorMessage(conn_));
  return Redact(message.empty() ? "unknown libpq error" : message);
}

Error PgConnection::ResultError(const PGresult* result) const {
  if (PQstatus(conn_) == CONNECTION_BAD) {
    // The server ends a session it lost and rolls back its open transaction
    // (https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-TERMINATION),
    // except that a COMMIT in flight may or may not have been applied.
    std::string message =
        "lost the connection to " + Describe() + ": " + Redact(DescribeLoss(PQerrorMessage(conn_)));
    if (committing_) {
      message +=
          "; the connection broke during COMMIT, so whether the transaction was committed "
          "is unknown";
    } else if (in_transaction_) {
      message +=
          "; the server rolls back the open transaction, so none of its changes were "
          "committed";
    }
    Error error = Error::Unavailable(std::move(message));
    if (const char* state =
            result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr) {
      error.sqlstate = state;
    }
    return error;
  }
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary == nullptr) return Error::Engine(LastMessage());
  std::string message = primary;
  if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
    message += std::string(" (") + detail + ")";
  }
  if (const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)) {
    message += std::string("; hint: ") + hint;
  }
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string state = sqlstate != nullptr ? sqlstate : "";
  ErrorCode code = ErrorCode::kEngine;
  if (state.starts_with("08") || state.starts_with("57P")) code = ErrorCode::kUnavailable;
  if (state.starts_with("28")) code = ErrorCode::kAuth;
  Error error(code, Redact(TrimMessage(message)) +
                        (state.empty() ? std::string() : " (SQLSTATE " + state + ")"));
  if (!state.empty()) error.sqlstate = state;
  return error;
}

void PgConnection::BeforeRequest(std::string_view sql) {
  // Known to be lost already: nothing will be sent, a COMMIT included, so the transaction
  // that was open when the connection broke is the one the server rolled back.
  if (lost()) {
    committing_ = false;
    return;
  }
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  in_transaction_ = status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
  committing_ = in_transaction_ && IsCommit(sql);
}

bool PgConnection::lost() const { return conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD; }

Status PgConnection::Execute(std::string_view sql) {
  BeforeRequest(sql);
  PgResult result(PQexec(conn_, std::string(sql).c_str()));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ResultError(result.get());
  return Status::Ok();
}

Result<std::string> PgConnection::Command(std::string_view sql) {
  BeforeRequest(sql);
  PgResult result(PQexec(conn_, std::string(sql).c_str()));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ResultError(result.get());
  return std::string(PQcmdStatus(result.get()));
}

Result<QueryResult> PgConnection::Query(std::string_view sql) {
  BeforeRequest(sql);
  PgResult result(PQexec(conn_, std::string(sql).c_str()));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ResultError(result.get());
  QueryResult out;
  const int ncols = PQnfields(result.get());
  const int nrows = PQntuples(result.get());
  std::vector<Oid> types;
  for (int c = 0; c < ncols; ++c) {
    types.push_back(PQftype(result.get(), c));
    out.columns.push_back(ResultColumn{PQfname(result.get(), c), KindOf(types.back())});
  }
  out.rows.reserve(static_cast<size_t>(nrows));
  for (int r = 0; r < nrows; ++r) {
    std::vector<ResultValue> row(static_cast<size_t>(ncols));
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(result.get(), r, c)) continue;
      std::string_view text(PQgetvalue(result.get(), r, c),
                            static_cast<size_t>(PQgetlength(result.get(), r, c)));
      row[static_cast<size_t>(c)] = CanonicalValue(types[static_cast<size_t>(c)], text);
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

Status PgConnection::CopyStart(std::string_view copy_sql) {
  BeforeRequest(copy_sql);
  PgResult result(PQexec(conn_, std::string(copy_sql).c_str()));
  if (result && PQresultStatus(result.get()) == PGRES_COPY_IN) return Status::Ok();
  return ResultError(result.get());
}

Status PgConnection::CopyPut(std::string_view data) {
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), INT_MAX / 2);
    if (PQputCopyData(conn_, data.data(), static_cast<int>(n)) != 1) {
      return ResultError(nullptr);
    }
    data.remove_prefix(n);
  }
  return Status::Ok();
}

Result<uint64_t> PgConnection::CopyEnd() {
  if (PQputCopyEnd(conn_, nullptr) != 1) return ResultError(nullptr);
  PgResult result(PQgetResult(conn_));
  std::optional<Error> error;
  uint64_t rows = 0;
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    error = ResultError(result.get());
  } else {
    std::string_view tuples = PQcmdTuples(result.get());
    std::from_chars(tuples.data(), tuples.data() + tuples.size(), rows);
  }
  // Drain whatever follows so that the connection is idle again.
  while (PgResult more{PQgetResult(conn_)}) {
  }
  if (error) return *error;
  return rows;
}

void PgConnection::CopyAbandon() noexcept {
  if (conn_ == nullptr) return;
  if (PQputCopyEnd(conn_, "abandoned by sparkify") != 1) return;
  while (PgResult more{PQgetResult(conn_)}) {
  }
}

Result<std::string> ConnInfoWithDatabase(std::string_view conninfo, std::string_view dbname) {
  std::vector<std::string> secrets;
  AddRawSecrets(conninfo, secrets);
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(std::string(conninfo).c_str(), &parse_error);
  if (options == nullptr) {
    std::string message = parse_error != nullptr ? TrimMessage(parse_error) : "out of memory";
    if (parse_error != nullptr) PQfreemem(parse_error);
    return Error::InvalidArgument("invalid PostgreSQL connection string: " +
                                  RedactWith(message, secrets));
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || o->val[0] == '\0' || std::string_view(o->keyword) == "dbname") {
      continue;
    }
    AppendConnInfoPair(out, o->keyword, o->val);
  }
  PQconninfoFree(options);
  AppendConnInfoPair(out, "dbname", dbname);
  return out;
}

void AppendConnInfoPair(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out.append(key).append("='");
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
}

}  // namespace sparkify::engine
