// Amazon Redshift over libpq: a PostgresEngine that speaks the catalog's Redshift dialect and
// has no client-side bulk loader, because Redshift stages with server-side COPY from S3
// (pipeline::RunRedshiftEtl). Connections always use TLS (sslmode=require unless the
// connection string names another sslmode).
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
  // kInvalidArgument: Redshift loads staging with COPY FROM 's3://...' (sql::Stmt::kCopy*).
  Result<std::unique_ptr<BulkLoader>> OpenBulkLoader(const TableSchema& table) override;
};

// "redshift://user[:password]@host[:port]/db[?k=v]" -> a libpq URI with sslmode=require (a
// libpq key=value string or postgresql:// URI passes through, with sslmode added if absent).
std::string RedshiftConnInfo(std::string_view target);

// Connects (RedshiftConnInfo) and sets up the session for sparkify's SQL.
Result<std::unique_ptr<Engine>> OpenRedshift(std::string_view target);

}  // namespace sparkify::engine
