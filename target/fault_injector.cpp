#include "target/fault_injector.hpp"

#include <sys/resource.h>

#include <cmath>
#include <cstdlib>
#include <new>

#include "common/units.hpp"
#include "target/log_line.hpp"

namespace firedrill::target {

namespace {

using std::chrono::steady_clock;

constexpr auto kLeakTick = std::chrono::milliseconds(100);
constexpr double kMebibyte = 1024.0 * 1024.0;
constexpr double kPage = 4096;

// A drill's crash should look like a crash to whatever supervises the process (a signal, exit
// status 134), without leaving a core file of the leaked memory behind.
[[noreturn]] void crash() {
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  std::abort();
}

}  // namespace

FaultInjector::FaultInjector(std::function<void()> before_crash)
    : before_crash_(std::move(before_crash)), thread_([this] { run(); }) {}

FaultInjector::~FaultInjector() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void FaultInjector::apply(const FaultChange& change) {
  std::lock_guard lock(mutex_);
  if (change.error_rate) error_rate_.store(change.error_rate->value_or(0));
  if (change.extra_latency) {
    extra_latency_ms_.store(change.extra_latency->value_or(std::chrono::milliseconds(0)).count());
  }
  if (change.leak_mb_per_s) {
    if (leak_mb_per_s_ == 0) leak_tick_ = steady_clock::now();
    leak_mb_per_s_ = change.leak_mb_per_s->value_or(0);
  }
  if (change.crash_after) {
    crash_after_ = *change.crash_after;
    if (crash_after_) {
      crash_deadline_ = steady_clock::now() + *crash_after_;
      crash_at_ = std::chrono::system_clock::now() + *crash_after_;
    }
  }
  wake_.notify_one();
}

void FaultInjector::clear() {
  std::lock_guard lock(mutex_);
  error_rate_.store(0);
  extra_latency_ms_.store(0);
  leak_mb_per_s_ = 0;
  leak_owed_bytes_ = 0;
  leak_.release();
  crash_after_.reset();
  wake_.notify_one();
}

nlohmann::json FaultInjector::describe() const {
  std::lock_guard lock(mutex_);
  nlohmann::json faults = {
      {"error_rate", error_rate()},
      {"extra_latency", common::format_duration(extra_latency())},
      {"leak_mb_per_s", leak_mb_per_s_},
      {"leaked_bytes", leak_.bytes()},
      {"crash_after", nullptr},
      {"crash_at", nullptr},
  };
  if (crash_after_) {
    faults["crash_after"] = common::format_duration(*crash_after_);
    faults["crash_at"] = rfc3339_utc(crash_at_);
  }
  return faults;
}

void FaultInjector::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto wake_at = steady_clock::time_point::max();
    if (leak_mb_per_s_ > 0) wake_at = leak_tick_ + kLeakTick;
    if (crash_after_) wake_at = std::min(wake_at, crash_deadline_);
    if (wake_at == steady_clock::time_point::max()) {
      wake_.wait(lock);
    } else {
      wake_.wait_until(lock, wake_at);
    }
    if (stopping_) return;
    auto now = steady_clock::now();
    if (crash_after_ && now >= crash_deadline_) {
      lock.unlock();
      before_crash_();
      crash();
    }
    if (leak_mb_per_s_ > 0 && now >= leak_tick_ + kLeakTick) {
      leak_owed_bytes_ +=
          leak_mb_per_s_ * kMebibyte * std::chrono::duration<double>(now - leak_tick_).count();
      leak_tick_ = now;
      double pages = std::floor(leak_owed_bytes_ / kPage);
      try {
        leak_.grow(static_cast<std::size_t>(pages * kPage));
        leak_owed_bytes_ -= pages * kPage;
      } catch (const std::bad_alloc&) {
        // The system is out of memory, which is what the drill is after; the OOM killer, or the
        // next tick, decides what happens next.
      }
    }
  }
}

}  // namespace firedrill::target
