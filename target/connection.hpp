#pragma once
#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "target/http_server.hpp"
#include "target/request_handler.hpp"
#include "target/transport.hpp"

namespace firedrill::target {

// The read/write loop and the ways a connection ends; HTTP/1.1 and HTTP/2 fill in the protocol.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer& server, Transport transport, ConnectionContext context);
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // `received` holds what was read while telling the protocols apart.
  void start(std::string_view received);

 protected:
  virtual void on_input(const char* data, std::size_t size) = 0;
  // Appends the next bytes to send, a bounded amount at a time.
  virtual void produce(std::string& out) = 0;
  // Called when there is nothing to send: the place to end the connection on purpose.
  virtual void on_idle() {}
  virtual bool wants_input() const { return true; }
  // Drops pending timers, whose handlers would otherwise keep the connection alive.
  virtual void on_closed() {}

  void flush();
  void read();
  // Sends FIN (or TLS close_notify) and reads until the peer closes, so that requests still in
  // flight from the peer do not turn the close into a reset that destroys the last response.
  void close_gracefully();
  // Ends the connection with a TCP RST: SO_LINGER {1, 0}, then close.
  void abort();
  void close();
  bool closed() const { return state_ == State::closed; }

  RequestHandler& handler() { return server_.handler(); }
  void report(ConnectionEvent event) { handler().on_connection_event(event, context_); }

  HttpServer& server_;
  Transport transport_;
  ConnectionContext context_;

 private:
  enum class State { open, closing, closed };

  void on_read(const error_code& error, std::size_t size);
  void shutdown_tls();

  State state_ = State::open;
  bool reading_ = false;
  bool writing_ = false;
  bool tls_shutdown_started_ = false;
  asio::steady_timer linger_;
  std::string out_;
  std::array<char, 16 * 1024> read_buffer_;
};

}  // namespace firedrill::target
