// `sparkify debug --format json` against a working and a broken setup of each kind (issue 17):
// DuckDB (file there, to be created, impossible), PostgreSQL (the script-started server; wrong
// port, bad password), local and S3 locations (moto without auth: a bucket, a missing bucket,
// no credentials), the AWS identity (STS GetCallerIdentity). The JSON is parsed and each
// check's status asserted; secrets never appear. The cluster checks run against moto in auth
// mode in tests/iac/cluster_moto_test.cpp.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "sparkify/aws/s3.hpp"
#include "testing/aws_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kAccessKey[] = "AKIDDEBUGTEST0001";
constexpr char kSecret[] = "DeBuG-secret-7f1e-must-never-be-printed";

struct Check {
  std::string status;
  std::string detail;
  std::string hint;
};

struct DebugRun {
  int exit_code = -1;
  bool ok = false;
  std::map<std::string, Check> checks;
  std::map<std::string, std::string> settings;  // name -> value
  std::string out, err;
};

class DebugCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_ = dir_.path() + "/dwh.cfg";
    WriteFile(cfg_, "[S3]\nSONG_DATA=" + SampleDataDir() +
                        "/song_data\nLOG_DATA=" + SampleDataDir() + "/log_data\n");
  }

  // A clean environment: no AWS credentials or profile, moto (plain) as the endpoint.
  std::map<std::string, std::optional<std::string>> BaseEnv() {
    return {{"AWS_ACCESS_KEY_ID", std::nullopt},
            {"AWS_SECRET_ACCESS_KEY", std::nullopt},
            {"AWS_SESSION_TOKEN", std::nullopt},
            {"AWS_PROFILE", std::nullopt},
            {"AWS_DEFAULT_PROFILE", std::nullopt},
            {"AWS_SHARED_CREDENTIALS_FILE", dir_.path() + "/none"},
            {"AWS_CONFIG_FILE", dir_.path() + "/none"},
            {"AWS_ENDPOINT_URL", moto_.empty() ? "http://127.0.0.1:9" : moto_},
            {"AWS_REGION", "us-west-2"},
            {"AWS_MAX_ATTEMPTS", "1"},
            {"SPARKIFY_CONFIG", std::nullopt},
            {"SPARKIFY_TARGET", std::nullopt},
            {"SPARKIFY_SONGS", std::nullopt},
            {"SPARKIFY_EVENTS", std::nullopt},
            {"PGPASSWORD", std::nullopt},
            {"PGHOSTADDR", std::nullopt}};
  }
  std::map<std::string, std::optional<std::string>> WithKeys() {
    auto env = BaseEnv();
    env["AWS_ACCESS_KEY_ID"] = kAccessKey;
    env["AWS_SECRET_ACCESS_KEY"] = kSecret;
    return env;
  }

  DebugRun Debug(const std::vector<std::string>& args,
                 const std::map<std::string, std::optional<std::string>>& env) {
    std::vector<std::string> argv = {SPARKIFY_BINARY, "--no-color", "--config",  cfg_, "debug",
                                     "--format",      "json",       "--timeout", "5"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult p = RunProcess(argv, env);
    DebugRun r;
    r.exit_code = p.exit_code;
    r.out = p.out;
    r.err = p.err;
    EXPECT_EQ(p.out.find(kSecret), std::string::npos) << "the secret was printed";
    EXPECT_EQ(p.err.find(kSecret), std::string::npos) << "the secret was printed";
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    auto error = parser.parse(p.out).get(doc);
    EXPECT_FALSE(error) << "not JSON: " << p.out << p.err;
    if (error) return r;
    EXPECT_FALSE(doc["ok"].get(r.ok));
    for (simdjson::dom::element s : doc["settings"].get_array()) {
      std::string_view name, value;
      EXPECT_FALSE(s["name"].get(name));
      EXPECT_FALSE(s["value"].get(value));
      r.settings[std::string(name)] = std::string(value);
    }
    for (simdjson::dom::element c : doc["checks"].get_array()) {
      std::string_view name, status, detail, hint;
      EXPECT_FALSE(c["name"].get(name));
      EXPECT_FALSE(c["status"].get(status));
      EXPECT_FALSE(c["detail"].get(detail));
      EXPECT_FALSE(c["hint"].get(hint));
      double seconds = -1;
      EXPECT_FALSE(c["seconds"].get(seconds));
      EXPECT_GE(seconds, 0);
      r.checks[std::string(name)] = {std::string(status), std::string(detail), std::string(hint)};
    }
    return r;
  }

  TempDir dir_;
  std::string cfg_;
  std::string moto_;
};

std::string Dump(const DebugRun& r) { return r.out + r.err; }

