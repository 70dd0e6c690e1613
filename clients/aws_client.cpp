#include "clients/aws_client.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "clients/aws_config_files.hpp"
#include "clients/aws_endpoints.hpp"
#include "clients/aws_sigv4.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using common::ValueError;
using nlohmann::json;

bool one_of(const std::string& code, std::initializer_list<const char*> codes) {
  return std::any_of(codes.begin(), codes.end(), [&](const char* c) { return code == c; });
}

bool throttling(const std::string& code, long status) {
  return status == 429 ||
         one_of(code, {"ThrottlingException", "Throttling", "TooManyRequestsException",
                       "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
                       "ProvisionedThroughputExceededException", "SlowDown"});
}

bool expired(const std::string& code) {
  return one_of(code, {"ExpiredToken", "ExpiredTokenException"});
}

bool access_denied(const std::string& code) {
  return one_of(code, {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation",
                       "UnrecognizedClientException", "InvalidClientTokenId"});
}

std::string string_field(const json& document, std::initializer_list<const char*> names) {
  if (!document.is_object()) return {};
  for (const char* name : names) {
    auto it = document.find(name);
    if (it != document.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

// The error code of a JSON-protocol answer. Services that also speak the query protocol
// (CloudWatch) send that protocol's code, the one their references list, in x-amzn-query-error
// ("Code;Sender"); otherwise "__type" in the body ("com.amazonaws.logs#Code" and
// "Code:http://..." reduce to "Code"), else the X-Amzn-ErrorType header.
std::string error_code(const common::HttpResponse& response, const json& body) {
  if (const std::string* query_error = response.header("x-amzn-query-error")) {
    return query_error->substr(0, query_error->find(';'));
  }
  std::string code = string_field(body, {"__type", "code", "Code"});
  const std::string* header = response.header("x-amzn-ErrorType");
  if (code.empty() && header) code = *header;
  if (std::size_t hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
  if (std::size_t colon = code.find(':'); colon != std::string::npos) code.resize(colon);
  return code;
}

common::Duration full_jitter(const AwsRetryPolicy& retry, int attempt) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  auto ceiling = retry.base_delay * (int64_t{1} << std::min(attempt, 20));
  ceiling = std::min<common::Duration>(ceiling, retry.max_delay);
  std::uniform_int_distribution<int64_t> pick(0, std::max<int64_t>(0, ceiling.count()));
  return common::Duration(pick(random));
}

std::string env_value(const Environment& env, const char* name) {
  auto it = env.find(name);
  return it != env.end() ? it->second : std::string();
}

}  // namespace

const AwsJsonService& cloudwatch_service() {
  static const AwsJsonService service{
      "CloudWatch", "monitoring", "monitoring", "cloudwatch", "GraniteServiceVersion20100801",
      "1.0",        "CLOUDWATCH"};
  return service;
}

const AwsJsonService& cloudwatch_logs_service() {
  static const AwsJsonService service{"CloudWatch Logs", "logs", "logs",           "logs",
                                      "Logs_20140328",   "1.1",  "CLOUDWATCH_LOGS"};
  return service;
}

std::string checked_url(const std::string& url, const std::string& where) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    throw ValueError(where + " \"" + common::redact_url(url) +
                     "\" must start with http:// or https://");
  }
  std::string out = url;
  while (out.ends_with("/")) out.pop_back();
  return out;
}

AwsSettings aws_settings(const AwsIntegration& aws, const std::string& region, Environment env,
                         const std::string& region_setting) {
  AwsSettings settings{aws.region, aws.profile, aws.endpoints, std::move(env)};
  if (!region.empty()) settings.region = region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (settings.region.empty()) settings.region = env_value(settings.env, name);
  }
  if (settings.region.empty()) {
    std::string profile =
        settings.profile.empty() ? env_value(settings.env, "AWS_PROFILE") : settings.profile;
    try {
      auto p = AwsConfigFiles::load(settings.env).profile(profile.empty() ? "default" : profile);
      if (p && p->contains("region")) settings.region = p->at("region");
    } catch (const AwsCredentialsError& e) {
      throw ValueError(e.what());
    }
  }
  if (settings.region.empty()) {
    throw ValueError("no AWS region: set integrations.aws.region (e.g. us-east-1), " +
                     region_setting + ", AWS_REGION, or region in the AWS profile");
  }
  return settings;
}

