#include "clients/notification_receiver.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "clients/http_client.hpp"
#include "clients/receiver_request.hpp"
#include "clients/rfc3339.hpp"
#include "common/asio.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using nlohmann::json;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
constexpr std::size_t kMaxSubscriptionEvents = 1000;
constexpr std::size_t kMaxRejections = 1000;
constexpr int kMaxJsonDepth = 64;
// A sender gets this long for each whole request; then the connection is closed.
constexpr auto kRequestTimeout = std::chrono::seconds(30);
// After refusing a request, what is still arriving is read and dropped for up to this long (and
// this much), so the sender reads the refusal instead of a connection reset.
constexpr auto kDrainTimeout = std::chrono::seconds(2);
constexpr std::size_t kDrainBytes = 4 * 1024 * 1024;
constexpr auto kConfirmTimeout = std::chrono::seconds(10);
// SNS messages whose certificate is being fetched, at most: beyond, 503 (SNS delivers again).
constexpr int kMaxWaitingForCertificates = 16;

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool close = false;
  std::string extra_headers;  // whole lines, each ending in \r\n
  // Answering needs the network (an SNS signing certificate not yet known): ask again where
  // waiting blocks no other sender.
  bool needs_worker = false;
};

Response json_response(int status, const json& body) {
  return {status, body.dump() + "\n", "application/json", false, ""};
}

Response error_response(int status, const std::string& message) {
  return json_response(status, {{"error", common::excerpt(message, 512)}});
}

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

// The scheme and host of a URL: SubscribeURLs carry a token that must not be shown.
std::string origin_of(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  std::size_t end = url.find_first_of("/?#", scheme + 3);
  return redact_url(url.substr(0, end));
}