TEST_F(DebugCliTest, WorkingDuckDbAndLocalDataPassEveryCheck) {
  const std::string db = dir_.path() + "/new.duckdb";
  DebugRun r = Debug({"--target", "duckdb:" + db}, BaseEnv());
  EXPECT_EQ(r.exit_code, 0) << Dump(r);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.checks["config"].status, "ok") << Dump(r);
  EXPECT_EQ(r.checks["target"].status, "ok") << Dump(r);
  EXPECT_NE(r.checks["target"].detail.find("would be created"), std::string::npos) << Dump(r);
  EXPECT_FALSE(fs::exists(db)) << "debug must not create the DuckDB file";
  EXPECT_EQ(r.checks["songs"].status, "ok");
  EXPECT_NE(r.checks["songs"].detail.find("71 files"), std::string::npos) << Dump(r);
  EXPECT_EQ(r.checks["events"].status, "ok");
  EXPECT_EQ(r.checks["aws identity"].status, "skip");
  EXPECT_EQ(r.checks["cluster"].status, "skip");
  EXPECT_EQ(r.settings["target"], "duckdb:" + db);
  EXPECT_EQ(r.settings["songs"], SampleDataDir() + "/song_data");

  // An existing file opens.
  CommandResult made = RunSparkify({"create-tables", "--target", "duckdb:" + db});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  DebugRun again = Debug({"--target", "duckdb:" + db}, BaseEnv());
  EXPECT_EQ(again.exit_code, 0) << Dump(again);
  EXPECT_NE(again.checks["target"].detail.find("opens (DuckDB v"), std::string::npos)
      << Dump(again);
}

TEST_F(DebugCliTest, BrokenLocalSetupFailsWithReasonsAndHints) {
  WriteFile(cfg_, "[S3]\nSONG_DATA=" + dir_.path() + "/nowhere\nLOG_DATA=" + dir_.path() + "\n");
  DebugRun r = Debug({"--target", "duckdb:" + dir_.path() + "/no/such/folder/x.duckdb"}, BaseEnv());
  EXPECT_EQ(r.exit_code, 1) << Dump(r);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.checks["target"].status, "fail");
  EXPECT_NE(r.checks["target"].detail.find("does not either"), std::string::npos) << Dump(r);
  EXPECT_FALSE(r.checks["target"].hint.empty());
  EXPECT_EQ(r.checks["songs"].status, "fail");
  EXPECT_NE(r.checks["songs"].detail.find("nowhere"), std::string::npos) << Dump(r);
  EXPECT_EQ(r.checks["events"].status, "fail");  // a folder without .json files
  EXPECT_NE(r.checks["events"].detail.find("no .json files"), std::string::npos) << Dump(r);
}

TEST_F(DebugCliTest, MalformedConfigFailsTheConfigCheck) {
  WriteFile(cfg_, "[S3\nSONG_DATA=x\n");
  DebugRun r = Debug({"--target", "duckdb:" + dir_.path() + "/x.duckdb"}, BaseEnv());
  EXPECT_EQ(r.exit_code, 1) << Dump(r);
  EXPECT_EQ(r.checks["config"].status, "fail") << Dump(r);
}

TEST_F(DebugCliTest, PostgresWorkingWrongPortAndBadPassword) {
  const char* uri = std::getenv("SPARKIFY_TEST_PG_URI");
  ASSERT_TRUE(uri != nullptr && uri[0] != '\0')
      << "SPARKIFY_TEST_PG_URI is not set: run ./scripts/start-postgres.sh (apt-get install "
         "postgresql-15) and export its output";
  DebugRun ok = Debug({"--target", uri}, BaseEnv());
  EXPECT_EQ(ok.exit_code, 0) << Dump(ok);
  EXPECT_EQ(ok.checks["target"].status, "ok") << Dump(ok);
  EXPECT_NE(ok.checks["target"].detail.find("PostgreSQL 15"), std::string::npos) << Dump(ok);

  std::smatch m;
  std::string s(uri);
  ASSERT_TRUE(std::regex_search(s, m, std::regex("port=([0-9]+)"))) << s;
  const std::string port = m[1];
  // Nothing listens on the port after the server's: refused.
  DebugRun wrong_port =
      Debug({"--target", "postgresql://postgres@127.0.0.1:" + std::to_string(std::stoi(port) + 1) +
                             "/postgres"},
            BaseEnv());
  EXPECT_EQ(wrong_port.exit_code, 1) << Dump(wrong_port);
  EXPECT_EQ(wrong_port.checks["target"].status, "fail");
  EXPECT_NE(wrong_port.checks["target"].hint.find("not reachable"), std::string::npos)
      << Dump(wrong_port);

  DebugRun bad_pw =
      Debug({"--target", "postgresql://postgres:Wr0ngPassw0rd@127.0.0.1:" + port + "/postgres"},
            BaseEnv());
  EXPECT_EQ(bad_pw.exit_code, 1) << Dump(bad_pw);
  EXPECT_EQ(bad_pw.checks["target"].status, "fail");
  EXPECT_NE(bad_pw.checks["target"].detail.find("password authentication failed"),
            std::string::npos)
      << Dump(bad_pw);
  EXPECT_NE(bad_pw.checks["target"].hint.find("rejected"), std::string::npos) << Dump(bad_pw);
  EXPECT_EQ(Dump(bad_pw).find("Wr0ngPassw0rd"), std::string::npos) << "password printed";
}

