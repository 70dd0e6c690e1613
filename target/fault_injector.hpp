#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "target/fault_change.hpp"
#include "target/memory_leak.hpp"

namespace firedrill::target {

// The faults /admin/fault sets, shared by every event loop. error_rate and extra_latency are read
// on every request without a lock; the memory leak and the crash run on a thread of their own,
// so that neither stalls an event loop.
class FaultInjector {
 public:
  // `before_crash` runs on the fault thread just before the process aborts.
  explicit FaultInjector(std::function<void()> before_crash);
  ~FaultInjector();
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  double error_rate() const { return error_rate_.load(std::memory_order_relaxed); }
  std::chrono::milliseconds extra_latency() const {
    return std::chrono::milliseconds(extra_latency_ms_.load(std::memory_order_relaxed));
  }

  void apply(const FaultChange& change);
  // Ends every fault and frees the leaked memory.
  void clear();
  // {"error_rate", "extra_latency", "leak_mb_per_s", "leaked_bytes", "crash_after", "crash_at"}
  nlohmann::json describe() const;

 private:
  void run();

  std::atomic<double> error_rate_{0};
  std::atomic<int64_t> extra_latency_ms_{0};

  std::function<void()> before_crash_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  double leak_mb_per_s_ = 0;
  double leak_owed_bytes_ = 0;  // what the rate asked for but is less than a page
  std::chrono::steady_clock::time_point leak_tick_;
  MemoryLeak leak_;
  std::optional<std::chrono::milliseconds> crash_after_;
  std::chrono::steady_clock::time_point crash_deadline_;
  std::chrono::system_clock::time_point crash_at_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace firedrill::target
