#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/units.hpp"

namespace firedrill::clients {

using WallClock = std::chrono::system_clock;

// The environment variables the credential chain reads, passed in so that the chain can be
// resolved against any environment, not only the process's own.
using Environment = std::map<std::string, std::string>;
Environment process_environment();

// One set of AWS credentials. The secret key and the session token leave this struct only as a
// signature; to_string() is what messages, logs and evidence may show.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::optional<WallClock::time_point> expiration;
  std::string source;  // where they came from, e.g. "environment", "profile dev"

  // "access key ****MPLE (temporary, expires 2026-...Z) from web identity ...": the last four
  // characters of the key id, as the AWS CLI's `configure list` shows it, and nothing secret.
  std::string to_string() const;
};

// No credentials could be had: nothing is configured, a file or endpoint is unusable, or STS
// refused. The message names the source and what to fix, never a secret.
class AwsCredentialsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One place credentials come from (the environment, a profile, STS, a metadata endpoint).
class AwsCredentialSource {
 public:
  virtual ~AwsCredentialSource() = default;
  // Throws AwsCredentialsError.
  virtual AwsCredentials fetch() = 0;
  virtual std::string describe() const = 0;
};

struct AwsCredentialOptions {
  Environment env;
  std::string profile;  // integrations.aws.profile; empty: AWS_PROFILE, else "default"
  std::string region;   // where STS is called
  // STS base URL; empty: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else the regional endpoint.
  std::string sts_endpoint;
  common::Duration timeout = std::chrono::seconds(10);          // of each STS or container call
  common::Duration metadata_timeout = std::chrono::seconds(2);  // of each IMDS call
};

// The default chain, in the order the AWS SDKs resolve it, taking the first source that is
// configured: a profile named by the drill; the environment (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN); web identity (AWS_ROLE_ARN and
// AWS_WEB_IDENTITY_TOKEN_FILE: IRSA); the shared config and credentials files (AWS_PROFILE or
// default; static keys, role_arn with source_profile or credential_source,
// web_identity_token_file); container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI or
// _RELATIVE_URI: ECS and EKS Pod Identity); EC2 instance metadata (IMDSv2) unless
// AWS_EC2_METADATA_DISABLED is true. A configured source that then fails is an error, not a reason
// to try the next one: silently using other credentials than the ones configured would drill the
// wrong account.
std::unique_ptr<AwsCredentialSource> default_credential_source(const AwsCredentialOptions& options);

// Credentials fetched once and kept until shortly before they expire. Safe to share between
// threads.
class AwsCredentialCache {
 public:
  explicit AwsCredentialCache(std::unique_ptr<AwsCredentialSource> source,
                              common::Duration refresh_before = std::chrono::minutes(5));

  // The cached credentials, fetched again when they expire within refresh_before. When that
  // fetch fails while the cached ones are still valid, those are used. Throws
  // AwsCredentialsError.
  AwsCredentials get(WallClock::time_point now = WallClock::now());
  // The service said the credentials expired: the next get() fetches new ones.
  void invalidate();
  std::string describe() const { return source_->describe(); }

 private:
  std::unique_ptr<AwsCredentialSource> source_;
  common::Duration refresh_before_;
  std::mutex mutex_;
  std::optional<AwsCredentials> cached_;
};

}  // namespace firedrill::clients
