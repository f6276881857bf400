// End to end against moto_server (scripts/start-moto.sh; SPARKIFY_TEST_MOTO_URL): the real
// sample plus 1,200 generated song files go into a fresh bucket, `sparkify etl` reads them
// from s3:// into DuckDB, and the star schema must equal the one built from the same files on
// local disk, row for row. Then the same through a fault-injecting proxy (fault_proxy.py),
// a persistent fault that must fail naming the object, and checks that secrets never show.
// These tests fail (never skip) when moto is not running.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "sparkify/aws/s3.hpp"
#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "testing/aws_testing.hpp"
#include "testing/pg_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;
using testing::ReadFileOrDie;
using testing::RunProcess;
using testing::TempDir;
using testing::WriteFileOrDie;

constexpr int kSyntheticSongs = 1200;
constexpr char kAccessKey[] = "AKIDSPARKIFYTEST";
// Unique strings that must never appear in any output or file.
constexpr char kSecret[] = "SeCrEt-9f3c1e-must-never-be-printed";
constexpr char kToken[] = "ToKeN-77ab02-must-never-be-printed";

fs::path SampleDir() { return testing::SharedDir() / "data" / "sparkify"; }

// The real sample, 1,200 generated songs, and two files every source must skip.
void WriteDataset(const fs::path& root, int synthetic) {
  fs::copy(SampleDir() / "song_data", root / "song_data", fs::copy_options::recursive);
  fs::copy(SampleDir() / "log_data", root / "log_data", fs::copy_options::recursive);
  for (int i = 0; i < synthetic; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "song_data/%c/%c/%c/TRSYN%05d.json", 'S' + i % 3,
                  'A' + (i / 3) % 7, 'K' + (i / 21) % 5, i);
    int artist = i % 300;
    std::string json = "{\"num_songs\": 1, \"artist_id\": \"ARSYN" + std::to_string(artist) +
                       "\", \"artist_latitude\": " +
                       (i % 4 == 0 ? "null" : std::to_string(10 + artist % 50) + ".25") +
                       ", \"artist_longitude\": " +
                       (i % 4 == 0 ? "null" : "-" + std::to_string(70 + artist % 30) + ".5") +
                       ", \"artist_location\": \"City " + std::to_string(artist) +
                       "\", \"artist_name\": \"Synthetic Artist " + std::to_string(artist) +
                       "\", \"song_id\": \"SOSYN" + std::to_string(i) +
                       "\", \"title\": \"Synthetic Song " + std::to_string(i) +
                       "\", \"duration\": " + std::to_string(120 + i) +
                       ".125, \"year\": " + std::to_string(i % 5 == 0 ? 0 : 1980 + i % 40) + "}";
    WriteFileOrDie(root / name, json);
  }
  WriteFileOrDie(root / "song_data" / ".ipynb_checkpoints" / "TRHIDDEN.json",
                 "{\"num_songs\": 1, \"song_id\": \"SOHIDDEN\", \"title\": \"hidden\"}");
  WriteFileOrDie(root / "song_data" / "README.txt", "not data");
}

std::unique_ptr<aws::S3Client> MotoClient(const std::string& endpoint) {
  aws::S3Config config;
  config.endpoint_url = endpoint;
  config.client.credentials = aws::Credentials{kAccessKey, kSecret, "", "test"};
  auto client = aws::S3Client::Create(config);
  EXPECT_TRUE(client.ok());
  return std::move(client).value();
}

// Uploads every file below `root` to `bucket` (keys = relative paths), 8 at a time.
void UploadTree(const std::string& endpoint, const std::string& bucket, const fs::path& root,
                const std::string& acl = "") {
  auto client = MotoClient(endpoint);
  Status created = client->CreateBucket(bucket);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < files.size(); i = next++) {
        Status s = client->PutObject(bucket, fs::relative(files[i], root).string(),
                                     ReadFileOrDie(files[i]), "application/json", acl);
        if (!s.ok()) {
          ++failures;
          ADD_FAILURE() << s.error().ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
}

// The environment every sparkify run gets: no AWS_* from the developer's shell, an empty
// HOME (no ~/.aws), no dwh.cfg, fast retries.
std::map<std::string, std::optional<std::string>> BaseEnv(const fs::path& home) {
  std::map<std::string, std::optional<std::string>> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string name(entry.substr(0, entry.find('=')));
    if (name.starts_with("AWS_") || name.starts_with("SPARKIFY_")) env[name] = std::nullopt;
  }
  env["HOME"] = home.string();
  env["NO_COLOR"] = "1";
  env["SPARKIFY_CONFIG"] = std::nullopt;
  env["SPARKIFY_AWS_RETRY_BASE_MS"] = "5";
  env["SPARKIFY_AWS_RETRY_MAX_MS"] = "50";
  return env;
}

