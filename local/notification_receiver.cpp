#include "local/notification_receiver.hpp"

#include <algorithm>
#include <optional>

#include "local/receiver_http_server.hpp"
#include "local/receiver_request.hpp"
#include "local/sns_signature.hpp"
#include "local/sns_subscription_confirmer.hpp"

namespace firedrill::local {

namespace {

using nlohmann::json;

constexpr int kMaxJsonDepth = 64;

std::optional<PayloadFormat> format_of_path(const std::string& path) {
  if (path == "/" || path == "/webhook") return PayloadFormat::Auto;
  if (path == "/alertmanager") return PayloadFormat::Alertmanager;
  if (path == "/grafana") return PayloadFormat::Grafana;
  if (path == "/slack") return PayloadFormat::Slack;
  if (path == "/sns") return PayloadFormat::Sns;
  return std::nullopt;
}

// The body as JSON, or the answer that refuses it.
std::optional<HttpAnswer> parse_body(const std::string& text, json& body) {
  if (!json_depth_within(text, kMaxJsonDepth)) {
    return error_answer(400,
                        "JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
  }
  try {
    body = json::parse(text);
  } catch (const json::exception& e) {
    // Not only syntax: a number out of range (1e999999) is refused the same way.
    return error_answer(400, std::string("malformed JSON: ") + e.what());
  }
  return std::nullopt;
}

// A string member of an object; nullopt when missing or of another type.
std::optional<std::string> string_member(const json& body, const char* name) {
  if (!body.is_object() || !body.contains(name) || !body[name].is_string()) return std::nullopt;
  return body[name].get<std::string>();
}

}  // namespace

struct NotificationReceiver::Impl {
  explicit Impl(ReceiverOptions o)
      : options(std::move(o)),
        store({options.max_notifications, options.max_stored_bytes}, options.on_notification,
              options.on_subscription),
        sns_verifier(options.sns_test_trust),
        confirmer(sns_verifier, store),
        server(
            options.listen, {options.max_body, options.max_connections},
            [this](const ReceiverRequest& r, bool may_block) { return handle(r, may_block); },
            [this](const ReceiverRequest& r) { return overloaded(r); }) {}

  ReceiverOptions options;
  NotificationStore store;
  SnsSignatureVerifier sns_verifier;
  SnsSubscriptionConfirmer confirmer;
  // Last: it stops first, and no request is handled after.
  ReceiverHttpServer server;

  json to_json() const { return store.to_json(server.address()); }

  HttpAnswer overloaded(const ReceiverRequest& request) {
    const std::string why = "too many SNS messages wait for a signing certificate";
    store.reject(request.path(), why);
    return error_answer(503, why);
  }

