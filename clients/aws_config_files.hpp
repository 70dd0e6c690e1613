#pragma once
#include <map>
#include <optional>
#include <string>

#include "clients/aws_credentials.hpp"

namespace firedrill::clients {

using AwsProfile = std::map<std::string, std::string>;  // setting -> value

// The shared AWS config and credentials files (~/.aws/config, ~/.aws/credentials; moved by
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE). A missing file counts as empty.
class AwsConfigFiles {
 public:
  // Throws AwsCredentialsError when a file exists but cannot be read.
  static AwsConfigFiles load(const Environment& env);
  // From the files' text, for tests: the config file names profiles "[profile NAME]" (and the
  // default "[default]"), the credentials file "[NAME]".
  static AwsConfigFiles parse(const std::string& config_text, const std::string& credentials_text,
                              std::string config_path = "config",
                              std::string credentials_path = "credentials");

  // The profile's settings from both files, the credentials file winning; nullopt when neither
  // has the profile.
  std::optional<AwsProfile> profile(const std::string& name) const;
  // "~/.aws/config and ~/.aws/credentials", as resolved, for messages.
  std::string where() const { return config_path_ + " and " + credentials_path_; }

 private:
  std::map<std::string, AwsProfile> config_;
  std::map<std::string, AwsProfile> credentials_;
  std::string config_path_;
  std::string credentials_path_;
};

}  // namespace firedrill::clients