std::map<std::string, std::optional<std::string>> WithKeys(
    std::map<std::string, std::optional<std::string>> env) {
  env["AWS_ACCESS_KEY_ID"] = kAccessKey;
  env["AWS_SECRET_ACCESS_KEY"] = kSecret;
  env["AWS_SESSION_TOKEN"] = kToken;
  return env;
}

ProcessResult Etl(const std::vector<std::string>& args,
                  const std::map<std::string, std::optional<std::string>>& env) {
  std::vector<std::string> argv = {SPARKIFY_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, env);
}

// Every star table, rows ordered by key, in canonical text form.
std::map<std::string, engine::QueryResult> Star(engine::Engine& engine) {
  std::map<std::string, engine::QueryResult> out;
  for (const auto& [table, key] :
       std::vector<std::pair<std::string, std::string>>{{"fact_songplay", "songplay_id"},
                                                        {"dim_user", "user_id"},
                                                        {"dim_song", "song_id"},
                                                        {"dim_artist", "artist_id"},
                                                        {"dim_time", "start_time"}}) {
    auto r = engine.Query("select * from " + table + " order by " + key);
    EXPECT_TRUE(r.ok()) << table << ": " << r.error().ToString();
    if (r.ok()) out[table] = std::move(r).value();
  }
  return out;
}

std::unique_ptr<engine::Engine> OpenDuckDbOrDie(const fs::path& db) {
  auto engine = engine::OpenDuckDb({db.string(), 1});
  EXPECT_TRUE(engine.ok()) << engine.error().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

void ExpectSameStar(engine::Engine& from_s3, engine::Engine& from_local) {
  auto a = Star(from_s3);
  auto b = Star(from_local);
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), 5u);
  for (const auto& [table, rows] : b) {
    EXPECT_FALSE(rows.rows.empty()) << table;
    ASSERT_EQ(a[table].rows.size(), rows.rows.size()) << table;
    for (size_t i = 0; i < rows.rows.size(); ++i) {
      ASSERT_EQ(a[table].rows[i], rows.rows[i]) << table << " row " << i;
    }
  }
}

void ExpectSameStar(const fs::path& from_s3, const fs::path& from_local) {
  auto a = OpenDuckDbOrDie(from_s3);
  auto b = OpenDuckDbOrDie(from_local);
  ASSERT_TRUE(a && b);
  ExpectSameStar(*a, *b);
}

int64_t Count(engine::Engine& engine, const std::string& sql) {
  auto r = engine.Query(sql);
  if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return -1;
  return std::stoll(*r->rows[0][0]);
}

int64_t Count(const fs::path& db, const std::string& sql) {
  auto engine = OpenDuckDbOrDie(db);
  return engine ? Count(*engine, sql) : -1;
}

bool FileContains(const fs::path& path, std::string_view needle) {
  return ReadFileOrDie(path).find(needle) != std::string::npos;
}

void ExpectNoSecrets(const ProcessResult& r) {
  for (const std::string* s : {&r.out, &r.err}) {
    EXPECT_EQ(s->find(kSecret), std::string::npos) << "secret key printed:\n" << *s;
    EXPECT_EQ(s->find(kToken), std::string::npos) << "session token printed:\n" << *s;
  }
}

// tests/e2e/fault_proxy.py in front of moto, stopped (by pid) at destruction.
class FaultProxy {
 public:
  FaultProxy(const std::string& upstream, const std::vector<std::string>& extra_args) {
    int fds[2];
    if (::pipe(fds) != 0) {
      ADD_FAILURE() << "pipe failed";
      return;
    }
    std::string script = std::string(SPARKIFY_SOURCE_DIR) + "/tests/e2e/fault_proxy.py";
    std::vector<std::string> argv = {"/usr/bin/env", "python3", script, "--upstream", upstream};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(fds[0]);
    url_ = line;
    EXPECT_TRUE(url_.starts_with("http://127.0.0.1:")) << "fault_proxy.py did not start: " << url_;
  }
  ~FaultProxy() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& url() const { return url_; }