  HttpAnswer unauthorised(const ReceiverRequest& request, const AuthCheck& auth) {
    store.reject(request.path(), auth.reason);
    HttpAnswer r = error_answer(401, auth.reason + ": this receiver needs credentials");
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

  // `may_block`: whether this thread may wait on the network; if it would have to, and may not,
  // the answer says needs_worker and nothing has changed.
  HttpAnswer handle(const ReceiverRequest& request, bool may_block) {
    const AuthCheck auth =
        check_receiver_auth(options.auth, request.header("authorization"), request.path());
    if (auth.result != AuthResult::Accepted) return unauthorised(request, auth);
    const std::string& path = auth.route;
    if (path == "/notifications") {
      if (request.method != "GET" && request.method != "HEAD") {
        return error_answer(405, "GET /notifications");
      }
      return json_answer(200, to_json());
    }
    const std::optional<PayloadFormat> format = format_of_path(path);
    if (!format) {
      return error_answer(404,
                          "no such path; POST notifications to /, /webhook, "
                          "/alertmanager, /grafana, /slack or /sns");
    }
    if (request.method != "POST" && request.method != "PUT") {
      return error_answer(405, "POST (or PUT) notifications here");
    }
    json body;
    if (auto refusal = parse_body(request.body, body)) return *refusal;
    std::string sns_type;
    if (const std::string* type = request.header("x-amz-sns-message-type")) {
      sns_type = *type;
    } else if ((format == PayloadFormat::Sns || format == PayloadFormat::Auto) &&
               body.is_object() && body.contains("TopicArn") && string_member(body, "Type")) {
      sns_type = *string_member(body, "Type");
    } else if (format == PayloadFormat::Sns) {
      return error_answer(400,
                          "not an SNS message: no x-amz-sns-message-type header and no "
                          "Type and TopicArn");
    }
    if (!sns_type.empty()) {
      return handle_sns(sns_type, body, path, request.body.size(), may_block);
    }
    return handle_webhook(std::move(body), *format, path, request.body.size());
  }

  HttpAnswer handle_webhook(json body, PayloadFormat format, const std::string& path,
                            std::size_t bytes) {
    Notification n;
    try {
      n = normalise_webhook(body, format);
    } catch (const PayloadError& e) {
      return error_answer(400, e.what());
    } catch (const json::exception& e) {
      return error_answer(400, std::string("unexpected payload: ") + e.what());
    }
    n.payload = std::move(body);
    store.store(std::move(n), path, bytes);
    return json_answer(200, {{"status", "received"}});
  }

  HttpAnswer handle_sns(const std::string& header_type, const json& body, const std::string& path,
                        std::size_t bytes, bool may_block) {
    const std::string type = string_member(body, "Type").value_or(header_type);
    if (type != header_type) {
      return error_answer(400, "the x-amz-sns-message-type header says " + header_type +
                                   " but the message's Type is " + type);
    }
    if (type != "Notification" && type != "SubscriptionConfirmation" &&
        type != "UnsubscribeConfirmation") {
      return error_answer(400, "unknown SNS message type \"" + type + "\"");
    }
    if (auto refusal = check_sns_signature(body, path, may_block)) return *refusal;
    const std::string topic = body.value("TopicArn", "");
    const auto& allowed = options.allowed_sns_topics;
    const bool topic_allowed = std::find(allowed.begin(), allowed.end(), topic) != allowed.end();
    if (type != "Notification") return handle_subscription(type, body, topic, topic_allowed);
    if (!topic_allowed) {
      store.reject(path, "SNS topic not in allowSnsTopics: " + topic);
      return error_answer(403, "the topic is not in allowSnsTopics");
    }
    Notification n = normalise_sns_notification(body);
    n.payload = without_sns_capabilities(body);
    store.store(std::move(n), path, bytes);
    return json_answer(200, {{"status", "received"}});
  }

  // Anyone who can reach the receiver can post what looks like SNS: only SNS's signature, and
  // a topic the drill allows, make it count. nullopt when SNS signed it.
  std::optional<HttpAnswer> check_sns_signature(const json& body, const std::string& path,
                                                bool may_block) {
    const SnsVerification signature = sns_verifier.verify(body, may_block);
    if (signature.verdict == SnsVerdict::Signed) return std::nullopt;
    if (signature.verdict == SnsVerdict::NeedsFetch) {
      HttpAnswer later;
      later.needs_worker = true;
      return later;
    }
    store.reject(path, "SNS signature: " + signature.why);
    // SNS retries a delivery that failed with a server error: worth it when the certificate
    // could not be had now, not when the signature is wrong.
    const bool retry = signature.verdict == SnsVerdict::Unavailable;
    return error_answer(retry ? 503 : 403, (retry ? "cannot verify the SNS signature now: "
                                                  : "not accepted as an SNS message: ") +
                                               signature.why);
  }

  HttpAnswer handle_subscription(const std::string& type, const json& body,
                                 const std::string& topic, bool topic_allowed) {
    SubscriptionEvent event;
    event.received_at = std::chrono::system_clock::now();
    event.type = type;
    event.topic_arn = topic;
    if (type == "UnsubscribeConfirmation") {
      event.outcome = "noted";
      event.detail = "the subscription was removed; nothing is done about it";
      store.record(std::move(event));
      return json_answer(200, {{"status", "noted"}});
    }
    if (!topic_allowed) {
      event.outcome = "refused";
      event.detail = "the topic is not in the allowed list (allowSnsTopics / --allow-sns-topic)";
      store.record(std::move(event));
      return json_answer(200, {{"status", "refused"}});
    }
    std::string url = body.value("SubscribeURL", "");
    // Only SNS itself is ever asked: any other URL would make the receiver fetch whatever the
    // sender names, inside the network it runs in.
    if (!sns_verifier.on_sns_host(url)) {
      event.outcome = "failed";
      event.detail = "the SubscribeURL is not an https URL of an SNS host; it was not fetched";
      store.record(std::move(event));
      return error_answer(400, "the SubscribeURL is not on an SNS host");
    }
    confirmer.confirm(std::move(event), std::move(url));
    return json_answer(200, {{"status", "confirming"}});
  }
};

NotificationReceiver::NotificationReceiver(ReceiverOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

NotificationReceiver::~NotificationReceiver() {
  impl_->server.stop();
  impl_->confirmer.stop();
}

std::string NotificationReceiver::address() const {
  return impl_->server.address();
}

uint16_t NotificationReceiver::port() const {
  return impl_->server.port();
}

std::string NotificationReceiver::url(const std::string& path) const {
  return "http://" + impl_->server.address() + path;
}

std::vector<Notification> NotificationReceiver::notifications() const {
  return impl_->store.notifications();
}

std::vector<SubscriptionEvent> NotificationReceiver::subscriptions() const {
  return impl_->store.subscriptions();
}

std::vector<RejectedRequest> NotificationReceiver::rejections() const {
  return impl_->store.rejections();
}

std::size_t NotificationReceiver::dropped() const {
  return impl_->store.dropped();
}

json NotificationReceiver::to_json() const {
  return impl_->store.to_json(impl_->server.address());
}

}  // namespace firedrill::local
