#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clients/notification_formats.hpp"
#include "clients/receiver_auth.hpp"
#include "clients/sns_signature.hpp"

namespace firedrill::clients {

// What became of an SNS subscription or unsubscription confirmation.
struct SubscriptionEvent {
  std::chrono::system_clock::time_point received_at;
  std::string type;  // SubscriptionConfirmation | UnsubscribeConfirmation
  std::string topic_arn;
  std::string outcome;  // confirmed | refused | failed | noted
  std::string detail;

  nlohmann::json to_json() const;
};

// A request turned away (401 without valid credentials, 403 for an SNS message whose signature
// does not hold or whose topic is not allowed): evidence that a sender tried, never a delivery.
struct RejectedRequest {
  std::chrono::system_clock::time_point received_at;
  std::string path;    // as shown_receiver_path() shows it
  std::string reason;  // "no credentials", "wrong credentials", "SNS signature: ...", ...

  nlohmann::json to_json() const;
};

struct ReceiverOptions {
  std::string listen = "127.0.0.1:9095";  // HOST:PORT or [IPv6]:PORT; port 0 picks a free one
  ReceiverAuth auth;
  // Listening beyond loopback without `auth` lets anyone who can reach the receiver make a drill
  // pass with one POST; receiver_options() refuses it unless this is set.
  bool insecure = false;
  // SNS messages count for these topic ARNs only: notifications of others are rejected, and only
  // their subscriptions are confirmed (by a SubscribeURL on an SNS host). Every SNS message must
  // carry a valid SNS signature (see SnsSignatureVerifier).
  std::vector<std::string> allowed_sns_topics;
  SnsTestTrust sns_test_trust;  // tests only
  std::size_t max_body = 1024 * 1024;
  std::size_t max_notifications = 1000;  // beyond either bound the oldest are dropped
  // What the kept notifications take in memory once parsed (estimated), not their bodies' size.
  std::size_t max_stored_bytes = 64 * 1024 * 1024;
  // Beyond this many open connections one that waits on its sender (idle longest, else with the
  // request that has taken longest) is closed for a new one.
  int max_connections = 256;
  // Called on the receiver's threads after each notification or event is stored.
  std::function<void(const Notification&)> on_notification;
  std::function<void(const SubscriptionEvent&)> on_subscription;
};

// The options in a drill's integrations.receiver: {listen, auth, insecure, allowSnsTopics,
// maxBodyBytes}. Throws common::ValueError naming the setting, also for a listen address beyond
// loopback without auth or insecure: true.
ReceiverOptions receiver_options(const nlohmann::json& settings);

// True for a listen address beyond loopback with neither auth nor insecure.
bool exposed_without_auth(const ReceiverOptions& options);

// firedrill's own notification endpoint: an HTTP/1.1 server on its own thread that Alertmanager,
// Grafana, Slack-compatible senders and SNS post to, keeping what it got in memory. What needs
// the network (an SNS signing certificate, a subscription's confirmation) runs on threads of its
// own, so that no sender waits for it.
//
//   POST or PUT /, /webhook   any format below, told apart by its fields (SNS by its
//                             x-amz-sns-message-type header)
//   POST or PUT /alertmanager, /grafana, /slack, /sns   that format only
//   GET /notifications        everything kept, as JSON
//
// With auth, every path may also be reached as /hooks/SECRET/PATH, and a request without valid
// credentials is answered 401 and kept as a RejectedRequest only. Answers 400 to malformed JSON
// or a payload that is not the path's format, 413 to a body over max_body, 404 to other paths.
class NotificationReceiver {
 public:
  // Serves from return on; throws std::runtime_error when the address cannot be bound.
  explicit NotificationReceiver(ReceiverOptions options);
  ~NotificationReceiver();
  NotificationReceiver(const NotificationReceiver&) = delete;
  NotificationReceiver& operator=(const NotificationReceiver&) = delete;

  std::string address() const;  // HOST:PORT as bound
  uint16_t port() const;
  std::string url(const std::string& path = "/") const;

  std::vector<Notification> notifications() const;  // oldest first
  std::vector<SubscriptionEvent> subscriptions() const;
  std::vector<RejectedRequest> rejections() const;  // the latest 1000, oldest first
  std::size_t dropped() const;     // notifications dropped to stay within the bounds
  nlohmann::json to_json() const;  // what GET /notifications serves

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firedrill::clients
