#include "clients/monitoring_endpoint.hpp"

#include "clients/aws_sigv4.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using common::ValueError;
using nlohmann::json;

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
