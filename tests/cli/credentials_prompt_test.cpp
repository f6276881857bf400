// Typed-in AWS credentials (issue 17), in a real pseudo-terminal: tmux runs sparkify with no
// credentials anywhere, the test types the access key id and the secret at the prompts, and
// then checks that the secret appears nowhere: not on the screen (tmux's capture of the pane,
// scroll-back included), not in stdout or stderr, not in the runs table, not in any file the
// run left. Ctrl-C at the secret prompt ends the run as interrupted with the terminal's echo
// restored. Without a terminal the chain's clear error stands. Needs tmux (scripts/setup.sh
// installs it) and moto without auth ($SPARKIFY_TEST_MOTO_URL) for S3 and STS.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "sparkify/aws/s3.hpp"
#include "testing/aws_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kKeyId[] = "AKIDTYPEDIN0042";
constexpr char kSecret[] = "TyPeD-secret-4a9c-never-on-screen";

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

class CredentialsPromptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ProcessResult which = RunProcess({"/bin/sh", "-c", "command -v tmux"});
    ASSERT_EQ(which.exit_code, 0)
        << "tmux is required for the pseudo-terminal test: apt-get install tmux (or run "
           "./scripts/setup.sh)";
    tmux_ = which.out.substr(0, which.out.find('\n'));
    socket_ = dir_.path() + "/tmux.sock";
  }
  void TearDown() override { Tmux({"kill-server"}); }

  ProcessResult Tmux(std::vector<std::string> args) {
    args.insert(args.begin(), {tmux_, "-S", socket_});
    return RunProcess(args);
  }

  // Printed after a run's `stty -a` (Start).
  static constexpr const char* kSttyDone = "STTY-DONE";

  // Starts `command` (a shell line) in a fresh tmux session with a clean environment: no AWS
  // credentials, profiles or config files; S3/STS at moto. The shell survives Ctrl-C (its
  // trap) to print the exit status, then `stty -a` followed by kSttyDone.
  void Start(const std::string& command) {
    const std::string env =
        "env -i PATH=/usr/bin:/bin HOME=" + ShellQuote(dir_.path()) +
        " TERM=xterm AWS_ENDPOINT_URL=" + ShellQuote(moto_) +
        " AWS_REGION=us-west-2 AWS_SHARED_CREDENTIALS_FILE=" + ShellQuote(dir_.path() + "/none") +
        " AWS_CONFIG_FILE=" + ShellQuote(dir_.path() + "/none") +
        " AWS_MAX_ATTEMPTS=1 SPARKIFY_CHECKIP_URL=http://127.0.0.1:9 ";
    ProcessResult r = Tmux(
        {"new-session", "-d", "-s", "t", "-x", "250", "-y", "50",
         "/bin/sh -c " + ShellQuote("trap : INT; " + env + command +
                                    "; echo EXIT=$?; stty -a; echo " + kSttyDone + "; sleep 600")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string Screen() {
    ProcessResult r = Tmux({"capture-pane", "-p", "-J", "-S", "-", "-t", "t"});
    return r.out;
  }

  // Waits (at most 30 s) until the screen shows `text`; returns the screen.
  std::string WaitFor(const std::string& text) {
    std::string screen;
    for (int i = 0; i < 300; ++i) {
      screen = Screen();
      if (screen.find(text) != std::string::npos) return screen;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the screen never showed \"" << text << "\":\n" << screen;
    return screen;
  }

  void Type(const std::string& text) {
    ASSERT_EQ(Tmux({"send-keys", "-t", "t", "-l", text}).exit_code, 0);
    ASSERT_EQ(Tmux({"send-keys", "-t", "t", "Enter"}).exit_code, 0);
  }

  std::string MakeBucket() {
    const std::string bucket = UniqueBucket("sparkify-prompt");
    aws::S3Config config;
    config.endpoint_url = moto_;
    config.client.credentials = aws::Credentials{"setup", "setup", "", "test"};
    auto client = aws::S3Client::Create(config);
    EXPECT_TRUE(client.ok());
    EXPECT_TRUE((*client)->CreateBucket(bucket).ok());
    const fs::path data = SampleDataDir();
    for (const char* kind : {"song_data", "log_data"}) {
      for (const auto& e : fs::recursive_directory_iterator(data / kind)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream body;
        body << in.rdbuf();
        Status s = (*client)->PutObject(bucket, fs::relative(e.path(), data).string(), body.str(),
                                        "application/json");
        EXPECT_TRUE(s.ok()) << s.error().ToString();
      }
    }
    return bucket;
  }

  // Every file below the folder, searched for the secret.
  void ExpectNoFileHoldsTheSecret() {
    for (const auto& e : fs::recursive_directory_iterator(dir_.path())) {
      if (!e.is_regular_file() || e.path().filename() == "tmux.sock") continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      EXPECT_EQ(bytes.str().find(kSecret), std::string::npos) << "the secret is in " << e.path();
    }
  }

  TempDir dir_;
  std::string tmux_;
  std::string socket_;
  std::string moto_;
};

TEST_F(CredentialsPromptTest, TypedCredentialsLoadFromS3AndAreNeverShownOrWritten) {
  moto_ = MotoUrlOrFail();
  ASSERT_FALSE(moto_.empty());
  const std::string bucket = MakeBucket();
  const std::string db = dir_.path() + "/w.duckdb";
  Start(ShellQuote(SPARKIFY_BINARY) + " --no-color -v etl --songs s3://" + bucket +
        "/song_data --events s3://" + bucket + "/log_data --target duckdb:" + ShellQuote(db) +
        " >" + ShellQuote(dir_.path() + "/out.txt") + " 2>" + ShellQuote(dir_.path() + "/err.txt"));
  WaitFor("AWS Access Key ID: ");
  Type(kKeyId);
  WaitFor("AWS Secret Access Key (not shown): ");
  Type(kSecret);
  std::string screen = WaitFor("EXIT=");
  EXPECT_NE(screen.find("EXIT=0"), std::string::npos)
      << screen << ReadFile(dir_.path() + "/err.txt");
  EXPECT_EQ(screen.find(kSecret), std::string::npos) << "the secret was echoed:\n" << screen;
  EXPECT_NE(screen.find(kKeyId), std::string::npos) << "the key id is echoed:\n" << screen;
  const std::string out = ReadFile(dir_.path() + "/out.txt");
  const std::string err = ReadFile(dir_.path() + "/err.txt");
  EXPECT_NE(out.find("fact_songplay"), std::string::npos) << out << err;
  EXPECT_NE(err.find("credentials from typed in at the terminal (kept in memory only)"),
            std::string::npos)
      << err;

  // The runs table holds the arguments, never the secret.
  CommandResult runs = RunSparkify({"query", "--target", "duckdb:" + db, "--sql",
                                    "select arguments from runs", "--format", "csv"});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_NE(runs.out.find("s3://" + bucket + "/song_data"), std::string::npos) << runs.out;
  EXPECT_EQ(runs.out.find(kSecret), std::string::npos) << runs.out;
  EXPECT_EQ(runs.out.find(kKeyId), std::string::npos) << runs.out;
  ExpectNoFileHoldsTheSecret();
}

TEST_F(CredentialsPromptTest, DebugAsksOnceAndShowsTheIdentity) {
  moto_ = MotoUrlOrFail();
  ASSERT_FALSE(moto_.empty());
  const std::string bucket = MakeBucket();
  Start(ShellQuote(SPARKIFY_BINARY) +
        " --no-color debug --target duckdb:" + ShellQuote(dir_.path() + "/d.duckdb") +
        " --songs s3://" + bucket + "/song_data --events s3://" + bucket + "/log_data");
  WaitFor("AWS Access Key ID: ");
  Type(kKeyId);
  WaitFor("AWS Secret Access Key (not shown): ");
  Type(kSecret);
  std::string screen = WaitFor("EXIT=");
  EXPECT_NE(screen.find("EXIT=0"), std::string::npos) << screen;
  EXPECT_NE(screen.find("OK    aws identity: account 123456789012"), std::string::npos) << screen;
  EXPECT_NE(screen.find("****************0042  [typed in at the terminal"), std::string::npos)
      << screen;
  size_t first = screen.find("AWS Access Key ID: ");
  EXPECT_EQ(screen.find("AWS Access Key ID: ", first + 1), std::string::npos)
      << "asked more than once:\n"
      << screen;
  EXPECT_EQ(screen.find(kSecret), std::string::npos) << screen;
  ExpectNoFileHoldsTheSecret();
}

TEST_F(CredentialsPromptTest, CtrlCAtTheSecretPromptRestoresTheTerminal) {
  moto_ = "http://127.0.0.1:9";  // never reached: the run ends at the prompt
  WriteFile(dir_.path() + "/dwh.cfg", "[DWH]\nDWH_CLUSTER_IDENTIFIER=c\n");
  Start(ShellQuote(SPARKIFY_BINARY) + " --no-color --config " +
        ShellQuote(dir_.path() + "/dwh.cfg") + " cluster status");
  WaitFor("AWS Access Key ID: ");
  Type(kKeyId);
  WaitFor("AWS Secret Access Key (not shown): ");
  ASSERT_EQ(Tmux({"send-keys", "-t", "t", "-l", "half-typed"}).exit_code, 0);
  ASSERT_EQ(Tmux({"send-keys", "-t", "t", "C-c"}).exit_code, 0);
  // EXIT= shows before `stty -a` has printed: wait for the line after it.
  std::string screen = WaitFor(kSttyDone);
  EXPECT_NE(screen.find("EXIT=130"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("half-typed"), std::string::npos) << screen;
  // `stty -a` after the run: echo is on again (it would read -echo otherwise).
  std::string stty = screen.substr(screen.find("EXIT="));
  EXPECT_NE(stty.find(" echo "), std::string::npos) << stty;
  EXPECT_EQ(stty.find("-echo "), std::string::npos) << stty;
}

TEST_F(CredentialsPromptTest, WithoutATerminalTheChainsErrorStands) {
  WriteFile(dir_.path() + "/dwh.cfg", "[DWH]\nDWH_CLUSTER_IDENTIFIER=c\n");
  ProcessResult r =
      RunProcess({SPARKIFY_BINARY, "--config", dir_.path() + "/dwh.cfg", "cluster", "status"},
                 {{"AWS_ACCESS_KEY_ID", std::nullopt},
                  {"AWS_SECRET_ACCESS_KEY", std::nullopt},
                  {"AWS_PROFILE", std::nullopt},
                  {"AWS_SHARED_CREDENTIALS_FILE", dir_.path() + "/none"},
                  {"AWS_CONFIG_FILE", dir_.path() + "/none"},
                  {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"}});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("no AWS credentials found: set AWS_ACCESS_KEY_ID and "
                       "AWS_SECRET_ACCESS_KEY, or add profile default to " +
                       dir_.path() + "/none"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("Access Key ID:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sparkify::testing
