#include "loadgen/request_template.hpp"

#include <algorithm>
#include <cctype>

#include "common/errors.hpp"

namespace firedrill::loadgen {

namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool has_header(const std::vector<Header>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const Header& h) { return lowercase(h.first) == name; });
}

RequestTemplate build_one(const RequestSpec& spec, const Origin& origin, const std::string& path) {
  RequestTemplate t;
  t.body = spec.body;
  t.head = spec.method == "HEAD";
  bool custom_host = has_header(spec.headers, "host");
  bool custom_agent = has_header(spec.headers, "user-agent");
  bool needs_length = !spec.body.empty() && !has_header(spec.headers, "content-length");

  std::string& h1 = t.h1_bytes;
  h1 = spec.method + " " + path + " HTTP/1.1\r\n";
  if (!custom_host) h1 += "Host: " + origin.authority + "\r\n";
  if (!custom_agent) h1 += "User-Agent: firedrill/0.1\r\n";
  for (const auto& [name, value] : spec.headers) h1 += name + ": " + value + "\r\n";
  if (needs_length) h1 += "Content-Length: " + std::to_string(spec.body.size()) + "\r\n";
  h1 += "\r\n";
  h1 += spec.body;

  std::vector<std::pair<std::string, std::string>> fields = {
      {":method", spec.method},
      {":scheme", origin.tls ? "https" : "http"},
      {":authority", origin.authority},
      {":path", path}};
  if (!custom_agent) fields.emplace_back("user-agent", "firedrill/0.1");
  for (const auto& [name, value] : spec.headers) {
    std::string lower = lowercase(name);
    if (lower == "host") {
      fields[2].second = value;
      continue;
    }
    // Connection-specific headers are forbidden in HTTP/2 (RFC 9113 section 8.2.2).
    if (lower == "connection" || lower == "keep-alive" || lower == "transfer-encoding" ||
        lower == "upgrade" || lower == "proxy-connection") {
      continue;
    }
    fields.emplace_back(lower, value);
  }
  if (needs_length) fields.emplace_back("content-length", std::to_string(spec.body.size()));
  t.h2_fields = hpack_prepare_request(fields);
  return t;
}

}  // namespace

std::vector<RequestTemplate> build_request_templates(const std::vector<RequestSpec>& requests,
                                                     const Origin& origin) {
  std::vector<RequestTemplate> out;
  out.reserve(requests.size());
  for (const auto& spec : requests) {
    ParsedUrl url = parse_url(spec.url);
    if (!(url.origin == origin)) {
      throw common::ValueError("\"" + spec.url + "\" has another scheme, host or port than \"" +
                               requests.front().url +
                               "\": all URLs of one run must share one origin");
    }
    out.push_back(build_one(spec, origin, url.path));
    out.back().index = static_cast<uint32_t>(out.size() - 1);
  }
  return out;
}

}  // namespace firedrill::loadgen
