#pragma once
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "local/notification_store.hpp"
#include "local/receiver_auth.hpp"
#include "local/sns_signature.hpp"

namespace firedrill::local {

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

// HOST:PORT or [IPv6]:PORT as host and port; an empty host is 0.0.0.0. Throws
// common::ValueError naming the listen setting when it is neither, or the port is not one.
std::pair<std::string, std::string> split_listen(const std::string& listen);

}  // namespace firedrill::local
