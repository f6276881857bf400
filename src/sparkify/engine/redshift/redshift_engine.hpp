// Amazon Redshift over libpq: a PostgresEngine that speaks the catalog's Redshift dialect.
// Redshift has no COPY FROM STDIN: staging is loaded with server-side COPY from S3
// (pipeline::RunRedshiftEtl), and the few rows sparkify writes itself (load manifest, runs)
// go in as multi-row INSERT ... VALUES (InsertValuesLoader). Connections always use TLS
// (sslmode=require unless the connection string names another sslmode, or $PGSSLMODE is set).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sparkify/engine/postgres/postgres_engine.hpp"

namespace sparkify::engine {

class RedshiftEngine : public PostgresEngine {
 public:
  using PostgresEngine::PostgresEngine;
  sql::Dialect dialect() const override { return sql::Dialect::kRedshift; }
  // An InsertValuesLoader: for small tables only (staging is COPYed from S3).
  Result<std::unique_ptr<BulkLoader>> OpenBulkLoader(const TableSchema& table) override;
};

// A BulkLoader that sends its rows as multi-row INSERT ... VALUES statements through
// engine.Execute (sql::RenderInsertValues), a statement per ~1 MB of SQL text (Redshift allows
// 16 MB). Meant for tables of thousands of rows, not millions.
std::unique_ptr<BulkLoader> MakeInsertValuesLoader(Engine& engine, const TableSchema& table);

// "redshift://user[:password]@host[:port]/db[?k=v]" -> a libpq URI with sslmode=require (a
// libpq key=value string or postgresql:// URI passes through, with sslmode added if absent and
// $PGSSLMODE is unset).
std::string RedshiftConnInfo(std::string_view target);

// Connects (RedshiftConnInfo) and sets up the session for sparkify's SQL.
Result<std::unique_ptr<Engine>> OpenRedshift(std::string_view target);

}  // namespace sparkify::engine
