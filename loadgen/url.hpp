#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace firedrill::loadgen {

// Scheme, host and port: what one connection talks to. All requests of a run share one origin.
struct Origin {
  bool tls = false;
  std::string host;  // without brackets for IPv6 literals
  uint16_t port = 0;
  std::string authority;  // Host header / :authority: host, plus :port when not the default

  bool operator==(const Origin&) const = default;
};

struct ParsedUrl {
  Origin origin;
  std::string path;  // path and query, at least "/"
};

// http:// and https:// URLs only. Throws common::ValueError saying what is wrong.
ParsedUrl parse_url(std::string_view url);

}  // namespace firedrill::loadgen
