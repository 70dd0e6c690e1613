#include "clients/aws_metadata_credentials.hpp"

#include <nlohmann/json.hpp>

#include "clients/monitoring_endpoint.hpp"
#include "common/json_fields.hpp"
#include "common/rfc3339.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using nlohmann::json;

// Both endpoints answer the same document (IMDS adds Code, Type and LastUpdated).
AwsCredentials parse_credentials(const std::string& body, const std::string& what) {
  json document = json::parse(body, nullptr, false);
  if (!document.is_object()) throw AwsCredentialsError(what + ": the answer is not a JSON object");
  std::string code = common::string_field(document, "Code");
  if (!code.empty() && code != "Success") {
    throw AwsCredentialsError(what + ": Code is " + common::excerpt(code, 80) + ": " +
                              common::excerpt(common::string_field(document, "Message"), 300));
  }
  AwsCredentials c;
  c.access_key_id = common::string_field(document, "AccessKeyId");
  c.secret_access_key = common::string_field(document, "SecretAccessKey");
  c.session_token = common::string_field(document, "Token");
  c.expiration = common::parse_rfc3339(common::string_field(document, "Expiration"));
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    throw AwsCredentialsError(what + ": the answer has no AccessKeyId and SecretAccessKey");
  }
  if (!common::string_field(document, "Expiration").empty() && !c.expiration) {
    throw AwsCredentialsError(what + ": Expiration is not an RFC 3339 time");
  }
  return c;
}

common::HttpResponse checked(common::HttpClient& client, const common::HttpRequest& request,
                             const std::string& what) {
  common::HttpResponse response = client.perform(request);
  if (!response.ok()) throw AwsCredentialsError(what + ": no response: " + response.error);
  if (response.status != 200) {
    throw AwsCredentialsError(what + ": status " + std::to_string(response.status) + ": " +
                              common::excerpt(response.body, 200));
  }
  return response;
}

std::string host_of(const std::string& url) {
  std::size_t start = url.find("://");
  if (start == std::string::npos) return {};
  start += 3;
  std::string authority = url.substr(start, url.find_first_of("/?#", start) - start);
  if (authority.starts_with("[")) return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

}  // namespace

bool allowed_container_url(const std::string& url) {
  if (url.starts_with("https://")) return true;
  if (!url.starts_with("http://")) return false;
  const std::string host = host_of(url);
  return host == "localhost" || host.starts_with("127.") || host == "[::1]" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "[fd00:ec2::23]";
}

AwsCredentials fetch_container_credentials(common::HttpClient& client, const std::string& url,
                                           const std::string& authorization,
                                           common::Duration timeout) {
  const std::string what = "container credentials at " + common::redact_url(url);
  common::HttpRequest request;
  request.url = url;
  request.timeout = timeout;
  request.headers.emplace_back("Accept", "application/json");
  if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
  AwsCredentials c = parse_credentials(checked(client, request, what).body, what);
  c.source = what;
  return c;
}

AwsCredentials fetch_instance_credentials(common::HttpClient& client, const std::string& endpoint,
                                          common::Duration timeout) {
  std::string base = endpoint;
  while (base.ends_with("/")) base.pop_back();
  const std::string what = "EC2 instance metadata (IMDSv2) at " + common::redact_url(base);

  common::HttpRequest token_request;
  token_request.method = "PUT";
  token_request.url = base + "/latest/api/token";
  token_request.timeout = timeout;
  token_request.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", "21600");
  const std::string token = checked(client, token_request, what + ": PUT /latest/api/token").body;
  if (token.empty()) throw AwsCredentialsError(what + ": PUT /latest/api/token: empty token");

  common::HttpRequest request;
  request.url = base + "/latest/meta-data/iam/security-credentials/";
  request.timeout = timeout;
  request.headers.emplace_back("X-aws-ec2-metadata-token", token);
  std::string roles = checked(client, request, what + ": no instance profile role").body;
  std::string role = roles.substr(0, roles.find_first_of("\r\n"));
  if (role.empty()) throw AwsCredentialsError(what + ": the instance has no IAM role");

  request.url += url_encode(role);
  AwsCredentials c = parse_credentials(checked(client, request, what + ": role " + role).body,
                                       what + ": role " + role);
  c.source = what + ", role " + role;
  return c;
}

}  // namespace firedrill::clients
