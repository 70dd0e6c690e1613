#pragma once
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "local/notification_formats.hpp"

namespace firedrill::local {

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

struct NotificationStoreLimits {
  std::size_t max_notifications = 1000;  // beyond either bound the oldest are dropped
  // What the kept notifications take in memory once parsed (estimated), not their bodies' size.
  std::size_t max_stored_bytes = 64 * 1024 * 1024;
};

// What the receiver got, in memory and bounded: notifications (the oldest dropped beyond the
// limits), subscription events and rejected requests (the latest 1000 of each). Safe to use from
// any thread; the callbacks run on the thread that stored, after the store.
class NotificationStore {
 public:
  NotificationStore(NotificationStoreLimits limits,
                    std::function<void(const Notification&)> on_notification,
                    std::function<void(const SubscriptionEvent&)> on_subscription);

  // Keeps `n` as received now on `path` with a body of `bytes`.
  void store(Notification n, const std::string& path, std::size_t bytes);
  void record(SubscriptionEvent event);
  void reject(const std::string& path, const std::string& reason);

  std::vector<Notification> notifications() const;  // oldest first
  std::vector<SubscriptionEvent> subscriptions() const;
  std::vector<RejectedRequest> rejections() const;
  std::size_t dropped() const;
  // What GET /notifications serves; `address` is the receiver's.
  nlohmann::json to_json(const std::string& address) const;

 private:
  NotificationStoreLimits limits_;
  std::function<void(const Notification&)> on_notification_;
  std::function<void(const SubscriptionEvent&)> on_subscription_;

  mutable std::mutex mutex_;
  std::deque<Notification> notifications_;
  std::size_t stored_bytes_ = 0;       // estimated memory of what is kept
  std::deque<std::size_t> memory_of_;  // each kept notification's share of it
  std::size_t dropped_ = 0;
  std::deque<SubscriptionEvent> subscriptions_;
  std::deque<RejectedRequest> rejections_;
};

}  // namespace firedrill::local
