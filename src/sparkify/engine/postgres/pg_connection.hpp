// libpq handles as move-only RAII classes, shared by every engine that speaks the PostgreSQL
// protocol (PostgreSQL; Redshift reuses them and overrides only loading and DDL).
//
// This header does not include libpq-fe.h: it names libpq's handle types by the same
// forward declarations libpq-fe.h itself uses, so code outside engine/postgres/ can hold a
// PgConnection without seeing libpq. Only .cpp files in engine/postgres/ include libpq-fe.h.
//
// Threads: a PgConnection (like a PGconn) is used from one thread at a time.
// Secrets: no message this class produces (Error text, Describe(), logged notices) contains a
// password. libpq's own messages can echo parts of the connection string, so every message
// is passed through Redact(), which removes the password given in the connection string, in
// PGPASSWORD, or found by libpq in ~/.pgpass, in raw and percent-encoded form.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/query_result.hpp"

typedef struct pg_conn PGconn;      // as in libpq-fe.h
typedef struct pg_result PGresult;  // as in libpq-fe.h

namespace sparkify::engine {

// Owns one PGresult (PQclear on destruction, "even if the query failed"). May be empty.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* result) : result_(result) {}
  ~PgResult();
  PgResult(PgResult&& other) noexcept : result_(other.release()) {}
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  PGresult* get() const { return result_; }
  PGresult* release() {
    PGresult* r = result_;
    result_ = nullptr;
    return r;
  }
  explicit operator bool() const { return result_ != nullptr; }

 private:
  PGresult* result_ = nullptr;
};

// Owns one PGconn (PQfinish on destruction, also after a failed connect).
class PgConnection {
 public:
  // Connects with a libpq connection string: a URI (postgresql://...) or key=value pairs.
  // libpq applies the PG* environment variables and ~/.pgpass for whatever the string leaves
  // out; client_encoding is always UTF8 (sparkify sends UTF-8). Unless the string says
  // otherwise, TCP keepalives find a vanished server within about two minutes. Engines run their
  // own session setup afterwards (sql::PostgresSessionSetup for PostgreSQL). Errors:
  // kInvalidArgument for a malformed string; kAuth when the server rejects or wants credentials;
  // kNotFound when the database does not exist; kUnavailable when the server cannot be reached.
  static Result<PgConnection> Connect(std::string_view conninfo);

  PgConnection(PgConnection&& other) noexcept;
  PgConnection& operator=(PgConnection&& other) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  PGconn* get() const { return conn_; }

  // "postgresql://user@host:port/dbname" (a socket folder as host is percent-encoded), from
  // the live connection's parameters: never holds a password.
  std::string Describe() const;

  // True once the connection is broken (the server went away, or ended this session). Every
  // call then fails fast with kUnavailable; the server has rolled back whatever transaction
  // was open.
  bool lost() const;

  // Runs one or more statements that return no rows (simple query protocol).
  // A call that finds the connection lost fails with kUnavailable, "lost the connection to
  // <where>: <why>", saying what became of the open transaction (rolled back by the server;
  // unknown for a COMMIT in flight).
  Status Execute(std::string_view sql);
  // Runs one statement and returns its rows in the canonical text form of QueryResult
  // (engine/query_result.hpp): floats, timestamps and booleans are normalised from
  // PostgreSQL's text output; other types keep PostgreSQL's text.
  Result<QueryResult> Query(std::string_view sql);
  // Runs a command and returns its command tag ("COMMIT", "ROLLBACK", "INSERT 0 5").
  Result<std::string> Command(std::string_view sql);

  // COPY ... FROM STDIN. Start enters COPY mode; Put sends data (libpq buffers it and
  // blocks while the server is slow to read); End finishes and returns the server's count of
  // rows copied; Abandon makes the server fail the COPY (best effort, for destructors).
  // Server-side errors in the data usually surface only at End.
  Status CopyStart(std::string_view copy_sql);
  Status CopyPut(std::string_view data);
  Result<uint64_t> CopyEnd();
  void CopyAbandon() noexcept;

  // `text` with every known secret replaced by "***".
  std::string Redact(std::string_view text) const;

 private:
  struct Secrets {
    std::vector<std::string> values;
  };
  PgConnection(PGconn* conn, std::unique_ptr<Secrets> secrets)
      : conn_(conn), secrets_(std::move(secrets)) {}
  // An Error for a failed result (or for the connection when `result` is null): primary
  // message, detail and hint, SQLSTATE attached, secrets removed.
  Error ResultError(const PGresult* result) const;
  // The connection's last error message, trimmed and redacted.
  std::string LastMessage() const;
  // Notes whether `sql` runs inside a transaction (and is its COMMIT), for ResultError.
  void BeforeRequest(std::string_view sql);

  PGconn* conn_ = nullptr;
  // On the heap so that libpq's notice callback can keep a pointer across moves.
  std::unique_ptr<Secrets> secrets_;
  bool in_transaction_ = false;  // when the current request was sent
  bool committing_ = false;      // the current request is the COMMIT of a transaction
};

// `conninfo` (URI or key=value) rewritten as key=value pairs with dbname replaced by
// `dbname`, for tools and tests that create a database and then connect to it.
// kInvalidArgument (redacted) when `conninfo` does not parse.
Result<std::string> ConnInfoWithDatabase(std::string_view conninfo, std::string_view dbname);

// Appends `key='value'` to a libpq key=value connection string (a space first unless `out` is
// empty), with the value's backslashes and single quotes escaped as libpq reads them.
void AppendConnInfoPair(std::string& out, std::string_view key, std::string_view value);

}  // namespace sparkify::engine
