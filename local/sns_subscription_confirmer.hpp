#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "local/notification_store.hpp"
#include "local/sns_signature.hpp"

namespace firedrill::local {

// Confirms SNS subscriptions by fetching their SubscribeURLs, one after the other on a thread of
// its own (a fetch can take seconds), and records each outcome in the store.
class SnsSubscriptionConfirmer {
 public:
  // `verifier` makes the requests (through the test origin, when it has one).
  SnsSubscriptionConfirmer(const SnsSignatureVerifier& verifier, NotificationStore& store);
  ~SnsSubscriptionConfirmer();  // stop()
  SnsSubscriptionConfirmer(const SnsSubscriptionConfirmer&) = delete;
  SnsSubscriptionConfirmer& operator=(const SnsSubscriptionConfirmer&) = delete;

  // Fetches `subscribe_url`, an https URL of an SNS host, and records `event` with the outcome.
  void confirm(SubscriptionEvent event, std::string subscribe_url);
  // Ends the thread; what is still queued is not confirmed.
  void stop();

 private:
  struct Confirmation {
    SubscriptionEvent event;
    std::string url;
  };

  void run();

  const SnsSignatureVerifier& verifier_;
  NotificationStore& store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Confirmation> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace firedrill::local
