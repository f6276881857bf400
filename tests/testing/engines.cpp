#include "testing/engines.hpp"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/pipeline/create_tables.hpp"
#include "sparkify/pipeline/etl.hpp"
#include "testing/pg_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify::testing {
namespace {

// An engine that owns the test database it is connected to and drops it afterwards.
class DatabaseOwningEngine final : public engine::Engine {
 public:
  DatabaseOwningEngine(std::unique_ptr<PgTestDatabase> db, std::unique_ptr<engine::Engine> inner)
      : db_(std::move(db)), inner_(std::move(inner)) {}
  ~DatabaseOwningEngine() override { inner_.reset(); }  // disconnect before the drop
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
  std::unique_ptr<PgTestDatabase> db_;
  std::unique_ptr<engine::Engine> inner_;
};

Result<std::unique_ptr<engine::Engine>> OpenPostgresTestDatabase() {
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<PgTestDatabase> db, PgTestDatabase::Create());
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> pg, db->Open());
  return std::unique_ptr<engine::Engine>(
      std::make_unique<DatabaseOwningEngine>(std::move(db), std::move(pg)));
}

}  // namespace

std::vector<EngineFactory> TestEngines() {
  return {
      {"duckdb",
       [] {
         return engine::OpenDuckDb(engine::DuckDbOptions{":memory:", 1});
       }},
      {"postgres", [] { return OpenPostgresTestDatabase(); }},
  };
}

std::string SourceDir() { return SPARKIFY_SOURCE_DIR; }
std::string SparkifyBinary() { return SPARKIFY_BINARY; }

const std::vector<std::string>& StarQueriesButPlayIds() {
  static const std::vector<std::string> queries = {
      "select * from dim_user order by user_id",
      "select * from dim_artist order by artist_id",
      "select * from dim_song order by song_id",
      "select * from dim_time order by start_time",
      "select start_time, user_id, level, song_id, artist_id, session_id, location, user_agent "
      "from fact_songplay order by 1, 2, 3, 4, 5, 6, 7, 8",
      "select count(*), min(songplay_id), max(songplay_id), count(distinct songplay_id) "
      "from fact_songplay",
  };
  return queries;
}

Status LoadSample(engine::Engine& engine, bool keep_staging) {
  pipeline::EtlOptions options;
  options.songs = SampleDataDir() + "/song_data";
  options.events = SampleDataDir() + "/log_data";
  options.threads = 1;
  options.keep_staging = keep_staging;
  options.full_refresh = true;  // whatever an earlier test loaded
  return pipeline::RunEtl(engine, options).status();
}

std::vector<std::string> SplitStatements(const std::string& sql) {
  std::vector<std::string> statements;
  std::string current;
  std::istringstream lines(sql);
  for (std::string line; std::getline(lines, line);) {
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    current += line + "\n";
    const size_t last = line.find_last_not_of(" \t\r");
    if (line[last] == ';') {
      current.resize(current.find_last_of(';'));
      statements.push_back(current);
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) statements.push_back(current);
  return statements;
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

int RunCommand(const std::string& command, std::string* out, std::string* err) {
  TempDir dir;
  const std::string out_file = dir.path() + "/stdout", err_file = dir.path() + "/stderr";
  const std::string full = command + " >" + out_file + (err ? " 2>" + err_file : "");
  const int status = std::system(full.c_str());
  if (out) *out = ReadFile(out_file);
  if (err) *err = ReadFile(err_file);
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace sparkify::testing
