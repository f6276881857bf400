#include "sparkify/engine/postgres/postgres_engine.hpp"

#include "sparkify/engine/postgres/pg_copy.hpp"

namespace sparkify::engine {

PostgresEngine::PostgresEngine(PgConnection connection, sql::CopyFormat copy_format)
    : connection_(std::move(connection)), copy_format_(copy_format) {}

PostgresEngine::~PostgresEngine() {
  if (in_transaction_ && !connection_.lost()) (void)connection_.Execute("rollback");
}

Status PostgresEngine::Execute(std::string_view sql) { return connection_.Execute(sql); }

Result<QueryResult> PostgresEngine::Query(std::string_view sql) { return connection_.Query(sql); }

Result<std::unique_ptr<BulkLoader>> PostgresEngine::OpenBulkLoader(const TableSchema& table) {
  return OpenCopyLoader(connection_, table, copy_format_);
}

Status PostgresEngine::Begin() {
  SPARKIFY_RETURN_IF_ERROR(connection_.Execute("begin"));
  in_transaction_ = true;
  return Status::Ok();
}

Status PostgresEngine::BeginReadOnly() {
  SPARKIFY_RETURN_IF_ERROR(connection_.Execute("begin transaction read only"));
  in_transaction_ = true;
  return Status::Ok();
}

Status PostgresEngine::Commit() {
  in_transaction_ = false;
  SPARKIFY_ASSIGN_OR_RETURN(std::string tag, connection_.Command("commit"));
  if (tag != "COMMIT") {
    return Error::Engine("the server rolled the transaction back (" + tag +
                         "): an earlier statement in it failed; nothing was committed");
  }
  return Status::Ok();
}

Status PostgresEngine::Rollback() {
  in_transaction_ = false;
  // A lost connection's transaction is already rolled back by the server; a ROLLBACK could
  // only fail with "no connection to the server" and hide the error that matters.
  if (connection_.lost()) return Status::Ok();
  return connection_.Execute("rollback");
}

Result<std::unique_ptr<Engine>> OpenPostgres(const PostgresOptions& options) {
  SPARKIFY_ASSIGN_OR_RETURN(PgConnection connection, PgConnection::Connect(options.conninfo));
  Status setup = connection.Execute(sql::PostgresSessionSetup());
  if (!setup.ok()) return setup.take_error().WithContext("setting up the session");
  return std::unique_ptr<Engine>(
      std::make_unique<PostgresEngine>(std::move(connection), options.copy_format));
}

}  // namespace sparkify::engine
