#include "clients/monitoring_endpoint.hpp"

#include "clients/aws_sigv4.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using common::ValueError;
using nlohmann::json;

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// A string setting of the integration; the message never quotes the value, which may be secret.
std::string string_setting(const json& settings, const std::string& where, const char* field) {
  if (!settings.contains(field)) return {};
  const json& value = settings.at(field);
  if (!value.is_string()) throw ValueError(where + "." + field + " must be a string");
  return value.get<std::string>();
}

bool has_line_break(const std::string& s) {
  return s.find_first_of("\r\n") != std::string::npos;
}

std::string path_only(const std::string& path_and_query) {
  return path_and_query.substr(0, path_and_query.find('?'));
}

// What the API said went wrong: Prometheus {"errorType","error"}, Alertmanager {"message"} or
// a JSON string, otherwise the start of the body.
std::string api_error_text(const std::string& body) {
  json document = json::parse(body, nullptr, false);
  if (document.is_object()) {
    std::string text;
    if (document.contains("errorType") && document["errorType"].is_string()) {
      text = document["errorType"].get<std::string>() + ": ";
    }
    if (document.contains("error") && document["error"].is_string()) {
      return common::excerpt(text + document["error"].get<std::string>(), 512);
    }
    if (document.contains("message") && document["message"].is_string()) {
      return common::excerpt(document["message"].get<std::string>(), 512);
    }
  }
  if (document.is_string()) return common::excerpt(document.get<std::string>(), 512);
  return common::excerpt(body, 256);
}

}  // namespace

Endpoint endpoint_from_integrations(const json* integrations, const std::string& key,
                                    const std::string& name, const std::string& url_override) {
  Endpoint endpoint;
  endpoint.name = name;
  const std::string where = "integrations." + key;
  const json* settings = nullptr;
  if (integrations && integrations->is_object() && integrations->contains(key)) {
    settings = &integrations->at(key);
    if (!settings->is_object()) throw ValueError(where + " must be a map, like {url: ...}");
  }
  if (!url_override.empty()) {
    endpoint.base_url = url_override;
  } else {
    if (settings) endpoint.base_url = string_setting(*settings, where, "url");
    if (endpoint.base_url.empty()) {
      throw ValueError("no " + name + " URL: add " + where +
                       ".url to the drill, or give the check a url");
    }
  }
  if (!endpoint.base_url.starts_with("http://") && !endpoint.base_url.starts_with("https://")) {
    throw ValueError(name + " URL \"" + common::redact_url(endpoint.base_url) +
                     "\" must start with http:// or https://");
  }
  while (endpoint.base_url.ends_with("/")) endpoint.base_url.pop_back();
  if (!settings || !url_override.empty()) return endpoint;

  if (settings->contains("headers")) {
    const json& headers = settings->at("headers");
    if (!headers.is_object()) throw ValueError(where + ".headers must be a map of strings");
    for (const auto& [header, value] : headers.items()) {
      if (!value.is_string() || has_line_break(header) ||
          has_line_break(value.get<std::string>())) {
        throw ValueError(where + ".headers." + header + " must be a string on one line");
      }
      endpoint.headers.emplace_back(header, value.get<std::string>());
    }
  }
  std::string token = string_setting(*settings, where, "bearerToken");
  if (!token.empty()) {
    if (has_line_break(token)) throw ValueError(where + ".bearerToken must be on one line");
    endpoint.headers.emplace_back("Authorization", "Bearer " + token);
  }
  if (settings->contains("basicAuth")) {
    const json& auth = settings->at("basicAuth");
    if (!auth.is_object()) throw ValueError(where + ".basicAuth must be {username, password}");
    std::string user = string_setting(auth, where + ".basicAuth", "username");
    std::string password = string_setting(auth, where + ".basicAuth", "password");
    endpoint.headers.emplace_back("Authorization", "Basic " + base64(user + ":" + password));
  }
  if (settings->contains("insecure")) {
    if (!settings->at("insecure").is_boolean()) {
      throw ValueError(where + ".insecure must be true or false");
    }
    endpoint.insecure = settings->at("insecure").get<bool>();
  }
  endpoint.ca_file = string_setting(*settings, where, "caFile");
  return endpoint;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void sign_for_endpoint(common::HttpRequest& request, const Endpoint& endpoint,
                       const std::string& what) {
  if (!endpoint.aws_signing) return;
  const AwsSigning& signing = *endpoint.aws_signing;
  AwsCredentials credentials;
  try {
    credentials = signing.credentials->get();
  } catch (const AwsCredentialsError& e) {
    throw ApiError(what + ": no AWS credentials: " + e.what(), 0);
  }
  sign_sigv4(request, credentials, signing.region, signing.service, WallClock::now());
}

json get_json(common::HttpClient& client, const Endpoint& endpoint,
              const std::string& path_and_query) {
  common::HttpRequest request;
  request.url = endpoint.base_url + path_and_query;
  request.headers = endpoint.headers;
  request.headers.emplace_back("Accept", "application/json");
  request.insecure = endpoint.insecure;
  request.ca_file = endpoint.ca_file;
  request.timeout = endpoint.timeout;
  const std::string what =
      endpoint.name + " at " + endpoint.shown() + ": GET " + path_only(path_and_query);
  sign_for_endpoint(request, endpoint, what);
  common::HttpResponse response = client.perform(request);
  if (!response.ok()) throw ApiError(what + ": no response: " + response.error, 0);
  if (response.status < 200 || response.status > 299) {
    throw ApiError(
        what + ": status " + std::to_string(response.status) + ": " + api_error_text(response.body),
        response.status);
  }
  if (response.body_truncated) {
    throw ApiError(what + ": the response is larger than " +
                       std::to_string(request.max_body / (1024 * 1024)) + " MiB",
                   response.status);
  }
  json document = json::parse(response.body, nullptr, false);
  if (document.is_discarded()) {
    throw ApiError(what + ": the response is not JSON: " + common::excerpt(response.body, 256),
                   response.status);
  }
  return document;
}

}  // namespace firedrill::clients
