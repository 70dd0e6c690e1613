#pragma once
#include <cstdint>
#include <random>

namespace firedrill::target {

// Uniform draws for per-request decisions (which requests fail, which get logged): xorshift64*,
// a few instructions each. One per event loop; not for anything that must be unpredictable.
class FastRandom {
 public:
  FastRandom() : state_(std::random_device()() | 1) {}

  // True with probability `p`.
  bool chance(double p) {
    if (p >= 1) return true;
    if (p <= 0) return false;
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    uint64_t draw = state_ * 0x2545F4914F6CDD1DULL;
    return static_cast<double>(draw >> 11) * 0x1.0p-53 < p;
  }

 private:
  uint64_t state_;
};

}  // namespace firedrill::target
