#include "target/http_server.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <system_error>
#include <utility>

#include "target/protocol_sniffer.hpp"

namespace firedrill::target {

HttpServer::HttpServer(asio::io_context& io, ServerOptions options, RequestHandler& handler)
    : io_(io), options_(std::move(options)), handler_(handler), acceptor_(io), accept_retry_(io) {
  tcp::endpoint endpoint =
      *tcp::resolver(io).resolve(options_.host, std::to_string(options_.port)).begin();
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  if (options_.reuse_port) {
    int on = 1;
    if (setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
      throw std::system_error(errno, std::generic_category(), "SO_REUSEPORT");
    }
  }
  acceptor_.bind(endpoint);
  acceptor_.listen(tcp::acceptor::max_listen_connections);
}

void HttpServer::accept() {
  acceptor_.async_accept([this](const error_code& error, tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (error) {
      retry_accept();
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    ConnectionContext context;
    context.tls = options_.tls != nullptr;
    handler_.on_connection_event(ConnectionEvent::accepted, context);
    auto transport =
        options_.tls ? Transport(std::move(socket), *options_.tls) : Transport(std::move(socket));
    std::make_shared<ProtocolSniffer>(*this, std::move(transport), context)->start();
    accept();
  });
}

// Out of file descriptors (or similar) the listen queue still holds the connection, so accepting
// again at once would spin; wait for connections to close instead.
void HttpServer::retry_accept() {
  accept_retry_.expires_after(std::chrono::milliseconds(50));
  accept_retry_.async_wait([this](const error_code& error) {
    if (!error) accept();
  });
}

}  // namespace firedrill::target
