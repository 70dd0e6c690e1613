#include "target/request_handler.hpp"

namespace firedrill::target {

std::string_view protocol_name(const ConnectionContext& connection) {
  switch (connection.protocol) {
    case Protocol::h1:
      return "http/1.1";
    case Protocol::h2:
      return connection.tls ? "h2" : "h2c";
    case Protocol::unknown:
      break;
  }
  return "unknown";
}

}  // namespace firedrill::target
