#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clients/notification_formats.hpp"

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

struct ReceiverOptions {
  std::string listen = "127.0.0.1:9095";  // HOST:PORT or [IPv6]:PORT; port 0 picks a free one
  // SNS subscriptions are confirmed (their SubscribeURL fetched) for these topic ARNs only:
  // anyone who can reach the receiver can post a confirmation.
  std::vector<std::string> allowed_sns_topics;
  std::size_t max_body = 1024 * 1024;
  std::size_t max_notifications = 1000;  // beyond either bound the oldest are dropped
  std::size_t max_stored_bytes = 64 * 1024 * 1024;
  // Called on the receiver's threads after each notification or event is stored.
  std::function<void(const Notification&)> on_notification;
  std::function<void(const SubscriptionEvent&)> on_subscription;
};

// The options in a drill's integrations.receiver: {listen, allowSnsTopics, maxBodyBytes}.
// Throws common::ValueError naming the setting.
ReceiverOptions receiver_options(const nlohmann::json& settings);

// firedrill's own notification endpoint: an HTTP/1.1 server on its own thread that Alertmanager,
// Grafana, Slack-compatible senders and SNS post to, keeping what it got in memory.
//
//   POST or PUT /, /webhook   any format below, told apart by its fields (SNS by its
//                             x-amz-sns-message-type header)
//   POST or PUT /alertmanager, /grafana, /slack, /sns   that format only
//   GET /notifications        everything kept, as JSON
//
// Answers 400 to malformed JSON or a payload that is not the path's format, 413 to a body over
// max_body, 404 to other paths.
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
  std::size_t dropped() const;     // notifications dropped to stay within the bounds
  nlohmann::json to_json() const;  // what GET /notifications serves

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firedrill::clients
