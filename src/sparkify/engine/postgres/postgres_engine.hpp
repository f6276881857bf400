// The PostgreSQL engine (libpq). Only engine/postgres/ includes libpq-fe.h.
//
// PostgresEngine is meant to be derived from: the Redshift engine reuses the connection,
// queries and transactions and overrides only dialect() (its DDL comes from the catalog's
// Redshift dialect) and OpenBulkLoader() (server-side COPY from S3).
#pragma once

#include <memory>
#include <string>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/engine/postgres/pg_connection.hpp"
#include "sparkify/sql/bulk_load.hpp"

namespace sparkify::engine {

struct PostgresOptions {
  // A libpq connection string: URI or key=value; PG* variables and ~/.pgpass fill the gaps.
  // It may hold a password; nothing derived from it is ever printed unredacted.
  std::string conninfo;
  sql::CopyFormat copy_format = sql::CopyFormat::kBinary;
};

class PostgresEngine : public Engine {
 public:
  // Takes a connected session; runs nothing on it until called.
  PostgresEngine(PgConnection connection, sql::CopyFormat copy_format);
  // Rolls back an open transaction (best effort) and closes the connection.
  ~PostgresEngine() override;
  PostgresEngine(const PostgresEngine&) = delete;
  PostgresEngine& operator=(const PostgresEngine&) = delete;

  sql::Dialect dialect() const override { return sql::Dialect::kPostgres; }
  std::string Describe() const override { return connection_.Describe(); }

  Status Execute(std::string_view sql) override;
  Result<QueryResult> Query(std::string_view sql) override;
  // COPY ... FROM STDIN in the configured format (see engine/postgres/pg_copy.hpp).
  Result<std::unique_ptr<BulkLoader>> OpenBulkLoader(const TableSchema& table) override;

  Status Begin() override;
  // Fails (and leaves nothing committed) when the server rolled the transaction back instead,
  // which PostgreSQL does silently for a transaction that saw an error.
  Status Commit() override;
  // Ok without a word to the server once the connection is lost: the server has rolled the
  // transaction back itself.
  Status Rollback() override;
  // BEGIN TRANSACTION READ ONLY: the server refuses writes (also in data-modifying CTEs and
  // volatile functions such as nextval). Redshift accepts the same statement.
  Status BeginReadOnly() override;

 protected:
  PgConnection& connection() { return connection_; }

 private:
  PgConnection connection_;
  sql::CopyFormat copy_format_;
  bool in_transaction_ = false;
};

// Connects, sets up the session (sql::PostgresSessionSetup) and returns the engine.
// Errors as PgConnection::Connect.
Result<std::unique_ptr<Engine>> OpenPostgres(const PostgresOptions& options);

}  // namespace sparkify::engine
