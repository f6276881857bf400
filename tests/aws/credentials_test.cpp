// The credential chain, region and endpoint precedence, with a temporary HOME and files.
// Every test starts from an environment with no AWS_* variable; ScopedEnv restores it after.
#include "sparkify/aws/credentials.hpp"

#include <gtest/gtest.h>

#include "testing/aws_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify::aws {
namespace {

using sparkify::testing::ScopedEnv;
using sparkify::testing::TempDir;
using sparkify::testing::WriteFileOrDie;

class CredentialChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.ClearAws();
    env_.Set("HOME", home_.path());
  }
  void WriteCredentials(const std::string& text) {
    WriteFileOrDie(std::filesystem::path(home_.path()) / ".aws" / "credentials", text);
  }
  void WriteConfig(const std::string& text) {
    WriteFileOrDie(std::filesystem::path(home_.path()) / ".aws" / "config", text);
  }
  Result<Credentials> Resolve() {
    Result<SharedConfig> shared = SharedConfig::Load();
    if (!shared.ok()) return shared.take_error();
    return ResolveCredentials(*shared);
  }
  SharedConfig LoadOrDie() {
    Result<SharedConfig> shared = SharedConfig::Load();
    EXPECT_TRUE(shared.ok()) << shared.error().ToString();
    return std::move(shared).value();
  }

  TempDir home_;
  ScopedEnv env_;
};

TEST_F(CredentialChainTest, EnvironmentWinsOverProfiles) {
  WriteCredentials("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n");
  env_.Set("AWS_ACCESS_KEY_ID", "ENVKEY");
  env_.Set("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
  env_.Set("AWS_SESSION_TOKEN", "ENVTOKEN");
  Result<Credentials> c = Resolve();
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "ENVKEY");
  EXPECT_EQ(c->secret_access_key, "ENVSECRET");
  EXPECT_EQ(c->session_token, "ENVTOKEN");
  EXPECT_EQ(c->source, "environment");
}

TEST_F(CredentialChainTest, EnvironmentWinsEvenOverANamedProfile) {
  // As in the AWS CLI: AWS_PROFILE does not outrank the key variables.
  WriteCredentials("[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\n");
  env_.Set("AWS_PROFILE", "dev");
  env_.Set("AWS_ACCESS_KEY_ID", "ENVKEY");
  env_.Set("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
  Result<Credentials> c = Resolve();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ENVKEY");
}

TEST_F(CredentialChainTest, HalfSetEnvironmentIsAnError) {
  env_.Set("AWS_ACCESS_KEY_ID", "ENVKEY");
  Result<Credentials> c = Resolve();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kConfig);
  EXPECT_NE(c.error().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST_F(CredentialChainTest, DefaultProfileFromCredentialsFile) {
  WriteCredentials(
      "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n"
      "aws_session_token = FILETOKEN\n");
  Result<Credentials> c = Resolve();
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "FILEKEY");
  EXPECT_EQ(c->secret_access_key, "FILESECRET");
  EXPECT_EQ(c->session_token, "FILETOKEN");
  EXPECT_NE(c->source.find("profile default in"), std::string::npos) << c->source;
}

TEST_F(CredentialChainTest, AwsProfileSelectsASection) {
  WriteCredentials(
      "[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = DEFSECRET\n"
      "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\n");
  env_.Set("AWS_PROFILE", "dev");
  Result<Credentials> c = Resolve();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "DEVKEY");
}

TEST_F(CredentialChainTest, AwsProfileOutranksAwsDefaultProfile) {
  WriteCredentials(
      "[a]\naws_access_key_id = AKEY\naws_secret_access_key = ASECRET\n"
      "[b]\naws_access_key_id = BKEY\naws_secret_access_key = BSECRET\n");
  env_.Set("AWS_DEFAULT_PROFILE", "b");
  EXPECT_EQ(Resolve()->access_key_id, "BKEY");
  env_.Set("AWS_PROFILE", "a");
  EXPECT_EQ(Resolve()->access_key_id, "AKEY");
}

TEST_F(CredentialChainTest, ConfigFileProfileSectionIsUsedWhenCredentialsFileLacksIt) {
  WriteConfig(
      "[profile dev]\nregion = eu-west-1\naws_access_key_id = CFGKEY\n"
      "aws_secret_access_key = CFGSECRET\n");
  env_.Set("AWS_PROFILE", "dev");
  Result<Credentials> c = Resolve();
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "CFGKEY");
  EXPECT_NE(c->source.find("config"), std::string::npos);
}

TEST_F(CredentialChainTest, CredentialsFileWinsOverConfigFile) {
  WriteCredentials("[dev]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n");
  WriteConfig("[profile dev]\naws_access_key_id = CFGKEY\naws_secret_access_key = CFGSECRET\n");
  env_.Set("AWS_PROFILE", "dev");
  EXPECT_EQ(Resolve()->access_key_id, "CREDKEY");
}

TEST_F(CredentialChainTest, ConfigFileUsesPlainDefaultSection) {
  WriteConfig(
      "[default]\naws_access_key_id = CFGKEY\naws_secret_access_key = CFGSECRET\n"
      "region = ap-south-1\n");
  EXPECT_EQ(Resolve()->access_key_id, "CFGKEY");
  EXPECT_EQ(ResolveRegion(LoadOrDie()).value, "ap-south-1");
}