  // The proxy's count of injected faults by kind ({"503": 4, ...}), as raw JSON.
  std::string Faults() const {
    ProcessResult r = RunProcess({"/usr/bin/env", "python3", "-c",
                                  "import sys,urllib.request;sys.stdout.write(urllib.request."
                                  "urlopen(sys.argv[1]+'/__faults').read().decode())",
                                  url_});
    return r.out;
  }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

class S3EtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    moto_ = testing::MotoUrlOrFail();
    ASSERT_FALSE(moto_.empty());
    ASSERT_TRUE(fs::exists(SampleDir() / "song_data")) << "sample data missing: " << SampleDir();
  }
  // A bucket holding the dataset (with `synthetic` generated songs), mirrored in data_.
  std::string MakeBucket(int synthetic, const std::string& acl = "") {
    WriteDataset(data(), synthetic);
    std::string bucket = testing::UniqueBucket("sparkify-e2e");
    UploadTree(moto_, bucket, data(), acl);
    return bucket;
  }
  fs::path LocalStar() {
    fs::path db = work() / "local.duckdb";
    ProcessResult r =
        Etl({"etl", "--target", "duckdb:" + db.string(), "--songs", (data() / "song_data").string(),
             "--events", (data() / "log_data").string()},
            BaseEnv(home()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return db;
  }
  std::vector<std::string> S3Args(const std::string& bucket, const fs::path& db,
                                  const std::string& endpoint) {
    return {"etl",
            "--target",
            "duckdb:" + db.string(),
            "--songs",
            "s3://" + bucket + "/song_data",
            "--events",
            "s3://" + bucket + "/log_data",
            "--endpoint-url",
            endpoint};
  }

  fs::path data() const { return data_.path(); }  // the dataset, as uploaded
  fs::path work() const { return work_.path(); }  // databases, dwh.cfg
  fs::path home() const { return home_.path(); }  // HOME of every run: no ~/.aws unless written

  std::string moto_;
  TempDir data_;
  TempDir work_;
  TempDir home_;
};

TEST_F(S3EtlTest, StarSchemaFromS3EqualsStarFromLocalFolders) {
  std::string bucket = MakeBucket(kSyntheticSongs);
  fs::path db = work() / "s3.duckdb";
  ProcessResult r = Etl(S3Args(bucket, db, moto_), WithKeys(BaseEnv(home())));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("found 1,271 song files and 30 event files"), std::string::npos) << r.err;
  ExpectSameStar(db, LocalStar());
  EXPECT_EQ(Count(db, "select count(*) from dim_song"), 71 + kSyntheticSongs);
  EXPECT_EQ(Count(db, "select count(*) from fact_songplay"), 6820);
  EXPECT_EQ(Count(db, "select count(*) from load_errors"), 0);
}

// A file is its name below the location, not where it sits: the local folder a warehouse was
// loaded from, then the same files on s3://, loads nothing new (each object's content is
// verified once, its size matching), and the manifest follows the files to S3.
TEST_F(S3EtlTest, ALocalFolderThenTheSameFilesOnS3LoadNothingNew) {
  std::string bucket = MakeBucket(0);
  fs::path db = LocalStar();
  fs::path before = work() / "before.duckdb";
  fs::copy_file(db, before);
  ProcessResult r = Etl(S3Args(bucket, db, moto_), WithKeys(BaseEnv(home())));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("0 new files"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("listed at a new location"), std::string::npos) << r.err;
  ExpectSameStar(db, before);
  EXPECT_EQ(Count(db, "select count(*) from load_manifest where location like 's3://%'"), 71 + 30);
  EXPECT_EQ(Count(db, "select count(*) from runs where mode = 'nothing'"), 1);
  // And back: the local folder again is nothing new either.
  ProcessResult back =
      Etl({"etl", "--target", "duckdb:" + db.string(), "--songs", (data() / "song_data").string(),
           "--events", (data() / "log_data").string()},
          BaseEnv(home()));
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_NE(back.err.find("0 new files"), std::string::npos) << back.err;
  ExpectSameStar(db, before);
}

TEST_F(S3EtlTest, ReadsLocationsFromDwhCfgAndEndpointFromEnvironment) {
  std::string bucket = MakeBucket(0);
  fs::path cfg = work() / "dwh.cfg";
  WriteFileOrDie(cfg, "[S3]\nLOG_DATA='s3://" + bucket + "/log_data'\nLOG_JSONPATH='s3://" +
                          bucket + "/log_json_path.json'\nSONG_DATA='s3://" + bucket +
                          "/song_data'\n");
  fs::path db = work() / "s3.duckdb";
  auto env = WithKeys(BaseEnv(home()));
  env["AWS_ENDPOINT_URL_S3"] = moto_;
  env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1";  // the S3-specific one must win
  ProcessResult r =
      Etl({"--config", cfg.string(), "-v", "etl", "--target", "duckdb:" + db.string()}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("$AWS_ENDPOINT_URL_S3"), std::string::npos) << r.err;
  ExpectSameStar(db, LocalStar());
  ExpectNoSecrets(r);
}

