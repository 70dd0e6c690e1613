#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/units.hpp"

namespace firedrill::common {

using Headers = std::vector<std::pair<std::string, std::string>>;

// One control-plane call (Kubernetes, Prometheus, AWS...). These are few and slow; the load
// engine never uses this.
struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http or https
  Headers headers;  // values may hold credentials: nothing here logs or reports them
  std::string body;
  common::Duration timeout = std::chrono::seconds(30);  // connect, send and receive, in all
  bool insecure = false;        // do not verify the server's certificate or name
  std::string ca_file;          // PEM bundle to trust instead of the system store
  std::string ca_pem;           // the same in memory (a kubeconfig's certificate-authority-data)
  std::string client_cert_pem;  // a client certificate and its key, PEM in memory
  // https: the name the server's certificate is checked against and sent as SNI, while the
  // connection still goes to the URL's host, which the Host header keeps naming (a kubeconfig's
  // tls-server-name).
  std::string tls_server_name;
  std::string client_key_pem;
  std::size_t max_body = 8 * 1024 * 1024;  // the response body is cut here
};

struct HttpResponse {
  std::string error;  // why no response arrived; empty when one did, whatever its status
  long status = 0;
  Headers headers;  // as received, of the final response
  std::string body;
  bool body_truncated = false;  // the body was longer than max_body
  common::Duration elapsed{0};  // from the start of the call to the end of the body (or error)

  bool ok() const { return error.empty(); }
  // The first header of that name, compared without case; nullptr when absent.
  const std::string* header(std::string_view name) const;
};

// A libcurl easy handle, reused call after call so that connections and TLS sessions are kept.
// One per thread; follows no redirects; decodes gzip/deflate bodies.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Never throws for a network failure: that is HttpResponse::error.
  HttpResponse perform(const HttpRequest& request);

 private:
  void* handle_;  // CURL*, kept out of this header
};

// The URL without a password in its user information, for messages and reports.
std::string redact_url(const std::string& url);

}  // namespace firedrill::common
