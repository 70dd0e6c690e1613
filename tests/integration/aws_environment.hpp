#pragma once
#include <stdlib.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/support.hpp"

namespace firedrill::testing {

// The AWS variables of this process, set for one test and restored after it: the checks read
// the process's environment as the SDKs do.
class AwsEnvironment {
 public:
  AwsEnvironment() {
    for (const char* name : kNames) {
      if (const char* v = getenv(name)) saved_.emplace_back(name, v);
      unsetenv(name);
    }
    // Never the machine's own ~/.aws.
    set("AWS_CONFIG_FILE", (dir_.path() / "config").string());
    set("AWS_SHARED_CREDENTIALS_FILE", (dir_.path() / "credentials").string());
    set("AWS_EC2_METADATA_DISABLED", "true");
  }
  ~AwsEnvironment() {
    for (const char* name : kNames) unsetenv(name);
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }
  void set(const char* name, const std::string& value) { setenv(name, value.c_str(), 1); }
  void unset(const char* name) { unsetenv(name); }
  void static_keys(const std::string& key_id, const std::string& secret) {
    set("AWS_ACCESS_KEY_ID", key_id);
    set("AWS_SECRET_ACCESS_KEY", secret);
  }
  fs::path file(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() / name) << text;
    return dir_.path() / name;
  }

 private:
  static constexpr const char* kNames[] = {"AWS_ACCESS_KEY_ID",
                                           "AWS_SECRET_ACCESS_KEY",
                                           "AWS_SESSION_TOKEN",
                                           "AWS_PROFILE",
                                           "AWS_REGION",
                                           "AWS_DEFAULT_REGION",
                                           "AWS_CONFIG_FILE",
                                           "AWS_SHARED_CREDENTIALS_FILE",
                                           "AWS_ROLE_ARN",
                                           "AWS_WEB_IDENTITY_TOKEN_FILE",
                                           "AWS_ROLE_SESSION_NAME",
                                           "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                           "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                           "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                           "AWS_EC2_METADATA_DISABLED",
                                           "AWS_ENDPOINT_URL",
                                           "AWS_ENDPOINT_URL_STS",
                                           "AWS_ENDPOINT_URL_CLOUDWATCH",
                                           "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"};
  TempDir dir_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

}  // namespace firedrill::testing
