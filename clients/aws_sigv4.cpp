#include "clients/aws_sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>
#include <utility>
#include <vector>

#include "clients/monitoring_endpoint.hpp"

namespace firedrill::clients {

namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &size)) {
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header values are signed trimmed, with runs of spaces inside collapsed to one.
std::string canonical_value(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
        hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

struct UrlParts {
  std::string host;  // host[:port], as the Host header carries it
  std::string path;
  std::string query;
};

UrlParts split_url(const std::string& url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw std::invalid_argument("not an absolute URL: " + url);
  std::size_t authority = scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority);
  UrlParts parts;
  parts.host = url.substr(authority, authority_end - authority);
  if (std::size_t at = parts.host.rfind('@'); at != std::string::npos) {
    parts.host.erase(0, at + 1);
  }
  // libcurl leaves the scheme's default port out of the Host header it sends.
  const std::string default_port = lower(url.substr(0, scheme_end)) == "https" ? ":443" : ":80";
  if (parts.host.ends_with(default_port)) {
    parts.host.resize(parts.host.size() - default_port.size());
  }
  if (authority_end == std::string::npos) return parts;
  std::string rest = url.substr(authority_end);
  rest = rest.substr(0, rest.find('#'));
  std::size_t question = rest.find('?');
  parts.path = rest.substr(0, question);
  if (question != std::string::npos) parts.query = rest.substr(question + 1);
  return parts;
}

// Every path segment URI-encoded once more, as SigV4 does for every service but S3.
std::string canonical_uri(const std::string& path) {
  if (path.empty()) return "/";
  std::string out;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    out += url_encode(path.substr(start, slash - start));
    if (slash == std::string::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

std::string canonical_query(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    std::size_t amp = query.find('&', start);
    std::string item = query.substr(start, amp - start);
    if (!item.empty()) {
      std::size_t eq = item.find('=');
      std::string key = percent_decode(item.substr(0, eq));
      std::string value = eq == std::string::npos ? "" : percent_decode(item.substr(eq + 1));
      pairs.emplace_back(url_encode(key), url_encode(value));
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += '&';
    out += key + "=" + value;
  }
  return out;
}

// Headers a proxy or libcurl may add, drop or rewrite: signing them would break the signature.
bool unsigned_header(const std::string& name) {
  return name == "authorization" || name == "user-agent" || name == "expect" ||
         name == "accept-encoding" || name == "connection" || name == "transfer-encoding" ||
         name == "x-amzn-trace-id" || name == "content-length";
}

bool has_header(const common::Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return lower(h.first) == name; });
}

void remove_header(common::Headers& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& h) { return lower(h.first) == name; });
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!EVP_Digest(data.data(), data.size(), out, &size, EVP_sha256(), nullptr)) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return hex(out, size);
}

std::string amz_date(WallClock::time_point at) {
  std::time_t t = WallClock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[20];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

SigV4Signature sign_sigv4(common::HttpRequest& request, const AwsCredentials& credentials,
                          const std::string& region, const std::string& service,
                          WallClock::time_point at) {
  const UrlParts url = split_url(request.url);
  const std::string timestamp = amz_date(at);
  const std::string date = timestamp.substr(0, 8);

  // A retried request is signed again: what an earlier signing added goes first.
  for (const char* name : {"authorization", "x-amz-date", "x-amz-security-token"}) {
    remove_header(request.headers, name);
  }
  if (!has_header(request.headers, "host")) request.headers.emplace_back("Host", url.host);
  request.headers.emplace_back("X-Amz-Date", timestamp);
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }

  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    std::string key = lower(name);
    if (unsigned_header(key)) continue;
    std::string v = canonical_value(value);
    auto same =
        std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == key; });
    if (same != headers.end()) {
      same->second += "," + v;
    } else {
      headers.emplace_back(std::move(key), std::move(v));
    }
  }
  std::sort(headers.begin(), headers.end());

  SigV4Signature s;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!s.signed_headers.empty()) s.signed_headers += ';';
    s.signed_headers += name;
  }
  s.canonical_request = request.method + "\n" + canonical_uri(url.path) + "\n" +
                        canonical_query(url.query) + "\n" + canonical_headers + "\n" +
                        s.signed_headers + "\n" + sha256_hex(request.body);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  s.string_to_sign = std::string(kAlgorithm) + "\n" + timestamp + "\n" + scope + "\n" +
                     sha256_hex(s.canonical_request);
  std::string key = hmac_sha256("AWS4" + credentials.secret_access_key, date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  key = hmac_sha256(key, "aws4_request");
  s.signing_key_hex = hex(reinterpret_cast<const unsigned char*>(key.data()), key.size());
  std::string signature = hmac_sha256(key, s.string_to_sign);
  s.signature = hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
  s.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                    scope + ", SignedHeaders=" + s.signed_headers + ", Signature=" + s.signature;
  request.headers.emplace_back("Authorization", s.authorization);
  return s;
}

}  // namespace firedrill::clients