TEST_F(S3EtlTest, NoSignRequestReadsAPublicBucketWithoutCredentials) {
  std::string bucket = MakeBucket(0, "public-read");
  fs::path db = work() / "s3.duckdb";
  std::vector<std::string> args = S3Args(bucket, db, moto_);
  args.push_back("--no-sign-request");
  ProcessResult r = Etl(args, BaseEnv(home()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectSameStar(db, LocalStar());
}

TEST_F(S3EtlTest, MissingCredentialsFailWithAHintAndExitCode3) {
  fs::path db = work() / "s3.duckdb";
  ProcessResult r = Etl(S3Args("any-bucket", db, moto_), BaseEnv(home()));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("no AWS credentials"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--no-sign-request"), std::string::npos) << r.err;
}

TEST_F(S3EtlTest, MissingBucketIsNotFound) {
  fs::path db = work() / "s3.duckdb";
  ProcessResult r =
      Etl(S3Args(testing::UniqueBucket("absent"), db, moto_), WithKeys(BaseEnv(home())));
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("NoSuchBucket"), std::string::npos) << r.err;
  ExpectNoSecrets(r);
}

TEST_F(S3EtlTest, DryRunListsTheObjectsAndTheSqlAndLoadsNothing) {
  std::string bucket = MakeBucket(0);
  fs::path db = work() / "never.duckdb";
  std::vector<std::string> args = S3Args(bucket, db, moto_);
  args.push_back("--dry-run");
  ProcessResult r = Etl(args, WithKeys(BaseEnv(home())));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(db)) << "--dry-run created the database";
  EXPECT_NE(r.out.find("s3://" + bucket + "/song_data/A/A/A/TRAAAAW128F429D538.json"),
            std::string::npos);
  EXPECT_NE(r.out.find("s3://" + bucket + "/log_data/2018/11/2018-11-30-events.json"),
            std::string::npos);
  EXPECT_NE(r.out.find("71 files"), std::string::npos);
  EXPECT_NE(r.out.find("create table staging_events"), std::string::npos);
  EXPECT_NE(r.out.find("-- load fact_songplay"), std::string::npos) << r.out;
  EXPECT_LT(r.out.find("drop table"), r.out.find("-- load dim_artist"));

  // With the SQL transform, the transform's statements are part of the plan.
  args.insert(args.end(), {"--transform", "sql"});
  ProcessResult sql = Etl(args, WithKeys(BaseEnv(home())));
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  EXPECT_NE(sql.out.find("-- load staging_songs"), std::string::npos) << sql.out;
  EXPECT_NE(sql.out.find("insert into fact_songplay"), std::string::npos) << sql.out;
  EXPECT_LT(sql.out.find("-- load staging_events"), sql.out.find("insert into dim_artist"));
  EXPECT_FALSE(fs::exists(db)) << "--dry-run created the database";
}

TEST_F(S3EtlTest, StarSchemaFromS3EqualsStarFromLocalFoldersOnPostgres) {
  std::string bucket = MakeBucket(kSyntheticSongs);
  auto from_s3 = testing::PgTestDatabase::Create();
  auto from_local = testing::PgTestDatabase::Create();
  ASSERT_TRUE(from_s3.ok()) << from_s3.error().ToString();
  ASSERT_TRUE(from_local.ok()) << from_local.error().ToString();
  ProcessResult r =
      Etl({"etl", "--target", (*from_s3)->conninfo(), "--songs", "s3://" + bucket + "/song_data",
           "--events", "s3://" + bucket + "/log_data", "--endpoint-url", moto_},
          WithKeys(BaseEnv(home())));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ProcessResult local =
      Etl({"etl", "--target", (*from_local)->conninfo(), "--songs", (data() / "song_data").string(),
           "--events", (data() / "log_data").string()},
          BaseEnv(home()));
  ASSERT_EQ(local.exit_code, 0) << local.err;
  auto a = (*from_s3)->Open();
  auto b = (*from_local)->Open();
  ASSERT_TRUE(a.ok() && b.ok());
  ExpectSameStar(**a, **b);
  EXPECT_EQ(Count(**a, "select count(*) from dim_song"), 71 + kSyntheticSongs);
  // And the same star as DuckDB builds from the same objects.
  fs::path duck = work() / "s3.duckdb";
  ProcessResult d = Etl(S3Args(bucket, duck, moto_), WithKeys(BaseEnv(home())));
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto c = OpenDuckDbOrDie(duck);
  ASSERT_TRUE(c);
  ExpectSameStar(**a, *c);
}

TEST_F(S3EtlTest, TransientFaultsOnEveryKindOfRequestStillGiveTheIdenticalStar) {
  std::string bucket = MakeBucket(kSyntheticSongs);
  // 15% of first tries fail: ~190 faults over ~1,300 requests, every kind many times.
  FaultProxy proxy(moto_, {"--mode", "mixed", "--rate", "15", "--stall-seconds", "4"});
  ASSERT_FALSE(proxy.url().empty());
  fs::path db = work() / "s3.duckdb";
  auto env = WithKeys(BaseEnv(home()));
  env["SPARKIFY_AWS_READ_TIMEOUT_MS"] = "1500";
  ProcessResult r = Etl(S3Args(bucket, db, proxy.url()), env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string faults = proxy.Faults();
  for (const char* kind :
       {"\"503\"", "\"500\"", "\"drop\"", "\"reset\"", "\"truncate\"", "\"stall\"", "\"slow\""}) {
    EXPECT_NE(faults.find(kind), std::string::npos) << kind << " was never injected: " << faults;
  }
  ExpectSameStar(db, LocalStar());
}

TEST_F(S3EtlTest, APersistentFaultFailsTheRunNamingTheObjectAfterTheRetryBudget) {
  std::string bucket = MakeBucket(0);
  const std::string key = "song_data/A/A/B/TRAABJL12903CDCF1A.json";
  ASSERT_TRUE(fs::exists(data() / key));
  FaultProxy proxy(moto_, {"--mode", "always", "--match", key});
  fs::path db = work() / "s3.duckdb";
  auto env = WithKeys(BaseEnv(home()));
  env["AWS_MAX_ATTEMPTS"] = "3";
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = Etl(S3Args(bucket, db, proxy.url()), env);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("s3://" + bucket + "/" + key), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HTTP 503 SlowDown"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("gave up after 3 attempts"), std::string::npos) << r.err;
  EXPECT_NE(proxy.Faults().find("\"503\": 3"), std::string::npos) << proxy.Faults();
  EXPECT_LT(seconds, 60);
  // Nothing was committed: the run is one transaction.
  EXPECT_EQ(
      Count(db,
            "select count(*) from information_schema.tables where table_name = 'fact_songplay'"),
      0);
  ExpectNoSecrets(r);
}

TEST_F(S3EtlTest, SecretsNeverAppearInOutputLogsOrTheDatabase) {
  std::string bucket = MakeBucket(0);
  fs::path db = work() / "s3.duckdb";
  // Verbose, through faults (so retry messages are printed), keys from the environment.
  FaultProxy proxy(moto_, {"--mode", "mixed", "--stall-seconds", "3", "--seed", "7"});
  auto env = WithKeys(BaseEnv(home()));
  env["SPARKIFY_AWS_READ_TIMEOUT_MS"] = "1000";
  std::vector<std::string> args = S3Args(bucket, db, proxy.url());
  args.insert(args.begin(), "--verbose");
  ProcessResult ok = Etl(args, env);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.err.find("retrying"), std::string::npos) << "no retry was logged";
  ExpectNoSecrets(ok);
  EXPECT_FALSE(FileContains(db, kSecret));
  EXPECT_FALSE(FileContains(db, kToken));

  // Failing, verbose, keys from a profile file.
  fs::path creds = home() / ".aws" / "credentials";
  WriteFileOrDie(creds, std::string("[ci]\naws_access_key_id = ") + kAccessKey +
                            "\naws_secret_access_key = " + kSecret +
                            "\naws_session_token = " + kToken + "\n");
  auto profile_env = BaseEnv(home());
  profile_env["AWS_PROFILE"] = "ci";
  ProcessResult failed = Etl({"--verbose", "etl", "--target", "duckdb:" + db.string(), "--songs",
                              "s3://" + testing::UniqueBucket("absent") + "/song_data", "--events",
                              "s3://" + bucket + "/log_data", "--endpoint-url", moto_},
                             profile_env);
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_NE(failed.err.find("profile ci"), std::string::npos) << failed.err;
  ExpectNoSecrets(failed);

  // Dry run, verbose.
  args.push_back("--dry-run");
  ProcessResult dry = Etl(args, env);
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  ExpectNoSecrets(dry);
}

}  // namespace
}  // namespace sparkify
