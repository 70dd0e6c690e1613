#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace firedrill::target {

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};

// "HOST:PORT", "[IPv6]:PORT"; port 0 means any free port. Empty when malformed.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace firedrill::target
