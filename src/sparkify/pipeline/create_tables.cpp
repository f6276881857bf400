#include "sparkify/pipeline/create_tables.hpp"

#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {

Status CreateTablesInTransaction(engine::Engine& engine) {
  // Waits for a running etl (PostgreSQL; a DuckDB file has one writer process at a time).
  SPARKIFY_RETURN_IF_ERROR(engine.Execute(sql::Render(sql::Stmt::kLockEtl, engine.dialect())));
  for (sql::Stmt stmt : sql::CreateTablesStatements()) {
    Status s = engine.Execute(sql::Render(stmt, engine.dialect()));
    if (!s.ok()) return s.take_error().WithContext(std::string(sql::StmtName(stmt)));
  }
  return Status::Ok();
}

Status CreateTables(engine::Engine& engine) {
  SPARKIFY_RETURN_IF_ERROR(engine.Begin());
  Status s = CreateTablesInTransaction(engine);
  if (!s.ok()) {
    (void)engine.Rollback();
    return s;
  }
  return engine.Commit();
}

}  // namespace sparkify::pipeline
