#pragma once
#include <cstdint>

namespace firedrill::loadgen {

int64_t steady_now_ns();

// The loop's clock, read once at the start of each handler: the events of one wake share one
// instant, and the hot path makes one clock call a wake.
class LoopClock {
 public:
  int64_t now() const { return now_; }
  void update() { now_ = steady_now_ns(); }

 private:
  int64_t now_ = 0;
};

}  // namespace firedrill::loadgen