TEST_F(CredentialChainTest, FileLocationsComeFromTheEnvironment) {
  TempDir elsewhere;
  WriteFileOrDie(std::filesystem::path(elsewhere.path()) / "creds",
                 "[default]\naws_access_key_id = OTHERKEY\naws_secret_access_key = OTHERSECRET\n");
  WriteFileOrDie(std::filesystem::path(elsewhere.path()) / "conf",
                 "[default]\nregion = sa-east-1\n");
  WriteCredentials("[default]\naws_access_key_id = HOMEKEY\naws_secret_access_key = HOMESECRET\n");
  env_.Set("AWS_SHARED_CREDENTIALS_FILE",
           (std::filesystem::path(elsewhere.path()) / "creds").string());
  env_.Set("AWS_CONFIG_FILE", (std::filesystem::path(elsewhere.path()) / "conf").string());
  EXPECT_EQ(Resolve()->access_key_id, "OTHERKEY");
  EXPECT_EQ(ResolveRegion(LoadOrDie()).value, "sa-east-1");
}

TEST_F(CredentialChainTest, TildeInFileVariablesIsHome) {
  WriteFileOrDie(std::filesystem::path(home_.path()) / "my-creds",
                 "[default]\naws_access_key_id = TILDEKEY\naws_secret_access_key = S\n");
  env_.Set("AWS_SHARED_CREDENTIALS_FILE", "~/my-creds");
  EXPECT_EQ(Resolve()->access_key_id, "TILDEKEY");
}

TEST_F(CredentialChainTest, NamedProfileThatDoesNotExistIsAnError) {
  WriteCredentials("[default]\naws_access_key_id = K\naws_secret_access_key = S\n");
  env_.Set("AWS_PROFILE", "nosuch");
  Result<SharedConfig> shared = SharedConfig::Load();
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error().code(), ErrorCode::kConfig);
  EXPECT_NE(shared.error().message().find("\"nosuch\""), std::string::npos);
}

TEST_F(CredentialChainTest, NothingAnywhereSaysHowToFixIt) {
  Result<Credentials> c = Resolve();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kConfig);
  EXPECT_NE(c.error().message().find("--no-sign-request"), std::string::npos);
  EXPECT_NE(c.error().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

TEST_F(CredentialChainTest, UnsupportedMechanismsAreNamed) {
  WriteConfig(
      "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n");
  env_.Set("AWS_PROFILE", "admin");
  Result<Credentials> c = Resolve();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kConfig);
  EXPECT_NE(c.error().message().find("role_arn"), std::string::npos);
}

TEST_F(CredentialChainTest, ProfileWithOnlyOneKeyIsAnError) {
  WriteCredentials("[default]\naws_access_key_id = K\n");
  Result<Credentials> c = Resolve();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kConfig);
  EXPECT_NE(c.error().message().find("aws_secret_access_key"), std::string::npos);
}

TEST_F(CredentialChainTest, ErrorsNeverCarryTheSecret) {
  WriteCredentials("[default]\naws_secret_access_key = TOPSECRETVALUE\n");
  Result<Credentials> c = Resolve();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().ToString().find("TOPSECRETVALUE"), std::string::npos);
}

TEST_F(CredentialChainTest, RegionPrecedence) {
  WriteConfig("[profile dev]\nregion = eu-west-1\n[default]\nregion = us-west-1\n");
  EXPECT_EQ(ResolveRegion(LoadOrDie()).value, "us-west-1");
  env_.Set("AWS_PROFILE", "dev");
  Setting r = ResolveRegion(LoadOrDie());
  EXPECT_EQ(r.value, "eu-west-1");
  EXPECT_NE(r.origin.find("profile dev"), std::string::npos);
  env_.Set("AWS_DEFAULT_REGION", "us-east-2");
  EXPECT_EQ(ResolveRegion(LoadOrDie()).value, "us-east-2");
  env_.Set("AWS_REGION", "us-west-2");
  r = ResolveRegion(LoadOrDie());
  EXPECT_EQ(r.value, "us-west-2");
  EXPECT_EQ(r.origin, "$AWS_REGION");
}

TEST_F(CredentialChainTest, NoRegionAnywhereIsEmpty) {
  EXPECT_EQ(ResolveRegion(LoadOrDie()).value, "");
}

TEST_F(CredentialChainTest, EndpointPrecedence) {
  WriteConfig("[default]\nendpoint_url = http://profile:1\n");
  SharedConfig shared = LoadOrDie();
  EXPECT_EQ(ResolveEndpointUrl(shared, "S3", "").value, "http://profile:1");
  env_.Set("AWS_ENDPOINT_URL", "http://global:2");
  EXPECT_EQ(ResolveEndpointUrl(shared, "S3", "").value, "http://global:2");
  env_.Set("AWS_ENDPOINT_URL_S3", "http://s3:3");
  Setting e = ResolveEndpointUrl(shared, "S3", "");
  EXPECT_EQ(e.value, "http://s3:3");
  EXPECT_EQ(e.origin, "$AWS_ENDPOINT_URL_S3");
  EXPECT_EQ(ResolveEndpointUrl(shared, "IAM", "").value, "http://global:2");
  EXPECT_EQ(ResolveEndpointUrl(shared, "S3", "http://flag:4").value, "http://flag:4");
  env_.Set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
  EXPECT_EQ(ResolveEndpointUrl(shared, "S3", "").value, "");
  EXPECT_EQ(ResolveEndpointUrl(shared, "S3", "http://flag:4").value, "http://flag:4");
}

TEST_F(CredentialChainTest, UnparsableFileIsAConfigError) {
  WriteCredentials("[default\naws_access_key_id = K\n");
  Result<SharedConfig> shared = SharedConfig::Load();
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error().code(), ErrorCode::kConfig);
}

}  // namespace
}  // namespace sparkify::aws
