#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "clients/aws_credentials.hpp"
#include "common/http_client.hpp"
#include "common/units.hpp"

namespace firedrill::clients {

// Amazon Managed Service for Prometheus and Amazon OpenSearch Service take no credentials in
// headers: each request is signed with SigV4 instead.
struct AwsSigning {
  std::shared_ptr<AwsCredentialCache> credentials;
  std::string region;
  std::string service;  // the SigV4 signing name: "aps", "es"
};

// A monitoring API (Prometheus, Alertmanager) and how to authenticate to it.
struct Endpoint {
  std::string name;         // for messages: "Prometheus"
  std::string base_url;     // without a trailing slash
  common::Headers headers;  // may hold credentials: never shown
  bool insecure = false;
  std::string ca_file;
  common::Duration timeout = std::chrono::seconds(10);
  std::optional<AwsSigning> aws_signing;

  // The base URL without a password, for messages and evidence.
  std::string shown() const { return common::redact_url(base_url); }
};

// A call that got no usable answer: unreachable, a non-2xx status, or a body that is not the
// API's JSON. The message names the API, the path and the status, never a credential.
class ApiError : public std::runtime_error {
 public:
  ApiError(const std::string& message, long status)
      : std::runtime_error(message), status_(status) {}
  long status() const { return status_; }  // 0 when no response arrived

 private:
  long status_;
};

// Percent-encoding of a query parameter value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

// Signs `request` when the endpoint is an AWS-signed one; after its last header is set, since
// the signature covers them. Throws ApiError, starting with `what`, when no AWS credentials can
// be had.
void sign_for_endpoint(common::HttpRequest& request, const Endpoint& endpoint,
                       const std::string& what);

// GET base_url + path_and_query; the parsed JSON body of a 2xx response. Otherwise ApiError,
// with the API's own error text (Prometheus' "error", Alertmanager's message) when it sent one.
nlohmann::json get_json(common::HttpClient& client, const Endpoint& endpoint,
                        const std::string& path_and_query);

}  // namespace firedrill::clients
