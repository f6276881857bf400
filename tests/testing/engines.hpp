// The engines every engine-independent test runs on, as factories for a parameterised
// fixture: DuckDB in memory, and PostgreSQL in a fresh database of its own per test on the
// server $SPARKIFY_TEST_PG_URI names (testing/pg_testing.hpp). As everywhere in the suite,
// PostgreSQL is not skipped: without a server the PostgreSQL cases fail with the way to start
// one (./scripts/test.sh does).
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

// Loads the public sample (testing/test_util.hpp SampleDataDir) through the real pipeline:
// create-tables and etl in one transaction, with the staging tables kept unless told not to.
Status LoadSample(engine::Engine& engine, bool keep_staging = true);

// Queries whose answers two stars built from the same files share even when their plays are
// numbered differently (Redshift numbers plays by time): every dimension, the plays without
// their ids, and the ids' count and range.
const std::vector<std::string>& StarQueriesButPlayIds();

// Runs create-tables, then tests/testing/star_fixture.sql: the hand-made star whose answers
// tests/sql/named_queries_test.cpp works out by hand.
Status LoadStarFixture(engine::Engine& engine);

// Splits SQL text into statements at ';' ending a line (the fixture has no such ';' inside
// a string) and drops `--` comment lines.
std::vector<std::string> SplitStatements(const std::string& sql);

// Runs a shell command line; returns its exit status and fills `out` with its stdout (stderr
// goes to `err` when given, else to the test's stderr). For commands that need a shell:
// environment prefixes, `timeout`, programs other than sparkify.
int RunCommand(const std::string& command, std::string* out = nullptr, std::string* err = nullptr);

}  // namespace sparkify::testing