std::string endpoint_text(const tcp::endpoint& e) {
  std::string host = e.address().to_string();
  if (e.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(e.port());
}

std::pair<std::string, std::string> split_listen(const std::string& listen) {
  std::string host;
  std::string port;
  if (listen.starts_with("[")) {
    std::size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      throw common::ValueError("listen: \"" + listen + "\" is not [IPv6]:PORT");
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos) {
      throw common::ValueError("listen: \"" + listen + "\" is not HOST:PORT, e.g. 127.0.0.1:9095");
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  auto number = parse_size(port, 10);
  if (!number || *number > 65535) {
    throw common::ValueError("listen: \"" + listen + "\" has no valid port (0 to 65535)");
  }
  return {host.empty() ? "0.0.0.0" : host, port};
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

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

// What a parsed JSON value takes in memory, roughly: the node, and the heap blocks of its
// strings, arrays and objects. A body of many small values takes many times its size.
std::size_t json_memory(const json& value) {
  std::size_t total = sizeof(json);
  if (value.is_string()) {
    total += value.get_ref<const std::string&>().capacity() + 32;
  } else if (value.is_array()) {
    total += 32;
    for (const json& item : value) total += json_memory(item);
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) total += 64 + key.size() + json_memory(item);
  }
  return total;
}

std::size_t stored_memory(const Notification& n) {
  std::size_t total = sizeof(Notification) + json_memory(n.payload) + json_memory(n.labels) +
                      n.format.size() + n.status.size() + n.receiver.size() + n.path.size();
  for (const auto& a : n.alerts) {
    total += sizeof(ReceivedAlert) + a.alertname.size() + a.status.size() + json_memory(a.labels);
  }
  return total;
}

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

asio::awaitable<bool> write_response(Connection& c, const Response& r) {
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

}  // namespace

json RejectedRequest::to_json() const {
  return {{"received_at", format_rfc3339(received_at)}, {"path", path}, {"reason", reason}};
}

json SubscriptionEvent::to_json() const {
  return {{"received_at", format_rfc3339(received_at)},
          {"type", type},
          {"topic_arn", topic_arn},
          {"outcome", outcome},
          {"detail", detail}};
}

ReceiverOptions receiver_options(const json& settings) {
  ReceiverOptions options;
  if (settings.is_null()) return options;
  if (!settings.is_object()) {
    throw common::ValueError("integrations.receiver must be a map, like {listen: 0.0.0.0:9095}");
  }
  for (const auto& [key, value] : settings.items()) {
    if (key == "listen") {
      if (!value.is_string()) throw common::ValueError("integrations.receiver.listen: a string");
      options.listen = value.get<std::string>();
      split_listen(options.listen);
    } else if (key == "auth") {
      options.auth = receiver_auth_from(value);
    } else if (key == "insecure") {
      if (!value.is_boolean())
        throw common::ValueError("integrations.receiver.insecure: true or false");
      options.insecure = value.get<bool>();
    } else if (key == "allowSnsTopics") {
      json topics = value.is_string() ? json::array({value}) : value;
      if (!topics.is_array()) {
        throw common::ValueError("integrations.receiver.allowSnsTopics: a list of topic ARNs");
      }
      for (const json& t : topics) {
        if (!t.is_string()) {
          throw common::ValueError("integrations.receiver.allowSnsTopics: a list of topic ARNs");
        }
        options.allowed_sns_topics.push_back(t.get<std::string>());
      }
    } else if (key == "maxBodyBytes") {
      if (!value.is_number_integer() || value.get<int64_t>() <= 0) {
        throw common::ValueError("integrations.receiver.maxBodyBytes: a number of bytes above 0");
      }
      options.max_body = value.get<std::size_t>();
    } else {
      throw common::ValueError(
          "integrations.receiver." + key +
          ": unknown setting (listen, auth, insecure, allowSnsTopics, maxBodyBytes)");
    }
  }
  if (exposed_without_auth(options)) {
    throw common::ValueError(
        "integrations.receiver.listen: " + options.listen +
        " can be reached from other machines, and without auth anyone who can reach it makes a "
        "receiver.notification check pass with one POST. Give auth (bearerToken, basic or "
        "pathSecret, e.g. {bearerToken: \"${env:RECEIVER_TOKEN}\"}), listen on 127.0.0.1, or "
        "say insecure: true");
  }
  return options;
}

bool exposed_without_auth(const ReceiverOptions& options) {
  if (options.auth.required() || options.insecure) return false;
  return !is_loopback_host(split_listen(options.listen).first);
}

struct NotificationReceiver::Impl {
  struct Confirmation {
    SubscriptionEvent event;
    std::string url;
  };

  explicit Impl(ReceiverOptions o) : options(std::move(o)) {}

  ReceiverOptions options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::string bound;
  uint16_t port = 0;
  int connections = 0;  // touched by the server thread only
  std::thread server;

  mutable std::mutex mutex;
  std::deque<Notification> notifications;
  std::size_t stored_bytes = 0;       // estimated memory of what is kept
  std::deque<std::size_t> memory_of;  // each kept notification's share of it
  std::size_t dropped = 0;
  std::deque<SubscriptionEvent> subscriptions;
  std::deque<RejectedRequest> rejections;
  std::vector<std::weak_ptr<Connection>> open;  // the server thread's, for closing waiting ones
  SnsSignatureVerifier sns_verifier{options.sns_test_trust};
  // Where an SNS message whose certificate must be fetched is answered: the server thread never
  // waits on the network.
  asio::thread_pool sns_worker{1};
  int sns_waiting = 0;  // requests handed to sns_worker and not yet answered; the server thread's

  // Fetching a SubscribeURL can take seconds; it runs on its own thread, not the server's.
  std::thread confirmer;
  std::condition_variable wake;
  std::deque<Confirmation> to_confirm;
  bool stopping = false;

  void start() {
    auto [host, port_text] = split_listen(options.listen);
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(host, port_text, tcp::resolver::passive, ec);
    if (ec || endpoints.empty()) {
      throw std::runtime_error("receiver: cannot resolve " + options.listen + ": " + ec.message());
    }
    tcp::endpoint endpoint = *endpoints.begin();
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("receiver: cannot listen on " + options.listen + ": " +
                               ec.message());
    }
    tcp::endpoint local = acceptor.local_endpoint();
    bound = endpoint_text(local);
    port = local.port();
    asio::co_spawn(io, accept_loop(), asio::detached);
    confirmer = std::thread([this] { confirm_loop(); });
    server = std::thread([this] { io.run(); });
  }

  void stop() {
    io.stop();
    if (server.joinable()) server.join();
    sns_worker.stop();
    sns_worker.join();
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    if (confirmer.joinable()) confirmer.join();
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
      if (connections >= options.max_connections && !close_longest_waiting()) {
        socket.close(ec);
        continue;
      }
      auto connection = std::make_shared<Connection>(std::move(socket));
      // Each weak_ptr keeps its connection's memory: the ended ones go now and then.
      if (open.size() > 2 * static_cast<std::size_t>(options.max_connections)) {
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
  // sees the response rather than a reset.
  asio::awaitable<void> refuse(std::shared_ptr<Connection> c, Response r) {
    r.close = true;
    if (!co_await write_response(*c, r)) co_return;
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

  // One whole request, removed from c.in. False when the connection ended or the request is
  // refused (then `refusal` says how).
  asio::awaitable<bool> read_request(Connection& c, ReceiverRequest& request,
                                     std::optional<Response>& refusal) {
    std::size_t head_end;
    c.waiting =
        c.in.empty() ? Connection::Waiting::ForRequest : Connection::Waiting::ForRestOfRequest;
    c.waiting_since = std::chrono::steady_clock::now();
    while ((head_end = c.in.find("\r\n\r\n")) == std::string::npos) {
      if (c.in.size() > kMaxHeaderBytes) {
        refusal = error_response(431, "request head over 64 KiB");
        co_return false;
      }
      if (!co_await read_more(c)) co_return false;
      if (c.waiting == Connection::Waiting::ForRequest) {
        c.waiting = Connection::Waiting::ForRestOfRequest;
        c.waiting_since = std::chrono::steady_clock::now();
      }
    }
    if (!parse_request_head(std::string_view(c.in).substr(0, head_end), request)) {
      refusal = error_response(400, "malformed HTTP request");
      co_return false;
    }
    std::size_t pos = head_end + 4;
    if (const std::string* te = request.header("transfer-encoding")) {
      if (lower_case(*te) != "chunked") {
        refusal = error_response(501, "transfer encoding not supported: " + *te);
        co_return false;
      }
      for (;;) {
        std::size_t used = 0;
        Chunked result = decode_chunked(std::string_view(c.in).substr(pos), options.max_body,
                                        request.body, used);
        if (result == Chunked::Complete) {
          pos += used;
          break;
        }
        if (result == Chunked::TooLarge) {
          refusal = error_response(
              413, "body over the limit of " + std::to_string(options.max_body) + " bytes");
          co_return false;
        }
        if (result == Chunked::Malformed) {
          refusal = error_response(400, "malformed chunked body");
          co_return false;
        }
        // Re-decoding is quadratic in what is buffered; framing beyond this is abuse.
        if (c.in.size() - pos > 2 * options.max_body + kMaxHeaderBytes) {
          refusal = error_response(413, "chunked body over the limit");
          co_return false;
        }
        if (!co_await read_more(c)) co_return false;
      }
    } else if (const std::string* length = request.header("content-length")) {
      auto size = parse_size(*length, 10);
      if (!size) {
        refusal = error_response(400, "malformed Content-Length");
        co_return false;
      }
      if (*size > options.max_body) {
        refusal = error_response(413, "body of " + std::to_string(*size) +
                                          " bytes is over the limit of " +
                                          std::to_string(options.max_body));
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
    }
    c.in.erase(0, pos);
    c.waiting = Connection::Waiting::No;
    co_return true;
  }

  asio::awaitable<void> serve_requests(std::shared_ptr<Connection> c) {
    for (;;) {
      arm(c, kRequestTimeout);
      ReceiverRequest request;
      std::optional<Response> refusal;
      bool complete = co_await read_request(*c, request, refusal);
      if (refusal) {
        co_await refuse(c, std::move(*refusal));
        co_return;
      }
      if (!complete) co_return;
      const std::string* connection = request.header("connection");
      bool close = connection && lower_case(*connection) == "close";
      bool keep_alive = request.version == "HTTP/1.1"
                            ? !close
                            : connection && lower_case(*connection) == "keep-alive";
      Response response = handle(request, false);
      if (response.needs_worker && sns_waiting >= kMaxWaitingForCertificates) {
        const std::string why = "too many SNS messages wait for a signing certificate";
        reject(request.path(), why);
        response = error_response(503, why);
      } else if (response.needs_worker) {
        ScopedCount waiting(sns_waiting);
        response = co_await asio::co_spawn(
            sns_worker,
            // By reference: GCC 12 destroys a coroutine lambda's non-trivial captures twice.
            // The request outlives the call, since this coroutine waits for it.
            [this, &request]() -> asio::awaitable<Response> { co_return handle(request, true); },
            asio::use_awaitable);
      }
      response.close = !keep_alive;
      if (!co_await write_response(*c, response) || !keep_alive) co_return;
    }
  }

  // `may_block`: whether this thread may wait on the network; if it would have to, and may not,
  // the response says needs_worker and nothing has changed.
  Response handle(const ReceiverRequest& request, bool may_block) {
    const AuthCheck auth =
        check_receiver_auth(options.auth, request.header("authorization"), request.path());
    if (auth.result != AuthResult::Accepted) {
      reject(request.path(), auth.reason);
      Response r = error_response(401, auth.reason + ": this receiver needs credentials");
      // SNS sends the user and password of an https://user:password@host/ endpoint only when
      // challenged for basic auth.
      if (!options.auth.basic_username.empty()) {
        r.extra_headers += "WWW-Authenticate: Basic realm=\"firedrill\"\r\n";
      }
      if (!options.auth.bearer_token.empty()) {
        r.extra_headers += "WWW-Authenticate: Bearer realm=\"firedrill\"\r\n";
      }
      return r;
    }
    const std::string& path = auth.route;
    if (path == "/notifications") {
      if (request.method != "GET" && request.method != "HEAD") {
        return error_response(405, "GET /notifications");
      }
      return json_response(200, to_json());
    }
    PayloadFormat format;
    if (path == "/" || path == "/webhook") {
      format = PayloadFormat::Auto;
    } else if (path == "/alertmanager") {
      format = PayloadFormat::Alertmanager;
    } else if (path == "/grafana") {
      format = PayloadFormat::Grafana;
    } else if (path == "/slack") {
      format = PayloadFormat::Slack;
    } else if (path == "/sns") {
      format = PayloadFormat::Sns;
    } else {
      return error_response(404,
                            "no such path; POST notifications to /, /webhook, "
                            "/alertmanager, /grafana, /slack or /sns");
    }
    if (request.method != "POST" && request.method != "PUT") {
      return error_response(405, "POST (or PUT) notifications here");
    }
    if (!json_depth_within(request.body, kMaxJsonDepth)) {
      return error_response(
          400, "JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
    }
    json body;
    try {
      body = json::parse(request.body);
    } catch (const json::exception& e) {
      // Not only syntax: a number out of range (1e999999) is refused the same way.
      return error_response(400, std::string("malformed JSON: ") + e.what());
    }
    std::string sns_type;
    if (const std::string* type = request.header("x-amz-sns-message-type")) {
      sns_type = *type;
    } else if ((format == PayloadFormat::Sns || format == PayloadFormat::Auto) &&
               body.is_object() && body.contains("TopicArn") && body.contains("Type") &&
               body["Type"].is_string()) {
      sns_type = body["Type"].get<std::string>();
    } else if (format == PayloadFormat::Sns) {
      return error_response(400,
                            "not an SNS message: no x-amz-sns-message-type header and no "
                            "Type and TopicArn");
    }
    if (!sns_type.empty()) {
      return handle_sns(sns_type, body, path, request.body.size(), may_block);
    }

    Notification n;
    try {
      n = normalise_webhook(body, format);
    } catch (const PayloadError& e) {
      return error_response(400, e.what());
    } catch (const json::exception& e) {
      return error_response(400, std::string("unexpected payload: ") + e.what());
    }
    n.payload = std::move(body);
    store(std::move(n), path, request.body.size());
    return json_response(200, {{"status", "received"}});
  }

  Response handle_sns(const std::string& header_type, const json& body, const std::string& path,
                      std::size_t bytes, bool may_block) {
    const std::string type = body.is_object() && body.contains("Type") && body["Type"].is_string()
                                 ? body["Type"].get<std::string>()
                                 : header_type;
    if (type != header_type) {
      return error_response(400, "the x-amz-sns-message-type header says " + header_type +
                                     " but the message's Type is " + type);
    }
    if (type != "Notification" && type != "SubscriptionConfirmation" &&
        type != "UnsubscribeConfirmation") {
      return error_response(400, "unknown SNS message type \"" + type + "\"");
    }
    // Anyone who can reach the receiver can post what looks like SNS: only SNS's signature, and
    // a topic the drill allows, make it count.
    const SnsVerification signature = sns_verifier.verify(body, may_block);
    if (signature.verdict == SnsVerdict::NeedsFetch) {
      Response later;
      later.needs_worker = true;
      return later;
    }
    if (signature.verdict != SnsVerdict::Signed) {
      reject(path, "SNS signature: " + signature.why);
      // SNS retries a delivery that failed with a server error: worth it when the certificate
      // could not be had now, not when the signature is wrong.
      const bool retry = signature.verdict == SnsVerdict::Unavailable;
      return error_response(retry ? 503 : 403, (retry ? "cannot verify the SNS signature now: "
                                                      : "not accepted as an SNS message: ") +
                                                   signature.why);
    }
    const std::string topic = body.value("TopicArn", "");
    const auto& allowed = options.allowed_sns_topics;
    const bool topic_allowed = std::find(allowed.begin(), allowed.end(), topic) != allowed.end();
    if (type == "Notification") {
      if (!topic_allowed) {
        reject(path, "SNS topic not in allowSnsTopics: " + topic);
        return error_response(403, "the topic is not in allowSnsTopics");
      }
      Notification n = normalise_sns_notification(body);
      n.payload = without_sns_capabilities(body);
      store(std::move(n), path, bytes);
      return json_response(200, {{"status", "received"}});
    }
    SubscriptionEvent event;
    event.received_at = WallClock::now();
    event.type = type;
    event.topic_arn = topic;
    if (type == "UnsubscribeConfirmation") {
      event.outcome = "noted";
      event.detail = "the subscription was removed; nothing is done about it";
      record(std::move(event));
      return json_response(200, {{"status", "noted"}});
    }
    if (!topic_allowed) {
      event.outcome = "refused";
      event.detail = "the topic is not in the allowed list (allowSnsTopics / --allow-sns-topic)";
      record(std::move(event));
      return json_response(200, {{"status", "refused"}});
    }
    std::string url = body.value("SubscribeURL", "");
    // Only SNS itself is ever asked: any other URL would make the receiver fetch whatever the
    // sender names, inside the network it runs in.
    if (!sns_verifier.on_sns_host(url)) {
      event.outcome = "failed";
      event.detail = "the SubscribeURL is not an https URL of an SNS host; it was not fetched";
      record(std::move(event));
      return error_response(400, "the SubscribeURL is not on an SNS host");
    }
    {
      std::lock_guard lock(mutex);
      to_confirm.push_back({std::move(event), std::move(url)});
    }
    wake.notify_one();
    return json_response(200, {{"status", "confirming"}});
  }

  void confirm_loop() {
    HttpClient client;
    for (;;) {
      Confirmation next;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [this] { return stopping || !to_confirm.empty(); });
        if (stopping) return;
        next = std::move(to_confirm.front());
        to_confirm.pop_front();
      }
      HttpRequest request = sns_verifier.request_for(next.url);
      request.timeout = kConfirmTimeout;
      HttpResponse response = client.perform(request);
      std::string where = "GET " + origin_of(next.url) + "/...";
      if (response.ok() && response.status >= 200 && response.status <= 299) {
        next.event.outcome = "confirmed";
        next.event.detail = where + ": status " + std::to_string(response.status);
      } else {
        next.event.outcome = "failed";
        next.event.detail =
            where + ": " +
            (response.ok() ? "status " + std::to_string(response.status) : response.error);
      }
      record(std::move(next.event));
    }
  }

  void reject(const std::string& path, const std::string& reason) {
    std::lock_guard lock(mutex);
    rejections.push_back({WallClock::now(), common::excerpt(shown_receiver_path(path), 256),
                          common::excerpt(reason, 300)});
    if (rejections.size() > kMaxRejections) rejections.pop_front();
  }

  void store(Notification n, const std::string& path, std::size_t bytes) {
    n.received_at = WallClock::now();
    n.path = common::excerpt(path, 256);
    n.bytes = bytes;
    const std::size_t memory = stored_memory(n);
    {
      std::lock_guard lock(mutex);
      notifications.push_back(n);
      memory_of.push_back(memory);
      stored_bytes += memory;
      while (notifications.size() > 1 && (notifications.size() > options.max_notifications ||
                                          stored_bytes > options.max_stored_bytes)) {
        stored_bytes -= memory_of.front();
        notifications.pop_front();
        memory_of.pop_front();
        ++dropped;
      }
    }
    if (options.on_notification) options.on_notification(n);
  }

  void record(SubscriptionEvent event) {
    {
      std::lock_guard lock(mutex);
      subscriptions.push_back(event);
      if (subscriptions.size() > kMaxSubscriptionEvents) subscriptions.pop_front();
    }
    if (options.on_subscription) options.on_subscription(event);
  }

  json to_json() const {
    std::lock_guard lock(mutex);
    json list = json::array();
    for (const auto& n : notifications) list.push_back(n.to_json());
    json events = json::array();
    for (const auto& e : subscriptions) events.push_back(e.to_json());
    json rejected = json::array();
    for (const auto& r : rejections) rejected.push_back(r.to_json());
    return {{"address", bound},
            {"notifications", std::move(list)},
            {"subscriptions", std::move(events)},
            {"rejected", std::move(rejected)},
            {"dropped", dropped}};
  }
};

NotificationReceiver::NotificationReceiver(ReceiverOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->start();
}

NotificationReceiver::~NotificationReceiver() {
  impl_->stop();
}

std::string NotificationReceiver::address() const {
  return impl_->bound;
}

uint16_t NotificationReceiver::port() const {
  return impl_->port;
}

std::string NotificationReceiver::url(const std::string& path) const {
  return "http://" + impl_->bound + path;
}

std::vector<Notification> NotificationReceiver::notifications() const {
  std::lock_guard lock(impl_->mutex);
  return {impl_->notifications.begin(), impl_->notifications.end()};
}

std::vector<SubscriptionEvent> NotificationReceiver::subscriptions() const {
  std::lock_guard lock(impl_->mutex);
  return {impl_->subscriptions.begin(), impl_->subscriptions.end()};
}

std::vector<RejectedRequest> NotificationReceiver::rejections() const {
  std::lock_guard lock(impl_->mutex);
  return {impl_->rejections.begin(), impl_->rejections.end()};
}

std::size_t NotificationReceiver::dropped() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->dropped;
}

json NotificationReceiver::to_json() const {
  return impl_->to_json();
}

}  // namespace firedrill::clients
