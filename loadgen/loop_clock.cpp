#include "loadgen/loop_clock.hpp"

#include <chrono>

namespace firedrill::loadgen {

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace firedrill::loadgen
