#include "loadgen/url.hpp"

#include <charconv>

#include "common/errors.hpp"

namespace firedrill::loadgen {

namespace {
[[noreturn]] void bad(std::string_view url, std::string_view why) {
  throw common::ValueError("\"" + std::string(url) + "\" is not a valid URL: " + std::string(why));
}
}  // namespace

ParsedUrl parse_url(std::string_view url) {
  ParsedUrl out;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    out.origin.tls = true;
    rest = url.substr(8);
  } else {
    bad(url, "expected http://HOST[:PORT]/PATH or https://HOST[:PORT]/PATH");
  }
  size_t path_at = rest.find_first_of("/?#");
  std::string_view hostport = rest.substr(0, path_at);
  std::string_view path = path_at == std::string_view::npos ? "" : rest.substr(path_at);
  if (size_t hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
  if (hostport.find('@') != std::string_view::npos) bad(url, "user:password@ is not supported");

  std::string_view host = hostport;
  std::string_view port_text;
  if (hostport.starts_with("[")) {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) bad(url, "unterminated [IPv6 address]");
    host = hostport.substr(1, close - 1);
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') bad(url, "unexpected characters after ]");
      port_text = after.substr(1);
    }
  } else if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port_text = hostport.substr(colon + 1);
  }
  if (host.empty()) bad(url, "missing host");

  uint16_t default_port = out.origin.tls ? 443 : 80;
  out.origin.port = default_port;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      bad(url, "the port must be a number from 1 to 65535");
    }
    out.origin.port = static_cast<uint16_t>(value);
  }
  out.origin.host = std::string(host);
  bool ipv6 = host.find(':') != std::string_view::npos;
  out.origin.authority = ipv6 ? "[" + out.origin.host + "]" : out.origin.host;
  if (out.origin.port != default_port)
    out.origin.authority += ":" + std::to_string(out.origin.port);
  out.path = path.empty() ? "/" : std::string(path);
  if (out.path[0] == '?') out.path.insert(0, "/");
  return out;
}

}  // namespace firedrill::loadgen
