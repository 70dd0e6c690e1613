// The credential chain's choices, the shared files, and the cache, with temporary files and an
// environment of the test's own. STS, container and IMDS sources are tested against the contract
// server in tests/integration/aws_checks_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "clients/aws_client.hpp"
#include "clients/aws_config_files.hpp"
#include "clients/aws_credentials.hpp"
#include "clients/integrations.hpp"
#include "common/errors.hpp"

namespace firedrill::testing {
namespace {

namespace fs = std::filesystem;
using clients::AwsConfigFiles;
using clients::AwsCredentialCache;
using clients::AwsCredentials;
using clients::AwsCredentialsError;
using clients::AwsCredentialSource;
using clients::Environment;
using ::testing::HasSubstr;
using ::testing::Not;

class AwsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "firedrill-aws-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ / ".aws");
    env_ = {{"HOME", dir_.string()}};
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  // Resolves the chain and fetches once (only sources that need no network).
  AwsCredentials resolve(const std::string& profile = "") {
    clients::AwsCredentialOptions options;
    options.env = env_;
    options.profile = profile;
    options.region = "eu-west-1";
    return clients::default_credential_source(options)->fetch();
  }
  std::string describe(const std::string& profile = "") {
    clients::AwsCredentialOptions options;
    options.env = env_;
    options.profile = profile;
    return clients::default_credential_source(options)->describe();
  }
  std::string error(const std::string& profile = "") {
    try {
      resolve(profile);
    } catch (const AwsCredentialsError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
  Environment env_;
};

TEST_F(AwsFiles, EnvironmentKeysAndSessionToken) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIDENV00001";
  env_["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  env_["AWS_SESSION_TOKEN"] = "env-token";
  AwsCredentials c = resolve();
  EXPECT_EQ(c.access_key_id, "AKIDENV00001");
  EXPECT_EQ(c.secret_access_key, "env-secret");
  EXPECT_EQ(c.session_token, "env-token");
  EXPECT_EQ(c.source, "environment");
}

TEST_F(AwsFiles, HalfTheEnvironmentKeysIsAnError) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIDENV00001";
  EXPECT_THAT(error(), HasSubstr("AWS_SECRET_ACCESS_KEY is not"));
}

TEST_F(AwsFiles, ConfigProfilesAreProfilePrefixedCredentialsProfilesAreNot) {
  AwsConfigFiles files = AwsConfigFiles::parse(
      "# comment\n[default]\nregion = us-east-1\n[profile dev]\nregion=eu-west-1 ; trailing\n"
      "s3 =\n  max_concurrent_requests = 20\n[prod]\nregion = ap-south-1\n",
      "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev/secret+x\n"
      "[profile prod]\naws_access_key_id = AKIDPROD\n");
  ASSERT_TRUE(files.profile("dev"));
  EXPECT_EQ(files.profile("dev")->at("region"), "eu-west-1");
  EXPECT_EQ(files.profile("dev")->at("aws_access_key_id"), "AKIDDEV");
  EXPECT_EQ(files.profile("dev")->at("aws_secret_access_key"), "dev/secret+x");
  EXPECT_FALSE(files.profile("dev")->contains("max_concurrent_requests"));
  EXPECT_EQ(files.profile("default")->at("region"), "us-east-1");
  // "[prod]" in the config file and "[profile prod]" in the credentials file name nothing.
  EXPECT_FALSE(files.profile("prod"));
  EXPECT_TRUE(files.profile("profile prod"));
}

TEST_F(AwsFiles, ProfileFromAwsProfileWithFileOverrides) {
  write("my-config", "[profile dev]\nregion = eu-west-1\n");
  write("my-credentials", "[dev]\naws_access_key_id = AKIDDEV1\naws_secret_access_key = s1\n");
  write(".aws/credentials", "[dev]\naws_access_key_id = AKIDHOME\naws_secret_access_key = s2\n");
  env_["AWS_PROFILE"] = "dev";
  EXPECT_EQ(resolve().access_key_id, "AKIDHOME");
  env_["AWS_CONFIG_FILE"] = (dir_ / "my-config").string();
  env_["AWS_SHARED_CREDENTIALS_FILE"] = (dir_ / "my-credentials").string();
  AwsCredentials c = resolve();
  EXPECT_EQ(c.access_key_id, "AKIDDEV1");
  EXPECT_EQ(c.source, "profile dev");
}

TEST_F(AwsFiles, DefaultProfileWhenNothingElseIsConfigured) {
  write(".aws/credentials", "[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = s\n");
  EXPECT_EQ(resolve().access_key_id, "AKIDDEF");
}

TEST_F(AwsFiles, EnvironmentOutranksAwsProfileButNotTheDrillsProfile) {
  write(".aws/credentials", "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n");
  env_["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "e";
  env_["AWS_PROFILE"] = "dev";
  EXPECT_EQ(resolve().access_key_id, "AKIDENV");
  EXPECT_EQ(resolve("dev").access_key_id, "AKIDDEV");
}

TEST_F(AwsFiles, MissingNamedProfileSaysWhereItLooked) {
  env_["AWS_PROFILE"] = "nope";
  std::string e = error();
  EXPECT_THAT(e, HasSubstr("profile nope (from AWS_PROFILE)"));
  EXPECT_THAT(e, HasSubstr((dir_ / ".aws/credentials").string()));
}

TEST_F(AwsFiles, RoleProfilesAssumeTheRoleWithTheirSource) {
  write(".aws/config",
        "[profile base]\nregion = eu-west-1\n"
        "[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = base\n"
        "[profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop-b\n"
        "[profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop-a\n"
        "[profile orphan]\nrole_arn = arn:aws:iam::1:role/o\n"
        "[profile odd]\nrole_arn = arn:aws:iam::1:role/o\ncredential_source = Somewhere\n"
        "[profile irsa]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = /t\n"
        "[profile sso]\nsso_session = corp\n");
  write(".aws/credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n");
  EXPECT_THAT(describe("ops"),
              HasSubstr("STS AssumeRole of arn:aws:iam::123456789012:role/ops with profile base"));
  EXPECT_THAT(describe("irsa"), HasSubstr("AssumeRoleWithWebIdentity of arn:aws:iam::1:role/w"));
  EXPECT_THAT(error("loop-a"), HasSubstr("loop"));
  EXPECT_THAT(error("orphan"), HasSubstr("has role_arn but no source_profile"));
  EXPECT_THAT(error("odd"), HasSubstr("is not Environment, EcsContainer or Ec2InstanceMetadata"));
  EXPECT_THAT(error("sso"), HasSubstr("IAM Identity Center"));
}

TEST_F(AwsFiles, WebIdentityFromTheEnvironmentNeedsTheRole) {
  env_["AWS_WEB_IDENTITY_TOKEN_FILE"] = (dir_ / "token").string();
  EXPECT_THAT(error(), HasSubstr("AWS_ROLE_ARN is not"));
  env_["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/irsa";
  EXPECT_THAT(describe(), HasSubstr("web identity: STS AssumeRoleWithWebIdentity of "
                                    "arn:aws:iam::123456789012:role/irsa"));
}

TEST_F(AwsFiles, ContainerUrlMustBeHttpsOrALocalAgent) {
  env_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://example.com/creds";
  EXPECT_THAT(error(), HasSubstr("must be https, or http to loopback"));
  env_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://169.254.170.23/v1/credentials";
  EXPECT_EQ(describe(), "container credentials at http://169.254.170.23/v1/credentials");
  env_.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  env_["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  EXPECT_EQ(describe(), "container credentials at http://169.254.170.2/v2/credentials/abc");
}

TEST_F(AwsFiles, InstanceMetadataLastUnlessDisabled) {
  EXPECT_THAT(describe(), HasSubstr("EC2 instance metadata (IMDSv2) at http://169.254.169.254"));
  env_["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:1";
  EXPECT_THAT(describe(), HasSubstr("at http://127.0.0.1:1"));
  env_["AWS_EC2_METADATA_DISABLED"] = "true";
  EXPECT_THAT(error(), HasSubstr("no AWS credentials"));
}

// integrations.aws of `block` (none when null), resolved in `env` as a check does.
clients::AwsSettings aws_settings(const nlohmann::json* block, const std::string& region,
                                  const clients::Environment& env) {
  const clients::Integrations integrations(block ? *block : nlohmann::json::object());
  return clients::aws_settings(integrations.aws, region, env);
}

TEST_F(AwsFiles, RegionFromCheckDrillEnvironmentOrProfile) {
  write(".aws/config", "[default]\nregion = ap-south-1\n[profile dev]\nregion = eu-north-1\n");
  nlohmann::json integrations = {{"aws", {{"profile", "dev"}}}};
  EXPECT_EQ(aws_settings(&integrations, "", env_).region, "eu-north-1");
  EXPECT_EQ(aws_settings(nullptr, "", env_).region, "ap-south-1");
  env_["AWS_REGION"] = "us-west-2";
  EXPECT_EQ(aws_settings(nullptr, "", env_).region, "us-west-2");
  integrations["aws"]["region"] = "eu-west-3";
  EXPECT_EQ(aws_settings(&integrations, "", env_).region, "eu-west-3");
  EXPECT_EQ(aws_settings(&integrations, "sa-east-1", env_).region, "sa-east-1");
}

TEST_F(AwsFiles, SettingsErrorsNameTheSetting) {
  auto error_of = [&](nlohmann::json aws) {
    nlohmann::json integrations = {{"aws", aws}};
    try {
      aws_settings(&integrations, "us-east-1", env_);
    } catch (const common::ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(error_of({{"regoin", "x"}}), HasSubstr("integrations.aws.regoin is not a setting"));
  EXPECT_THAT(error_of({{"endpoints", {{"s3", "http://x"}}}}),
              HasSubstr("integrations.aws.endpoints.s3 is not a service"));
  EXPECT_THAT(error_of({{"endpoints", {{"logs", "ftp://x"}}}}),
              HasSubstr("must start with http:// or https://"));
  EXPECT_THAT(error_of({{"region", 5}}), HasSubstr("integrations.aws.region must be a string"));
  try {
    aws_settings(nullptr, "", env_);
    ADD_FAILURE() << "no region accepted";
  } catch (const common::ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no AWS region"));
  }
}

// A source that counts its fetches and hands out credentials with a given lifetime.
class CountingSource final : public AwsCredentialSource {
 public:
  explicit CountingSource(clients::WallClock::time_point expiration) : expiration_(expiration) {}
  AwsCredentials fetch() override {
    ++fetches;
    if (fail) throw AwsCredentialsError("refused");
    return {"AKID" + std::to_string(fetches), "s", "t", expiration_, "counting"};
  }
  std::string describe() const override { return "counting"; }
  int fetches = 0;
  bool fail = false;

 private:
  clients::WallClock::time_point expiration_;
};

TEST(AwsCredentialCache, RefreshesBeforeExpiryAndOnInvalidate) {
  using namespace std::chrono_literals;
  const auto t0 = clients::WallClock::time_point(std::chrono::seconds(1767225600));
  auto owned = std::make_unique<CountingSource>(t0 + 1h);
  CountingSource* source = owned.get();
  AwsCredentialCache cache(std::move(owned), 5min);
  EXPECT_EQ(cache.get(t0).access_key_id, "AKID1");
  EXPECT_EQ(cache.get(t0 + 54min).access_key_id, "AKID1");
  EXPECT_EQ(cache.get(t0 + 56min).access_key_id, "AKID2");  // within 5 minutes of expiry
  cache.invalidate();
  EXPECT_EQ(cache.get(t0).access_key_id, "AKID3");
  // A failed refresh keeps credentials that are still valid, and fails once they are not.
  source->fail = true;
  EXPECT_EQ(cache.get(t0 + 58min).access_key_id, "AKID3");
  EXPECT_THROW(cache.get(t0 + 61min), AwsCredentialsError);
}

}  // namespace
}  // namespace firedrill::testing
