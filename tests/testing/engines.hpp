// The engines every engine-independent test runs on, as factories for a parameterised
// fixture: DuckDB in memory always; PostgreSQL when $SPARKIFY_TEST_PG_URI names a server
// (scripts/test.sh starts one), each test in a schema of its own so tests can run in parallel.
// Once the PostgreSQL engine is in the tree (src/sparkify/engine/postgres/), a missing
// $SPARKIFY_TEST_PG_URI fails the suite with the way to get one instead of skipping silently.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"

namespace sparkify::testing {

struct EngineFactory {
  std::string name;  // "duckdb", "postgres": used in test names
  std::function<Result<std::unique_ptr<engine::Engine>>()> open;
};

std::vector<EngineFactory> TestEngines();

// Names parameterised tests after the engine: .../duckdb, .../postgres.
struct EngineName {
  std::string operator()(const ::testing::TestParamInfo<EngineFactory>& param) const {
    return param.param.name;
  }
};

// Lets gtest print the parameter by name.
inline std::ostream& operator<<(std::ostream& out, const EngineFactory& f) { return out << f.name; }

// The source tree (SPARKIFY_SOURCE_DIR) and the sparkify binary (SPARKIFY_BINARY).
std::string SourceDir();
std::string SparkifyBinary();

// The public sample data (SPEC section 1): $SPARKIFY_DATA, else ../shared/data/sparkify beside
// the source tree. Fails the calling test with a hint when it is missing.
std::string SampleDataDir();

// Loads the public sample through the real pipeline (create-tables and etl, one transaction).
Status LoadSample(engine::Engine& engine);

// Runs create-tables, then tests/testing/star_fixture.sql: the hand-made star whose answers
// tests/sql/named_queries_test.cpp works out by hand.
Status LoadStarFixture(engine::Engine& engine);

// Splits SQL text into statements at top-level ';' (the fixture has no ';' in its strings).
std::vector<std::string> SplitStatements(const std::string& sql);

// A fresh temporary folder, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs a shell command; returns its exit status and fills `out` with its stdout (stderr goes
// to `err` when given, else to the test's stderr).
int RunCommand(const std::string& command, std::string* out = nullptr, std::string* err = nullptr);

}  // namespace sparkify::testing
