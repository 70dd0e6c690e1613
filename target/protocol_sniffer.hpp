#pragma once
#include <array>
#include <memory>
#include <string>

#include "target/http_server.hpp"
#include "target/request_handler.hpp"
#include "target/transport.hpp"

namespace firedrill::target {

// Reads the first bytes of a connection (after the TLS handshake, if any) until they either
// match the HTTP/2 client preface or cannot, then hands the connection to that protocol. Over
// TLS, ALPN decides when the client offered it.
class ProtocolSniffer : public std::enable_shared_from_this<ProtocolSniffer> {
 public:
  ProtocolSniffer(HttpServer& server, Transport transport, ConnectionContext context)
      : server_(server), transport_(std::move(transport)), context_(context) {}

  void start();

 private:
  void on_handshake();
  void sniff();
  void decide();
  void launch(Protocol protocol);

  HttpServer& server_;
  Transport transport_;
  ConnectionContext context_;
  std::string received_;
  std::array<char, 4096> buffer_;
};

}  // namespace firedrill::target
