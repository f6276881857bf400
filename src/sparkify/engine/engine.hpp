// The one narrow interface every database engine implements (DuckDB, PostgreSQL, Redshift).
// Pipeline and analytics code talk only to this interface; SQL text comes from sql/catalog.
//
// Threads: an Engine and its BulkLoaders are used from one thread at a time.
// Transactions: Begin/Commit/Rollback bracket everything done through the engine, bulk loads
// included. Destroying an Engine with an open transaction rolls it back.
// Secrets: Describe() and every Error message are free of passwords.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sparkify/common/column_batch.hpp"
#include "sparkify/common/error.hpp"
#include "sparkify/engine/query_result.hpp"
#include "sparkify/sql/dialect.hpp"

namespace sparkify::engine {

// One open bulk load into one table (DuckDB appender, PostgreSQL COPY FROM STDIN).
// Finish() must be called to flush and learn whether the load succeeded; destroying an
// unfinished loader abandons it (best effort, never throws).
class BulkLoader {
 public:
  virtual ~BulkLoader() = default;
  virtual Status Append(const ColumnBatch& batch) = 0;
  // The same, handing the batch over (a loader that reads batches on other threads keeps it
  // instead of copying it).
  virtual Status AppendOwned(std::unique_ptr<ColumnBatch> batch) { return Append(*batch); }
  // A batch handed over with AppendOwned that the loader has done with, for the caller to
  // clear and fill again: its memory is reused instead of freed on one thread and allocated
  // anew on another (which fragments the heap). Null when none is done with yet.
  virtual std::unique_ptr<ColumnBatch> TakeSpent() { return nullptr; }
  virtual Status Finish() = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  virtual sql::Dialect dialect() const = 0;
  // A human-readable, password-free description of the target ("duckdb:sparkify.duckdb").
  virtual std::string Describe() const = 0;

  // Runs one or more statements that return no rows.
  virtual Status Execute(std::string_view sql) = 0;
  // Runs one statement and materialises its rows in canonical text form.
  virtual Result<QueryResult> Query(std::string_view sql) = 0;
  // Opens a bulk load into `table` (its columns, in order, as the batches carry them).
  virtual Result<std::unique_ptr<BulkLoader>> OpenBulkLoader(const TableSchema& table) = 0;
  // The same for one large load the engine may write with all its threads (DuckDB: an
  // `insert … select` from the batches, DuckDB's threads converting them and writing row groups
  // in parallel). Until Finish() the engine runs that statement on a thread of its own, so
  // nothing else may use the engine meanwhile. Default: OpenBulkLoader.
  virtual Result<std::unique_ptr<BulkLoader>> OpenParallelLoader(const TableSchema& table) {
    return OpenBulkLoader(table);
  }

  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // Begins a transaction in which the engine itself refuses writes where it can (DuckDB and
  // PostgreSQL: BEGIN TRANSACTION READ ONLY). Callers end it with Rollback(). The default is a
  // plain Begin(): an engine without a read-only mode still has its writes rolled back.
  virtual Status BeginReadOnly() { return Begin(); }
};

}  // namespace sparkify::engine
