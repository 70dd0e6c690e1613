#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "target/request_handler.hpp"
#include "target/transport.hpp"

namespace firedrill::target {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  // Lets one server per event loop listen on the same port; the kernel spreads the connections.
  bool reuse_port = false;
  // Serve TLS with ALPN (h2, http/1.1) when set; one context can serve every loop.
  std::shared_ptr<ssl::context> tls;
  // Request bodies are kept for the handler up to this size; the rest is read and dropped.
  std::size_t max_request_body = 0;
};

// Listens on one address and serves HTTP/1.1 and HTTP/2 (h2 by ALPN over TLS, h2c with prior
// knowledge without) on the same port, on one event loop; `handler` decides every answer.
class HttpServer {
 public:
  // Binds and listens at once, so that the port is known before start().
  HttpServer(asio::io_context& io, ServerOptions options, RequestHandler& handler);

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  asio::io_context& io() { return io_; }
  RequestHandler& handler() { return handler_; }
  const ServerOptions& options() const { return options_; }

  void start() { accept(); }

 private:
  void accept();
  void retry_accept();

  asio::io_context& io_;
  const ServerOptions options_;
  RequestHandler& handler_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
};

}  // namespace firedrill::target
