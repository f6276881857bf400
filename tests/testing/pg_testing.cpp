#include "testing/pg_testing.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "sparkify/engine/postgres/pg_connection.hpp"
#include "sparkify/engine/postgres/postgres_engine.hpp"

extern char** environ;

namespace sparkify::testing {

const char kPgHint[] =
    "The PostgreSQL tests need a server: run ./scripts/test.sh, which starts a throwaway one "
    "(scripts/start-postgres.sh, PostgreSQL 15 binaries from `apt-get install postgresql-15` "
    "or ./scripts/setup.sh), or start it yourself with\n"
    "  export SPARKIFY_TEST_PG_URI=$(./scripts/start-postgres.sh)\n"
    "(stop it with ./scripts/stop-postgres.sh), or point SPARKIFY_TEST_PG_URI at any server "
    "where that user may CREATE DATABASE and CREATE ROLE.";

namespace {

std::string UniqueDatabaseName() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%08x", rd());
  return "sparkify_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         suffix;
}

}  // namespace

Result<std::unique_ptr<PgTestDatabase>> PgTestDatabase::Create() {
  const char* uri = std::getenv("SPARKIFY_TEST_PG_URI");
  if (uri == nullptr || uri[0] == '\0') {
    return Error::Config(std::string("SPARKIFY_TEST_PG_URI is not set.\n") + kPgHint);
  }
  std::unique_ptr<PgTestDatabase> db(new PgTestDatabase());
  db->admin_conninfo_ = uri;
  Result<engine::PgConnection> admin = engine::PgConnection::Connect(uri);
  if (!admin.ok()) {
    return Error::Config("cannot reach the server in SPARKIFY_TEST_PG_URI: " +
                         admin.error().ToString() + "\n" + kPgHint);
  }
  Result<engine::QueryResult> where = admin->Query(
      "select coalesce(host(inet_server_addr()), '127.0.0.1'), current_setting('port')");
  if (!where.ok()) return where.take_error();
  db->tcp_host_ = *where->rows[0][0];
  db->tcp_port_ = *where->rows[0][1];
  db->name_ = UniqueDatabaseName();
  Status created = admin->Execute("create database " + db->name_ +
                                  " template template0 encoding 'UTF8' lc_collate 'C' "
                                  "lc_ctype 'C'");
  if (!created.ok()) {
    return Error::Config("cannot create a test database: " + created.error().ToString() + "\n" +
                         kPgHint);
  }
  Result<std::string> conninfo = engine::ConnInfoWithDatabase(uri, db->name_);
  if (!conninfo.ok()) return conninfo.take_error();
  db->conninfo_ = *conninfo;
  return db;
}

PgTestDatabase::~PgTestDatabase() {
  if (name_.empty()) return;
  Status dropped = AdminExecute("drop database if exists " + name_ + " with (force)");
  if (!dropped.ok()) ADD_FAILURE() << "dropping " << name_ << ": " << dropped.error().ToString();
}

Result<std::unique_ptr<engine::Engine>> PgTestDatabase::Open(sql::CopyFormat format) const {
  return engine::OpenPostgres(engine::PostgresOptions{conninfo_, format});
}

Status PgTestDatabase::AdminExecute(std::string_view sql) const {
  SPARKIFY_ASSIGN_OR_RETURN(engine::PgConnection admin,
                            engine::PgConnection::Connect(admin_conninfo_));
  return admin.Execute(sql);
}

void PostgresTest::SetUp() {
  Result<std::unique_ptr<PgTestDatabase>> db = PgTestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  db_ = std::move(db).value();
}

ScratchDir::ScratchDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sparkify-pgtest-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteTextFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

CliResult RunSparkifyCli(const std::vector<std::string>& args,
                         const std::vector<std::string>& env) {
  return RunSparkify(args, env);
}

std::string SharedSampleDir() {
  return (std::filesystem::path(SPARKIFY_SOURCE_DIR) / ".." / "shared" / "data" / "sparkify")
      .lexically_normal()
      .string();
}

engine::QueryResult QueryOrFail(engine::Engine& engine, const std::string& sql) {
  Result<engine::QueryResult> result = engine.Query(sql);
  if (!result.ok()) {
    ADD_FAILURE() << sql << ": " << result.error().ToString();
    return {};
  }
  return std::move(result).value();
}

}  // namespace sparkify::testing
