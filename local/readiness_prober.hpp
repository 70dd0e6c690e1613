#pragma once
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "local/replica.hpp"

namespace firedrill::local {

// Probes the readiness of running replicas on a thread of its own, each as often as its probe's
// period says, and sets their `ready`. Probing takes the network: the lock is not held while a
// probe waits for its answer.
class ReadinessProber {
 public:
  // `mutex` guards `replicas`; `changed` is notified when a probe's result was recorded.
  ReadinessProber(std::mutex& mutex, std::condition_variable& changed,
                  const std::vector<std::unique_ptr<Replica>>& replicas);
  ~ReadinessProber();  // stop()
  ReadinessProber(const ReadinessProber&) = delete;
  ReadinessProber& operator=(const ReadinessProber&) = delete;

  // Ends the probing and waits for its thread. Call without holding `mutex`.
  void stop();

 private:
  void run();

  std::mutex& mutex_;
  std::condition_variable& changed_;
  const std::vector<std::unique_ptr<Replica>>& replicas_;
  bool stopping_ = false;  // under mutex_
  std::thread thread_;
};

}  // namespace firedrill::local
