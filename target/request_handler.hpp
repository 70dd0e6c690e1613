#pragma once
// The routing interface of the HTTP server core: the core accepts connections, speaks TLS,
// HTTP/1.1 and HTTP/2, and asks a RequestHandler what to answer.
#include <chrono>
#include <cstdint>
#include <string_view>

#include "target/reply.hpp"

namespace firedrill::target {

enum class Protocol { unknown, h1, h2 };

// One connection, as the handler sees it with each of its requests.
struct ConnectionContext {
  Protocol protocol = Protocol::unknown;
  bool tls = false;
  // The handler's own per-connection bits; the core never reads them.
  uint32_t handler_marks = 0;
};

// "http/1.1", "h2" (over TLS) or "h2c".
std::string_view protocol_name(const ConnectionContext& connection);

// A complete request: head and body have arrived. The views stay valid until the request is
// answered (RequestHandler::on_answered) or its connection closes.
struct Request {
  std::string_view method;
  std::string_view target;  // origin form: path and query
  // At most ServerOptions::max_request_body bytes; the rest was read and dropped.
  std::string_view body;
  bool body_too_large = false;
  std::chrono::steady_clock::time_point received;
  ConnectionContext* connection = nullptr;

  std::string_view path() const { return target.substr(0, target.find('?')); }
};

// What the core did to a connection, for handlers that keep count.
enum class ConnectionEvent {
  accepted,          // before TLS and before the protocol is known
  protocol_chosen,   // ConnectionContext::protocol is now set
  reset,             // ended with a TCP reset, as a Reply asked
  ended_on_request,  // GOAWAY or "Connection: close" sent, as a Reply asked
};

// Called on the event loop of the connection, never concurrently for one server.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  virtual Reply handle(const Request& request) = 0;
  // The response is handed to the connection: after Reply::delay, and only for
  // Reply::Action::respond.
  virtual void on_answered(const Request&, const Reply&) {}
  virtual void on_connection_event(ConnectionEvent, const ConnectionContext&) {}
};

}  // namespace firedrill::target