std::shared_ptr<AwsCredentialCache> credential_cache_for(const AwsSettings& settings) {
  AwsCredentialOptions options;
  options.env = settings.env;
  options.profile = settings.profile;
  options.region = settings.region;
  auto sts = settings.endpoints.find("sts");
  if (sts != settings.endpoints.end()) options.sts_endpoint = sts->second;
  return std::make_shared<AwsCredentialCache>(default_credential_source(options));
}

AwsJsonClient::AwsJsonClient(const AwsJsonService& service, std::string endpoint,
                             std::string region, std::shared_ptr<AwsCredentialCache> credentials,
                             AwsRetryPolicy retry)
    : service_(service),
      endpoint_(checked_url(endpoint, service.name + " endpoint")),
      region_(std::move(region)),
      credentials_(std::move(credentials)),
      retry_(retry) {}

AwsJsonClient::AwsJsonClient(const AwsJsonService& service, const AwsSettings& settings,
                             std::shared_ptr<AwsCredentialCache> credentials, AwsRetryPolicy retry)
    : service_(service),
      region_(settings.region),
      credentials_(std::move(credentials)),
      retry_(retry) {
  auto configured = settings.endpoints.find(service.endpoint_prefix);
  if (configured != settings.endpoints.end()) {
    endpoint_ = configured->second;
  } else {
    endpoint_ = aws_endpoint_from_env(settings.env, service.env_name);
    endpoint_ = endpoint_.empty() ? aws_default_endpoint(service.endpoint_prefix, region_)
                                  : checked_url(endpoint_, "AWS_ENDPOINT_URL_" + service.env_name);
  }
}

json AwsJsonClient::call(const std::string& operation, const json& input,
                         common::Duration timeout) {
  const std::string what =
      service_.name + " at " + common::redact_url(endpoint_) + ": " + operation;
  bool refreshed = false;
  std::string last_failure;
  std::string last_code;
  long last_status = 0;
  for (int attempt = 0; attempt < retry_.max_attempts; ++attempt) {
    AwsCredentials credentials;
    try {
      credentials = credentials_->get();
    } catch (const AwsCredentialsError& e) {
      throw AwsError(what + ": no credentials: " + e.what(), "", 0);
    }
    common::HttpRequest request;
    request.method = "POST";
    request.url = endpoint_ + "/";
    request.timeout = timeout;
    request.body = input.dump();
    request.headers = {{"Content-Type", "application/x-amz-json-" + service_.json_version},
                       {"X-Amz-Target", service_.target_prefix + "." + operation},
                       {"Accept", "application/json"}};
    sign_sigv4(request, credentials, region_, service_.signing_name, WallClock::now());
    common::HttpResponse response = http_.perform(request);

    if (!response.ok()) {
      last_failure = "no response: " + response.error;
    } else if (response.status >= 200 && response.status <= 299) {
      if (response.body_truncated) {
        throw AwsError(what + ": the answer is larger than " +
                           std::to_string(request.max_body / (1024 * 1024)) + " MiB",
                       "", response.status);
      }
      json output = json::parse(response.body, nullptr, false);
      if (!output.is_object()) {
        throw AwsError(
            what + ": the answer is not a JSON object: " + common::excerpt(response.body, 200),
            "MalformedResponse", response.status);
      }
      return output;
    } else {
      json body = json::parse(response.body, nullptr, false);
      std::string code = error_code(response, body);
      std::string message = common::excerpt(string_field(body, {"message", "Message"}), 400);
      if (message.empty() && code.empty()) message = common::excerpt(response.body, 200);
      std::string failure = "status " + std::to_string(response.status) +
                            (code.empty() ? "" : " " + code) +
                            (message.empty() ? "" : ": " + message);
      if (expired(code) && !refreshed) {
        // The credentials expired before the cache expected it (or were revoked): fetch
        // new ones and try again, once, without counting this as a retry.
        credentials_->invalidate();
        refreshed = true;
        --attempt;
        continue;
      }
      if (access_denied(code)) {
        throw AwsError(what + ": access denied: " + credentials.to_string() + " may not call " +
                           service_.iam_prefix + ":" + operation +
                           " (grant that IAM action): " + failure,
                       code, response.status);
      }
      if (!throttling(code, response.status) && response.status < 500) {
        throw AwsError(what + ": " + failure, code, response.status);
      }
      last_failure = failure;
      last_code = code;
      last_status = response.status;
    }
    if (attempt + 1 < retry_.max_attempts)
      std::this_thread::sleep_for(full_jitter(retry_, attempt));
  }
  throw AwsError(what + ": gave up after " + std::to_string(retry_.max_attempts) +
                     " attempts: " + last_failure,
                 last_code, last_status);
}

}  // namespace firedrill::clients