TEST_F(DebugCliTest, S3LocationsAndAwsIdentity) {
  moto_ = MotoUrlOrFail();
  ASSERT_FALSE(moto_.empty());
  const std::string bucket = UniqueBucket("sparkify-debug");
  {
    aws::S3Config config;
    config.endpoint_url = moto_;
    config.client.credentials = aws::Credentials{kAccessKey, kSecret, "", "test"};
    auto client = aws::S3Client::Create(config);
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE((*client)->CreateBucket(bucket).ok());
    ASSERT_TRUE(
        (*client)->PutObject(bucket, "song_data/A/TRA.json", "{}", "application/json").ok());
    ASSERT_TRUE((*client)->PutObject(bucket, "log_data/2018/e.json", "", "application/json").ok());
  }
  const std::vector<std::string> target = {"--target", "duckdb:" + dir_.path() + "/x.duckdb"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), target.begin(), target.end());
    return extra;
  };
  DebugRun ok = Debug(with({"--songs", "s3://" + bucket + "/song_data", "--events",
                            "s3://" + bucket + "/log_data"}),
                      WithKeys());
  EXPECT_EQ(ok.exit_code, 0) << Dump(ok);
  EXPECT_EQ(ok.checks["songs"].status, "ok") << Dump(ok);
  EXPECT_NE(ok.checks["songs"].detail.find("song_data/A/TRA.json"), std::string::npos) << Dump(ok);
  EXPECT_NE(ok.checks["songs"].detail.find("signed"), std::string::npos) << Dump(ok);
  EXPECT_EQ(ok.checks["events"].status, "ok") << Dump(ok);
  EXPECT_EQ(ok.checks["aws identity"].status, "ok") << Dump(ok);
  EXPECT_NE(ok.checks["aws identity"].detail.find("account 123456789012"), std::string::npos)
      << Dump(ok);
  EXPECT_NE(ok.checks["aws identity"].detail.find("arn:aws:"), std::string::npos) << Dump(ok);
  EXPECT_EQ(ok.settings["aws access key id"], "****************0001");
  EXPECT_EQ(ok.settings["aws secret access key"], "********");

  DebugRun missing = Debug(with({"--songs", "s3://" + bucket + "-missing/song_data", "--events",
                                 "s3://" + bucket + "/log_data"}),
                           WithKeys());
  EXPECT_EQ(missing.exit_code, 1) << Dump(missing);
  EXPECT_EQ(missing.checks["songs"].status, "fail");
  EXPECT_NE(missing.checks["songs"].detail.find("NoSuchBucket"), std::string::npos)
      << Dump(missing);
  EXPECT_EQ(missing.checks["events"].status, "ok");

  DebugRun no_keys = Debug(with({"--songs", "s3://" + bucket + "/song_data", "--events",
                                 "s3://" + bucket + "/log_data"}),
                           BaseEnv());
  EXPECT_EQ(no_keys.exit_code, 1) << Dump(no_keys);
  for (const char* check : {"songs", "events", "aws identity"}) {
    EXPECT_EQ(no_keys.checks[check].status, "fail") << check;
    EXPECT_NE(no_keys.checks[check].detail.find("no AWS credentials found"), std::string::npos)
        << Dump(no_keys);
  }
  EXPECT_EQ(no_keys.settings["aws access key id"], "");
}

TEST_F(DebugCliTest, TextOutputAndBadFormat) {
  ProcessResult text = RunProcess({SPARKIFY_BINARY, "--no-color", "--config", cfg_, "debug",
                                   "--target", "duckdb:" + dir_.path() + "/x.duckdb"},
                                  BaseEnv());
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("settings:\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  OK    target: "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("checks: all passed"), std::string::npos) << text.out;
  ProcessResult bad = RunProcess(
      {SPARKIFY_BINARY, "--no-color", "--config", cfg_, "debug", "--format", "yaml"}, BaseEnv());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

}  // namespace
}  // namespace sparkify::testing
