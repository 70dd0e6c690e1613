#include "local/sns_subscription_confirmer.hpp"

#include <chrono>

#include "common/http_client.hpp"

namespace firedrill::local {

namespace {

constexpr auto kConfirmTimeout = std::chrono::seconds(10);

// The scheme and host of a URL: SubscribeURLs carry a token that must not be shown.
std::string origin_of(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  std::size_t end = url.find_first_of("/?#", scheme + 3);
  return common::redact_url(url.substr(0, end));
}

}  // namespace

SnsSubscriptionConfirmer::SnsSubscriptionConfirmer(const SnsSignatureVerifier& verifier,
                                                   NotificationStore& store)
    : verifier_(verifier), store_(store), thread_([this] { run(); }) {}

SnsSubscriptionConfirmer::~SnsSubscriptionConfirmer() {
  stop();
}

void SnsSubscriptionConfirmer::confirm(SubscriptionEvent event, std::string subscribe_url) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(event), std::move(subscribe_url)});
  }
  wake_.notify_one();
}

void SnsSubscriptionConfirmer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SnsSubscriptionConfirmer::run() {
  common::HttpClient client;
  for (;;) {
    Confirmation next;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    common::HttpRequest request = verifier_.request_for(next.url);
    request.timeout = kConfirmTimeout;
    common::HttpResponse response = client.perform(request);
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
    store_.record(std::move(next.event));
  }
}

}  // namespace firedrill::local
