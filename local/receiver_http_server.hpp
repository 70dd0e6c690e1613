#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "local/receiver_request.hpp"

namespace firedrill::local {

// The answer to one request.
struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool close = false;
  std::string extra_headers;  // whole lines, each ending in \r\n
  // Answering needs the network (an SNS signing certificate not yet known): ask again where
  // waiting blocks no other sender.
  bool needs_worker = false;
};

HttpAnswer json_answer(int status, const nlohmann::json& body);
// {"error": message}, the message cut to a length fit for a response.
HttpAnswer error_answer(int status, const std::string& message);

struct HttpServerLimits {
  std::size_t max_body = 1024 * 1024;
  // Beyond this many open connections one that waits on its sender (idle longest, else with the
  // request that has taken longest) is closed for a new one.
  int max_connections = 256;
};

// The receiver's HTTP/1.1 server: keep-alive, Content-Length and chunked bodies, Expect:
// 100-continue, bounded heads, bodies, times and connections, on a thread of its own. Each whole
// request goes to `handle` with may_block false; an answer that says needs_worker is asked for
// again with may_block true on a worker thread, so that no other sender waits, unless too many
// wait already: then `overloaded` answers it.
class ReceiverHttpServer {
 public:
  using Handler = std::function<HttpAnswer(const ReceiverRequest& request, bool may_block)>;
  using OverloadHandler = std::function<HttpAnswer(const ReceiverRequest& request)>;

  // Serves from return on; throws std::runtime_error when `listen` cannot be bound.
  ReceiverHttpServer(const std::string& listen, HttpServerLimits limits, Handler handle,
                     OverloadHandler overloaded);
  ~ReceiverHttpServer();  // stop()
  ReceiverHttpServer(const ReceiverHttpServer&) = delete;
  ReceiverHttpServer& operator=(const ReceiverHttpServer&) = delete;

  // Ends serving and waits for the server's threads; no handler runs after it returns.
  void stop();

  const std::string& address() const;  // HOST:PORT as bound
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firedrill::local
