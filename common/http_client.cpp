#include "common/http_client.hpp"

#include <curl/curl.h>

#include <cctype>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace firedrill::common {

namespace {

CURL* curl(void* handle) {
  return static_cast<CURL*>(handle);
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

struct Transfer {
  HttpResponse* response;
  std::size_t max_body;
};

extern "C" size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string& body = t->response->body;
  if (body.size() + n > t->max_body) {
    body.append(data, t->max_body - body.size());
    t->response->body_truncated = true;
    return 0;  // stops the transfer: the rest would be dropped anyway
  }
  body.append(data, n);
  return n;
}

extern "C" size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string_view line(data, n);
  // A new status line: what came before belonged to an interim (1xx) response.
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();
    return n;
  }
  std::size_t colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    t->response->headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                      std::string(trim(line.substr(colon + 1))));
  }
  return n;
}

// The URL's authority split up: scheme://[userinfo@]host[:port], the rest left as it is.
struct UrlParts {
  std::string scheme_and_userinfo;  // "https://" or "https://user:pw@"
  std::string host;                 // as written, IPv6 literals with their brackets
  std::string port;
  std::string rest;  // path, query, fragment
};

std::optional<UrlParts> split_url(const std::string& url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  std::size_t authority = scheme_end + 3;
  std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  std::size_t at = url.rfind('@', authority_end - 1);
  std::size_t host_start = at != std::string::npos && at >= authority ? at + 1 : authority;
  std::string host_port = url.substr(host_start, authority_end - host_start);
  std::size_t colon = host_port.rfind(':');
  if (colon != std::string::npos && host_port.find(']', colon) != std::string::npos) {
    colon = std::string::npos;  // a colon inside an IPv6 literal
  }
  UrlParts parts;
  parts.scheme_and_userinfo = url.substr(0, host_start);
  parts.host = host_port.substr(0, colon);
  parts.port = colon == std::string::npos ? "" : host_port.substr(colon + 1);
  parts.rest = url.substr(authority_end);
  if (parts.host.empty()) return std::nullopt;
  return parts;
}

bool valid_server_name(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return true;
}

class HeaderList {
 public:
  ~HeaderList() { curl_slist_free_all(list_); }
  void add(const std::string& line) {
    curl_slist* next = curl_slist_append(list_, line.c_str());
    if (!next) throw std::bad_alloc();
    list_ = next;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace

const std::string* HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (equal_ignoring_case(n, name)) return &v;
  }
  return nullptr;
}

HttpClient::HttpClient() {
  static std::once_flag global_init;
  std::call_once(global_init, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl could not be initialised");
    }
  });
  handle_ = curl_easy_init();
  if (!handle_) throw std::runtime_error("libcurl could not create a handle");
}

HttpClient::~HttpClient() {
  curl_easy_cleanup(curl(handle_));
}

HttpResponse HttpClient::perform(const HttpRequest& request) {
  CURL* h = curl(handle_);
  HttpResponse response;
  Transfer transfer{&response, request.max_body};
  char error_buffer[CURL_ERROR_SIZE] = {};

  HeaderList headers;
  bool has_user_agent = false;
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    // "Name;" is how libcurl is told to send a header with an empty value.
    headers.add(value.empty() ? name + ";" : name + ": " + value);
    has_user_agent = has_user_agent || equal_ignoring_case(name, "User-Agent");
    has_host = has_host || equal_ignoring_case(name, "Host");
  }
  if (!has_user_agent) headers.add("User-Agent: firedrill/0.1.0");

  // libcurl takes the name it verifies and sends as SNI from the URL: the URL names the
  // tls_server_name, and CURLOPT_CONNECT_TO sends its connection to the real host.
  std::string url = request.url;
  HeaderList connect_to;
  if (!request.tls_server_name.empty() && request.url.starts_with("https://")) {
    auto parts = split_url(request.url);
    if (!parts || !valid_server_name(request.tls_server_name)) {
      response.error =
          parts ? "tls server name \"" + request.tls_server_name + "\" is not a host name"
                : "cannot read the host of the URL";
      return response;
    }
    std::string port = parts->port.empty() ? "443" : parts->port;
    url = parts->scheme_and_userinfo + request.tls_server_name + ":" + port + parts->rest;
    connect_to.add(request.tls_server_name + ":" + port + ":" + parts->host + ":" + port);
    if (!has_host) {
      headers.add("Host: " + parts->host + (parts->port.empty() ? "" : ":" + parts->port));
    }
  }
  // Without this, libcurl waits up to a second for "100 Continue" before sending larger bodies.
  if (!request.body.empty()) headers.add("Expect:");

  auto timeout_ms = std::chrono::duration_cast<std::chrono::milliseconds>(request.timeout);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  if (connect_to.get()) curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to.get());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(1, timeout_ms.count())));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" || !request.body.empty()) {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  // POST, PUT and PATCH send a Content-Length even when empty; some servers insist on it.
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  }
  if (request.insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!request.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, request.ca_file.c_str());
  // CURL_BLOB_COPY: libcurl keeps its own copy, so `blob` may go out of scope at once.
  auto set_blob = [h](CURLoption option, const std::string& pem) {
    if (pem.empty()) return;
    curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(h, option, &blob);
  };
  set_blob(CURLOPT_CAINFO_BLOB, request.ca_pem);
  set_blob(CURLOPT_SSLCERT_BLOB, request.client_cert_pem);
  set_blob(CURLOPT_SSLKEY_BLOB, request.client_key_pem);
  if (!request.client_cert_pem.empty()) curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
  if (!request.client_key_pem.empty()) curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");

  auto start = std::chrono::steady_clock::now();
  CURLcode code = curl_easy_perform(h);
  response.elapsed = std::chrono::steady_clock::now() - start;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  if (code == CURLE_WRITE_ERROR && response.body_truncated) code = CURLE_OK;
  if (code != CURLE_OK) {
    response.error = curl_easy_strerror(code);
    if (error_buffer[0]) response.error += ": " + std::string(trim(error_buffer));
  }
  // Leaves no pointer into this call's locals; keeps the connection, TLS session and DNS caches.
  curl_easy_reset(h);
  return response;
}

std::string redact_url(const std::string& url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  std::size_t authority = scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority);
  std::size_t at = url.rfind('@', authority_end == std::string::npos ? url.npos : authority_end);
  if (at == std::string::npos || at < authority) return url;
  return url.substr(0, authority) + "***" + url.substr(at);
}

}  // namespace firedrill::common
