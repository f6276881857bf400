// Test helpers for the PostgreSQL engine: a fresh database per test on the server that
// $SPARKIFY_TEST_PG_URI names (./scripts/test.sh starts one with scripts/start-postgres.sh),
// running the sparkify binary as a subprocess, and scratch folders.
//
// There is no skipping: when the variable is unset or the server unreachable, the test FAILS
// with a hint on how to install and start PostgreSQL.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/engine/query_result.hpp"
#include "sparkify/sql/bulk_load.hpp"
#include "testing/test_util.hpp"

namespace sparkify::sql {
// Readable test parameters ("binary" rather than a byte dump).
inline void PrintTo(CopyFormat format, std::ostream* os) { *os << CopyFormatName(format); }
}  // namespace sparkify::sql

namespace sparkify::testing {

// What to do when no server is available; printed with every such failure.
extern const char kPgHint[];

// A database of its own on the test server ("sparkify_test_<pid>_<n>_<random>", UTF8),
// created through the admin URI and dropped (WITH (FORCE)) on destruction, so tests can run
// in parallel.
class PgTestDatabase {
 public:
  // Fails (message includes kPgHint) when $SPARKIFY_TEST_PG_URI is unset or unusable.
  static Result<std::unique_ptr<PgTestDatabase>> Create();
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // key=value connection string for this database as the admin user (no password on the
  // script-started server: the admin URI uses the trusted unix socket).
  const std::string& conninfo() const { return conninfo_; }
  // Host (an IP) and port to reach the server over TCP, where it asks for passwords.
  const std::string& tcp_host() const { return tcp_host_; }
  const std::string& tcp_port() const { return tcp_port_; }

  // A PostgreSQL engine on this database.
  Result<std::unique_ptr<engine::Engine>> Open(
      sql::CopyFormat format = sql::CopyFormat::kBinary) const;
  // Runs statements on the admin database (roles, other databases).
  Status AdminExecute(std::string_view sql) const;

 private:
  PgTestDatabase() = default;
  std::string admin_conninfo_;
  std::string name_;
  std::string conninfo_;
  std::string tcp_host_;
  std::string tcp_port_;
};

// A fixture whose SetUp makes a fresh database (and fails loudly without a server).
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override;
  std::unique_ptr<PgTestDatabase> db_;
};

// A fresh temporary folder, removed on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteTextFile(const std::string& path, const std::string& content);

using CliResult = CommandResult;

// Runs build/sparkify with `args` (no shell), stdout and stderr captured. `env` entries
// ("NAME=value") are added to (or replace) the environment; "NAME" alone removes it.
CliResult RunSparkifyCli(const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {});

// ../shared/data/sparkify beside the repository.
std::string SharedSampleDir();

// Every row of `sql` on `engine`, failing the test on error.
engine::QueryResult QueryOrFail(engine::Engine& engine, const std::string& sql);

}  // namespace sparkify::testing
