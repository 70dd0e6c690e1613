#include "clients/aws_sts.hpp"

#include <optional>
#include <string_view>

#include "clients/aws_sigv4.hpp"
#include "clients/monitoring_endpoint.hpp"
#include "common/rfc3339.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

std::string xml_unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    std::size_t semi = text.find(';', i);
    std::string_view entity = text.substr(i + 1, semi == std::string_view::npos ? 0 : semi - i - 1);
    const char* replacement = entity == "amp"    ? "&"
                              : entity == "lt"   ? "<"
                              : entity == "gt"   ? ">"
                              : entity == "quot" ? "\""
                              : entity == "apos" ? "'"
                                                 : nullptr;
    if (!replacement) {
      out += '&';
      continue;
    }
    out += replacement;
    i = semi;
  }
  return out;
}

// The text of the first <tag>...</tag> inside `xml`: STS answers are small, flat documents.
std::optional<std::string> xml_text(std::string_view xml, const std::string& tag) {
  std::size_t open = xml.find("<" + tag + ">");
  if (open == std::string_view::npos) return std::nullopt;
  std::size_t start = open + tag.size() + 2;
  std::size_t close = xml.find("</" + tag + ">", start);
  if (close == std::string_view::npos) return std::nullopt;
  return xml_unescape(xml.substr(start, close - start));
}

std::string form_field(const std::string& name, const std::string& value) {
  return "&" + name + "=" + url_encode(value);
}

AwsCredentials call(common::HttpClient& client, const StsEndpoint& sts, const std::string& action,
                    std::string body, const AwsCredentials* signer, const std::string& role_arn) {
  common::HttpRequest request;
  request.method = "POST";
  request.url = sts.url + "/";
  request.timeout = sts.timeout;
  request.body = std::move(body);
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  if (signer) sign_sigv4(request, *signer, sts.region, "sts", WallClock::now());
  const std::string what =
      "STS " + action + " of " + role_arn + " at " + common::redact_url(sts.url);
  common::HttpResponse response = client.perform(request);
  if (!response.ok()) throw AwsCredentialsError(what + ": no response: " + response.error);
  if (response.status != 200) {
    std::string code = xml_text(response.body, "Code").value_or("");
    std::string message = xml_text(response.body, "Message").value_or("");
    if (code.empty() && message.empty()) message = common::excerpt(response.body, 200);
    throw AwsCredentialsError(what + ": status " + std::to_string(response.status) + ": " + code +
                              (code.empty() || message.empty() ? "" : ": ") +
                              common::excerpt(message, 400));
  }
  std::optional<std::string> credentials = xml_text(response.body, "Credentials");
  AwsCredentials c;
  if (credentials) {
    c.access_key_id = xml_text(*credentials, "AccessKeyId").value_or("");
    c.secret_access_key = xml_text(*credentials, "SecretAccessKey").value_or("");
    c.session_token = xml_text(*credentials, "SessionToken").value_or("");
    c.expiration = common::parse_rfc3339(xml_text(*credentials, "Expiration").value_or(""));
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty() ||
      !c.expiration) {
    throw AwsCredentialsError(what +
                              ": the response has no Credentials with AccessKeyId, "
                              "SecretAccessKey, SessionToken and Expiration");
  }
  return c;
}

std::string common_fields(const std::string& action, const AssumeRoleRequest& r) {
  std::string body = "Action=" + action + "&Version=2011-06-15" +
                     form_field("RoleArn", r.role_arn) +
                     form_field("RoleSessionName", r.session_name);
  if (r.duration_seconds > 0) {
    body += form_field("DurationSeconds", std::to_string(r.duration_seconds));
  }
  return body;
}

}  // namespace

AwsCredentials sts_assume_role(common::HttpClient& client, const StsEndpoint& sts,
                               const AwsCredentials& source, const AssumeRoleRequest& request) {
  std::string body = common_fields("AssumeRole", request);
  if (!request.external_id.empty()) body += form_field("ExternalId", request.external_id);
  return call(client, sts, "AssumeRole", std::move(body), &source, request.role_arn);
}

AwsCredentials sts_assume_role_with_web_identity(common::HttpClient& client, const StsEndpoint& sts,
                                                 const AssumeRoleRequest& request,
                                                 const std::string& web_identity_token) {
  std::string body = common_fields("AssumeRoleWithWebIdentity", request) +
                     form_field("WebIdentityToken", web_identity_token);
  return call(client, sts, "AssumeRoleWithWebIdentity", std::move(body), nullptr, request.role_arn);
}

}  // namespace firedrill::clients
