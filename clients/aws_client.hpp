#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "clients/aws_credentials.hpp"
#include "common/http_client.hpp"

namespace firedrill::clients {

// An AWS service spoken to in the AWS JSON protocol: POST / with the operation in X-Amz-Target
// and the input as a JSON body of Content-Type application/x-amz-json-<version>.
struct AwsJsonService {
  std::string name;             // for messages: "CloudWatch Logs"
  std::string endpoint_prefix;  // first label of the host; key of integrations.aws.endpoints
  std::string signing_name;     // SigV4 credential scope service
  std::string iam_prefix;       // IAM action prefix: "logs" in logs:FilterLogEvents
  std::string target_prefix;    // "Logs_20140328"
  std::string json_version;     // "1.1"
  std::string env_name;         // AWS_ENDPOINT_URL_<env_name> overrides the endpoint
};

// CloudWatch (monitoring). It speaks the query protocol, JSON 1.0 and RPC v2 CBOR; JSON 1.0 is
// used: the same protocol as CloudWatch Logs, so one client, one error format and one parser
// (nlohmann-json; the query protocol would need an XML parser, which the project does not
// carry), and DescribeAlarmHistory's HistoryData is a JSON document either way. Timestamps are
// then epoch seconds, as everywhere in the AWS JSON protocols.
const AwsJsonService& cloudwatch_service();
// CloudWatch Logs: JSON 1.1 only. Its own timestamps are epoch milliseconds, except Logs
// Insights' StartQuery, which takes seconds.
const AwsJsonService& cloudwatch_logs_service();

// integrations.aws: {region, profile, endpoints: {monitoring: URL, logs: URL, sts: URL}}, as
// the drill gives it (clients::Integrations reads it).
struct AwsIntegration {
  std::string region;
  std::string profile;
  std::map<std::string, std::string> endpoints;  // by endpoint prefix
};

// What a call to AWS uses: the integration, resolved in an environment.
struct AwsSettings {
  std::string region;
  std::string profile;
  std::map<std::string, std::string> endpoints;  // by endpoint prefix
  Environment env;
};

// The drill's integrations.aws in `env`. The region is `region` (a check's own, or that of the
// integration the settings are for; `region_setting` names it in messages) when not empty, else
// integrations.aws.region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region. Throws
// common::ValueError saying where to set a region.
AwsSettings aws_settings(const AwsIntegration& aws, const std::string& region, Environment env,
                         const std::string& region_setting = "the check's region");

// A URL setting without its trailing slashes; throws common::ValueError naming `where` when it
// is not http(s).
std::string checked_url(const std::string& url, const std::string& where);

// Credentials from the default chain for `settings` (its profile, and its STS endpoint for
// roles). Throws AwsCredentialsError when a configured source is unusable.
std::shared_ptr<AwsCredentialCache> credential_cache_for(const AwsSettings& settings);

// A call that did not succeed. The message names the service, endpoint, operation, the error
// code and AWS's message; never a credential.
class AwsError : public std::runtime_error {
 public:
  AwsError(const std::string& message, std::string code, long status)
      : std::runtime_error(message), code_(std::move(code)), status_(status) {}
  const std::string& code() const { return code_; }  // AWS's error code; "" when none
  long status() const { return status_; }            // 0 when no response arrived

 private:
  std::string code_;
  long status_;
};

// Throttling and 5xx answers, and calls that got no answer, are tried again after an
// exponential backoff with full jitter: a random wait in [0, min(max_delay, base_delay * 2^n)].
struct AwsRetryPolicy {
  int max_attempts = 4;
  common::Duration base_delay = std::chrono::milliseconds(200);
  common::Duration max_delay = std::chrono::seconds(5);
};

class AwsJsonClient {
 public:
  AwsJsonClient(const AwsJsonService& service, std::string endpoint, std::string region,
                std::shared_ptr<AwsCredentialCache> credentials, AwsRetryPolicy retry = {});
  // The endpoint `settings` give for `service`. Throws common::ValueError for a bad endpoint.
  AwsJsonClient(const AwsJsonService& service, const AwsSettings& settings,
                std::shared_ptr<AwsCredentialCache> credentials, AwsRetryPolicy retry = {});

  // The output of `operation` (e.g. "FilterLogEvents"), a JSON object. On ExpiredToken the
  // credentials are fetched again and the call made once more. Throws AwsError: for a refusal
  // (AccessDenied names the IAM action), for throttling or 5xx that outlasted the retries, and
  // for an answer that is not a JSON object.
  nlohmann::json call(const std::string& operation, const nlohmann::json& input,
                      common::Duration timeout = std::chrono::seconds(10));

  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }
  const AwsJsonService& service() const { return service_; }

 private:
  AwsJsonService service_;
  std::string endpoint_;
  std::string region_;
  std::shared_ptr<AwsCredentialCache> credentials_;
  AwsRetryPolicy retry_;
  common::HttpClient http_;
};

}  // namespace firedrill::clients
