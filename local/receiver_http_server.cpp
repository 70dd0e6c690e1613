#include "local/receiver_http_server.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/asio.hpp"
#include "common/text.hpp"
#include "local/receiver_options.hpp"

namespace firedrill::local {

namespace {

using tcp = asio::ip::tcp;

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
// A sender gets this long for each whole request; then the connection is closed.
constexpr auto kRequestTimeout = std::chrono::seconds(30);
// After refusing a request, what is still arriving is read and dropped for up to this long (and
// this much), so the sender reads the refusal instead of a connection reset.
constexpr auto kDrainTimeout = std::chrono::seconds(2);
constexpr std::size_t kDrainBytes = 4 * 1024 * 1024;
// Requests handed to the worker at most (SNS messages whose certificate is being fetched):
// beyond, `overloaded` answers (SNS delivers again after a 503).
constexpr int kMaxWaitingForWorker = 16;

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string endpoint_text(const tcp::endpoint& e) {
  std::string host = e.address().to_string();
  if (e.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(e.port());
}

// Counts one waiter for as long as it lives.
class ScopedCount {
 public:
  explicit ScopedCount(int& count) : count_(++count) {}
  ~ScopedCount() { --count_; }
  ScopedCount(const ScopedCount&) = delete;
  ScopedCount& operator=(const ScopedCount&) = delete;

 private:
  int& count_;
};

struct Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  tcp::socket socket;
  asio::steady_timer timer;
  std::string in;
  // What the connection waits for from its sender, and since when. At the connection limit one
  // that waits gives way to a new one: the one idle longest, else the one whose request has
  // taken longest, so that neither idle nor trickling senders can lock real ones out. In the
  // order close_longest_waiting prefers them.
  enum class Waiting { ForRequest, ForRestOfRequest, No };
  Waiting waiting = Waiting::ForRequest;
  std::chrono::steady_clock::time_point waiting_since = std::chrono::steady_clock::now();
};

// Closes the connection when the timer expires before the request is complete; the handler holds
// only a weak reference, as the connection may be gone by then.
void arm(const std::shared_ptr<Connection>& c, std::chrono::steady_clock::duration timeout) {
  c->timer.expires_after(timeout);
  c->timer.async_wait([weak = std::weak_ptr<Connection>(c)](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto connection = weak.lock()) {
      boost::system::error_code ignored;
      connection->socket.close(ignored);
    }
  });
}

asio::awaitable<bool> read_more(Connection& c) {
  char buffer[16 * 1024];
  boost::system::error_code ec;
  std::size_t n = co_await c.socket.async_read_some(asio::buffer(buffer),
                                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  c.in.append(buffer, n);
  co_return true;
}

asio::awaitable<bool> write_answer(Connection& c, const HttpAnswer& r) {
  std::string text = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) +
                     "\r\nContent-Type: " + r.content_type +
                     "\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n" +
                     (r.close ? "Connection: close\r\n" : "") + r.extra_headers + "\r\n" + r.body;
  boost::system::error_code ec;
  co_await asio::async_write(c.socket, asio::buffer(text),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

asio::awaitable<bool> write_continue(Connection& c) {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  boost::system::error_code ec;
  co_await asio::async_write(c.socket, asio::buffer(kContinue.data(), kContinue.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

// Whether the connection stays open after the answer to `request`.
bool keeps_alive(const ReceiverRequest& request) {
  const std::string* connection = request.header("connection");
  bool close = connection && lower_case(*connection) == "close";
  return request.version == "HTTP/1.1" ? !close
                                       : connection && lower_case(*connection) == "keep-alive";
}

}  // namespace

HttpAnswer json_answer(int status, const nlohmann::json& body) {
  return {status, body.dump() + "\n", "application/json", false, "", false};
}

HttpAnswer error_answer(int status, const std::string& message) {
  return json_answer(status, {{"error", common::excerpt(message, 512)}});
}

struct ReceiverHttpServer::Impl {
  Impl(HttpServerLimits l, Handler h, OverloadHandler o)
      : limits(l), handle(std::move(h)), overloaded(std::move(o)) {}

  HttpServerLimits limits;
  Handler handle;
  OverloadHandler overloaded;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::string bound;
  uint16_t port = 0;
  int connections = 0;                          // the server thread's
  std::vector<std::weak_ptr<Connection>> open;  // the server thread's, for closing waiting ones
  // Where an answer that needs the network is made: the server thread never waits on it.
  asio::thread_pool worker{1};
  int worker_waiting = 0;  // requests handed to the worker and not yet answered; server thread's
  std::thread server;

  void listen(const std::string& listen) {
    auto [host, port_text] = split_listen(listen);
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(host, port_text, tcp::resolver::passive, ec);
    if (ec || endpoints.empty()) {
      throw std::runtime_error("receiver: cannot resolve " + listen + ": " + ec.message());
    }
    tcp::endpoint endpoint = *endpoints.begin();
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("receiver: cannot listen on " + listen + ": " + ec.message());
    }
    tcp::endpoint local = acceptor.local_endpoint();
    bound = endpoint_text(local);
    port = local.port();
  }

  asio::awaitable<void> accept_loop() {
    asio::steady_timer backoff(io);
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // Out of descriptors, usually: let connections finish instead of spinning.
        backoff.expires_after(std::chrono::milliseconds(50));
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      if (connections >= limits.max_connections && !close_longest_waiting()) {
        socket.close(ec);
        continue;
      }
      auto connection = std::make_shared<Connection>(std::move(socket));
      // Each weak_ptr keeps its connection's memory: the ended ones go now and then.
      if (open.size() > 2 * static_cast<std::size_t>(limits.max_connections)) {
        std::erase_if(open, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
      }
      open.push_back(connection);
      asio::co_spawn(io, serve(std::move(connection)), asio::detached);
    }
  }

  // False when every connection is busy with a whole request (those have kRequestTimeout).
  bool close_longest_waiting() {
    std::erase_if(open, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
    std::shared_ptr<Connection> chosen;
    for (const auto& w : open) {
      auto c = w.lock();
      if (!c || c->waiting == Connection::Waiting::No || !c->socket.is_open()) continue;
      if (!chosen || c->waiting < chosen->waiting ||
          (c->waiting == chosen->waiting && c->waiting_since < chosen->waiting_since)) {
        chosen = std::move(c);
      }
    }
    if (!chosen) return false;
    boost::system::error_code ignored;
    chosen->socket.close(ignored);
    chosen->waiting = Connection::Waiting::No;
    return true;
  }

  asio::awaitable<void> serve(std::shared_ptr<Connection> c) {
    ++connections;
    try {
      co_await serve_requests(c);
    } catch (const std::exception&) {
      // A sender that misbehaves loses its connection and nothing else.
    }
    --connections;
    boost::system::error_code ignored;
    c->timer.cancel(ignored);
    c->socket.close(ignored);
  }

  // After a refusal the sender may still be sending; its bytes are read and dropped so that it
  // sees the answer rather than a reset.
  asio::awaitable<void> refuse(std::shared_ptr<Connection> c, HttpAnswer r) {
    r.close = true;
    if (!co_await write_answer(*c, r)) co_return;
    boost::system::error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_send, ignored);
    arm(c, kDrainTimeout);
    std::size_t drained = 0;
    while (drained < kDrainBytes) {
      c->in.clear();
      if (!co_await read_more(*c)) break;
      drained += c->in.size();
    }
  }

  // The request line and header fields; `body_start` is where they end in c.in.
  asio::awaitable<bool> read_head(Connection& c, ReceiverRequest& request,
                                  std::optional<HttpAnswer>& refusal, std::size_t& body_start) {
    std::size_t head_end;
    c.waiting =
        c.in.empty() ? Connection::Waiting::ForRequest : Connection::Waiting::ForRestOfRequest;
    c.waiting_since = std::chrono::steady_clock::now();
    while ((head_end = c.in.find("\r\n\r\n")) == std::string::npos) {
      if (c.in.size() > kMaxHeaderBytes) {
        refusal = error_answer(431, "request head over 64 KiB");
        co_return false;
      }
      if (!co_await read_more(c)) co_return false;
      if (c.waiting == Connection::Waiting::ForRequest) {
        c.waiting = Connection::Waiting::ForRestOfRequest;
        c.waiting_since = std::chrono::steady_clock::now();
      }
    }
    if (!parse_request_head(std::string_view(c.in).substr(0, head_end), request)) {
      refusal = error_answer(400, "malformed HTTP request");
      co_return false;
    }
    body_start = head_end + 4;
    co_return true;
  }

  asio::awaitable<bool> read_chunked_body(Connection& c, ReceiverRequest& request,
                                          std::optional<HttpAnswer>& refusal, std::size_t& pos) {
    for (;;) {
      std::size_t used = 0;
      Chunked result =
          decode_chunked(std::string_view(c.in).substr(pos), limits.max_body, request.body, used);
      if (result == Chunked::Complete) {
        pos += used;
        co_return true;
      }
      if (result == Chunked::TooLarge) {
        refusal = error_answer(
            413, "body over the limit of " + std::to_string(limits.max_body) + " bytes");
        co_return false;
      }
      if (result == Chunked::Malformed) {
        refusal = error_answer(400, "malformed chunked body");
        co_return false;
      }
      // Re-decoding is quadratic in what is buffered; framing beyond this is abuse.
      if (c.in.size() - pos > 2 * limits.max_body + kMaxHeaderBytes) {
        refusal = error_answer(413, "chunked body over the limit");
        co_return false;
      }
      if (!co_await read_more(c)) co_return false;
    }
  }

  asio::awaitable<bool> read_sized_body(Connection& c, ReceiverRequest& request,
                                        const std::string& length,
                                        std::optional<HttpAnswer>& refusal, std::size_t& pos) {
    auto size = parse_size(length, 10);
    if (!size) {
      refusal = error_answer(400, "malformed Content-Length");
      co_return false;
    }
    if (*size > limits.max_body) {
      refusal =
          error_answer(413, "body of " + std::to_string(*size) + " bytes is over the limit of " +
                                std::to_string(limits.max_body));
      co_return false;
    }
    const std::string* expect = request.header("expect");
    if (expect && lower_case(*expect) == "100-continue" && c.in.size() < pos + *size) {
      if (!co_await write_continue(c)) co_return false;
    }
    while (c.in.size() < pos + *size) {
      if (!co_await read_more(c)) co_return false;
    }
    request.body = c.in.substr(pos, *size);
    pos += *size;
    co_return true;
  }

  // One whole request, removed from c.in. False when the connection ended or the request is
  // refused (then `refusal` says how).
  asio::awaitable<bool> read_request(Connection& c, ReceiverRequest& request,
                                     std::optional<HttpAnswer>& refusal) {
    std::size_t pos = 0;
    if (!co_await read_head(c, request, refusal, pos)) co_return false;
    if (const std::string* te = request.header("transfer-encoding")) {
      if (lower_case(*te) != "chunked") {
        refusal = error_answer(501, "transfer encoding not supported: " + *te);
        co_return false;
      }
      if (!co_await read_chunked_body(c, request, refusal, pos)) co_return false;
    } else if (const std::string* length = request.header("content-length")) {
      if (!co_await read_sized_body(c, request, *length, refusal, pos)) co_return false;
    }
    c.in.erase(0, pos);
    c.waiting = Connection::Waiting::No;
    co_return true;
  }

  asio::awaitable<HttpAnswer> answer(const ReceiverRequest& request) {
    HttpAnswer answer = handle(request, false);
    if (!answer.needs_worker) co_return answer;
    if (worker_waiting >= kMaxWaitingForWorker) co_return overloaded(request);
    ScopedCount waiting(worker_waiting);
    co_return co_await asio::co_spawn(
        worker,
        // By reference: GCC 12 destroys a coroutine lambda's non-trivial captures twice. The
        // request outlives the call, since this coroutine waits for it.
        [this, &request]() -> asio::awaitable<HttpAnswer> { co_return handle(request, true); },
        asio::use_awaitable);
  }

  asio::awaitable<void> serve_requests(std::shared_ptr<Connection> c) {
    for (;;) {
      arm(c, kRequestTimeout);
      ReceiverRequest request;
      std::optional<HttpAnswer> refusal;
      bool complete = co_await read_request(*c, request, refusal);
      if (refusal) {
        co_await refuse(c, std::move(*refusal));
        co_return;
      }
      if (!complete) co_return;
      const bool keep_alive = keeps_alive(request);
      HttpAnswer response = co_await answer(request);
      response.close = !keep_alive;
      if (!co_await write_answer(*c, response) || !keep_alive) co_return;
    }
  }
};

ReceiverHttpServer::ReceiverHttpServer(const std::string& listen, HttpServerLimits limits,
                                       Handler handle, OverloadHandler overloaded)
    : impl_(std::make_unique<Impl>(limits, std::move(handle), std::move(overloaded))) {
  impl_->listen(listen);
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->server = std::thread([this] { impl_->io.run(); });
}

ReceiverHttpServer::~ReceiverHttpServer() {
  stop();
}

void ReceiverHttpServer::stop() {
  impl_->io.stop();
  if (impl_->server.joinable()) impl_->server.join();
  impl_->worker.stop();
  impl_->worker.join();
}

const std::string& ReceiverHttpServer::address() const {
  return impl_->bound;
}

uint16_t ReceiverHttpServer::port() const {
  return impl_->port;
}

}  // namespace firedrill::local
