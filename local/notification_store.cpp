#include "local/notification_store.hpp"

#include "common/rfc3339.hpp"
#include "common/text.hpp"
#include "local/receiver_auth.hpp"

namespace firedrill::local {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxSubscriptionEvents = 1000;
constexpr std::size_t kMaxRejections = 1000;

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

}  // namespace

json RejectedRequest::to_json() const {
  return {{"received_at", common::format_rfc3339(received_at)}, {"path", path}, {"reason", reason}};
}

json SubscriptionEvent::to_json() const {
  return {{"received_at", common::format_rfc3339(received_at)},
          {"type", type},
          {"topic_arn", topic_arn},
          {"outcome", outcome},
          {"detail", detail}};
}

NotificationStore::NotificationStore(NotificationStoreLimits limits,
                                     std::function<void(const Notification&)> on_notification,
                                     std::function<void(const SubscriptionEvent&)> on_subscription)
    : limits_(limits),
      on_notification_(std::move(on_notification)),
      on_subscription_(std::move(on_subscription)) {}

void NotificationStore::store(Notification n, const std::string& path, std::size_t bytes) {
  n.received_at = std::chrono::system_clock::now();
  n.path = common::excerpt(path, 256);
  n.bytes = bytes;
  const std::size_t memory = stored_memory(n);
  {
    std::lock_guard lock(mutex_);
    notifications_.push_back(n);
    memory_of_.push_back(memory);
    stored_bytes_ += memory;
    while (notifications_.size() > 1 && (notifications_.size() > limits_.max_notifications ||
                                         stored_bytes_ > limits_.max_stored_bytes)) {
      stored_bytes_ -= memory_of_.front();
      notifications_.pop_front();
      memory_of_.pop_front();
      ++dropped_;
    }
  }
  if (on_notification_) on_notification_(n);
}

void NotificationStore::record(SubscriptionEvent event) {
  {
    std::lock_guard lock(mutex_);
    subscriptions_.push_back(event);
    if (subscriptions_.size() > kMaxSubscriptionEvents) subscriptions_.pop_front();
  }
  if (on_subscription_) on_subscription_(event);
}

void NotificationStore::reject(const std::string& path, const std::string& reason) {
  std::lock_guard lock(mutex_);
  rejections_.push_back({std::chrono::system_clock::now(),
                         common::excerpt(shown_receiver_path(path), 256),
                         common::excerpt(reason, 300)});
  if (rejections_.size() > kMaxRejections) rejections_.pop_front();
}

std::vector<Notification> NotificationStore::notifications() const {
  std::lock_guard lock(mutex_);
  return {notifications_.begin(), notifications_.end()};
}

std::vector<SubscriptionEvent> NotificationStore::subscriptions() const {
  std::lock_guard lock(mutex_);
  return {subscriptions_.begin(), subscriptions_.end()};
}

std::vector<RejectedRequest> NotificationStore::rejections() const {
  std::lock_guard lock(mutex_);
  return {rejections_.begin(), rejections_.end()};
}

std::size_t NotificationStore::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

json NotificationStore::to_json(const std::string& address) const {
  std::lock_guard lock(mutex_);
  json list = json::array();
  for (const auto& n : notifications_) list.push_back(n.to_json());
  json events = json::array();
  for (const auto& e : subscriptions_) events.push_back(e.to_json());
  json rejected = json::array();
  for (const auto& r : rejections_) rejected.push_back(r.to_json());
  return {{"address", address},
          {"notifications", std::move(list)},
          {"subscriptions", std::move(events)},
          {"rejected", std::move(rejected)},
          {"dropped", dropped_}};
}

}  // namespace firedrill::local
