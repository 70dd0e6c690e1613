#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "local/notification_formats.hpp"
#include "local/notification_store.hpp"
#include "local/receiver_options.hpp"

namespace firedrill::local {

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

}  // namespace firedrill::local
