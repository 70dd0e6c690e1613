#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "target/request_handler.hpp"

namespace firedrill::target {

// A request as a connection reads it, HTTP/1.1 or HTTP/2, kept until it has been answered: a
// delayed answer outlives the read.
struct ReceivedRequest {
  std::string method;
  std::string target;
  std::string body;
  bool body_too_large = false;
  std::chrono::steady_clock::time_point received;

  // Appends what fits under `max_body` bytes (ServerOptions::max_request_body) and notes when
  // the rest had to be dropped.
  void keep_body(std::string_view chunk, std::size_t max_body);
  // What the handler sees of it.
  Request view(ConnectionContext* connection) const;
};

}  // namespace firedrill::target
