#include "testing/engines.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sparkify/config/target.hpp"
#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/engine/open_engine.hpp"
#include "sparkify/pipeline/create_tables.hpp"
#include "sparkify/pipeline/etl.hpp"

namespace sparkify::testing {
namespace {

// A schema name unique to this process and call, so parallel test processes sharing one
// PostgreSQL database never see each other's tables.
std::string UniqueSchema() {
  static std::atomic<int> counter{0};
  return "sparkify_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// Drops the test's schema when the engine is destroyed.
class SchemaEngine final : public engine::Engine {
 public:
  SchemaEngine(std::unique_ptr<engine::Engine> inner, std::string schema)
      : inner_(std::move(inner)), schema_(std::move(schema)) {}
  ~SchemaEngine() override {
    (void)inner_->Rollback();
    (void)inner_->Execute("drop schema if exists " + schema_ + " cascade");
  }
  sql::Dialect dialect() const override { return inner_->dialect(); }
  std::string Describe() const override { return inner_->Describe(); }
  Status Execute(std::string_view sql) override { return inner_->Execute(sql); }
  Result<engine::QueryResult> Query(std::string_view sql) override { return inner_->Query(sql); }
  Result<std::unique_ptr<engine::BulkLoader>> OpenBulkLoader(const TableSchema& table) override {
    return inner_->OpenBulkLoader(table);
  }
  Status Begin() override { return inner_->Begin(); }
  Status Commit() override { return inner_->Commit(); }
  Status Rollback() override { return inner_->Rollback(); }
  Status BeginReadOnly() override { return inner_->BeginReadOnly(); }

 private:
  std::unique_ptr<engine::Engine> inner_;
  std::string schema_;
};

Result<std::unique_ptr<engine::Engine>> OpenPostgres(const std::string& uri) {
  SPARKIFY_ASSIGN_OR_RETURN(config::Target target, config::ParseTarget(uri));
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> pg,
                            engine::OpenEngine(target, engine::EngineOptions{1}));
  const std::string schema = UniqueSchema();
  SPARKIFY_RETURN_IF_ERROR(pg->Execute("create schema " + schema));
  SPARKIFY_RETURN_IF_ERROR(pg->Execute("set search_path to " + schema));
  return std::unique_ptr<engine::Engine>(std::make_unique<SchemaEngine>(std::move(pg), schema));
}

}  // namespace

std::vector<EngineFactory> TestEngines() {
  std::vector<EngineFactory> engines;
  engines.push_back({"duckdb", [] {
                       return engine::OpenDuckDb(engine::DuckDbOptions{":memory:", 1});
                     }});
  const char* uri = std::getenv("SPARKIFY_TEST_PG_URI");
  // The PostgreSQL engine lives in engine/postgres/; once it is there, PostgreSQL is expected.
  const bool postgres_built =
      std::filesystem::is_directory(SourceDir() + "/src/sparkify/engine/postgres");
  if (uri != nullptr && *uri != '\0') {
    engines.push_back({"postgres", [u = std::string(uri)] { return OpenPostgres(u); }});
  } else if (postgres_built) {
    engines.push_back({"postgres", []() -> Result<std::unique_ptr<engine::Engine>> {
                         return Error::Config(
                             "SPARKIFY_TEST_PG_URI is not set: start a server with "
                             "`export SPARKIFY_TEST_PG_URI=$(./scripts/start-postgres.sh)` "
                             "(apt-get install postgresql-15), or run ./scripts/test.sh");
                       }});
  }
  return engines;
}

std::string SourceDir() { return SPARKIFY_SOURCE_DIR; }
std::string SparkifyBinary() { return SPARKIFY_BINARY; }

std::vector<std::string> SplitStatements(const std::string& sql) {
  std::vector<std::string> statements;
  std::string current;
  std::istringstream lines(sql);
  for (std::string line; std::getline(lines, line);) {
    const size_t comment = line.find("--");
    if (comment != std::string::npos && line.find('\'') == std::string::npos) line.resize(comment);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    current += line + "\n";
    if (line.find_last_not_of(" \t\r") != std::string::npos &&
        line[line.find_last_not_of(" \t\r")] == ';') {
      current.resize(current.find_last_of(';'));
      statements.push_back(current);
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) statements.push_back(current);
  return statements;
}

std::string SampleDataDir() {
  const char* env = std::getenv("SPARKIFY_DATA");
  const std::string dir =
      env != nullptr && *env != '\0' ? env : SourceDir() + "/../shared/data/sparkify";
  if (!std::filesystem::is_directory(dir + "/song_data")) {
    ADD_FAILURE() << "the public sample data is missing at " << dir
                  << ": put it in ../shared/data/sparkify or set SPARKIFY_DATA";
  }
  return dir;
}

Status LoadSample(engine::Engine& engine) {
  pipeline::EtlOptions options;
  options.songs = SampleDataDir() + "/song_data";
  options.events = SampleDataDir() + "/log_data";
  options.threads = 1;
  return pipeline::RunEtl(engine, options).status();
}

Status LoadStarFixture(engine::Engine& engine) {
  SPARKIFY_RETURN_IF_ERROR(pipeline::CreateTables(engine));
  const std::string path = SourceDir() + "/tests/testing/star_fixture.sql";
  std::ifstream in(path);
  if (!in) return Error::NotFound("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  SPARKIFY_RETURN_IF_ERROR(engine.Begin());
  for (const std::string& statement : SplitStatements(text.str())) {
    Status s = engine.Execute(statement);
    if (!s.ok()) {
      (void)engine.Rollback();
      return s.take_error().WithContext("star_fixture.sql");
    }
  }
  return engine.Commit();
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "sparkify-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int RunCommand(const std::string& command, std::string* out, std::string* err) {
  TempDir dir;
  const std::string out_file = dir.path() + "/stdout", err_file = dir.path() + "/stderr";
  std::string full = command + " >" + out_file + (err ? " 2>" + err_file : "");
  const int status = std::system(full.c_str());
  auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  if (out) *out = slurp(out_file);
  if (err) *err = slurp(err_file);
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace sparkify::testing
