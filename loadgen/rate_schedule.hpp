#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "common/units.hpp"

namespace firedrill::loadgen {

// Intended send times of an open-loop run as offsets from its start: the arrival rate starts at
// `start_rps` and ramps linearly to each stage's target over that stage's duration. Request k
// (0-based) is due when the integral of the rate reaches k, so request 0 is due at offset 0.
class RateSchedule {
 public:
  RateSchedule(double start_rps, std::vector<common::Stage> stages);

  // Offset of request k, or nullopt when the schedule ends before request k is due.
  std::optional<common::Duration> intended_time(uint64_t k) const;
  common::Duration total_duration() const;
  // The integral of the rate over the whole schedule: how many requests it asks for.
  double expected_requests() const;
  // The target rate at an offset (for reports of intended vs achieved rate).
  double rate_at(common::Duration offset) const;

 private:
  struct Segment {
    double start_s, duration_s, from_rps, to_rps, cumulative_before;
  };
  // Only stages with a positive duration; zero-duration stages just step the rate.
  std::vector<Segment> segments_;
  // Kept in integer nanoseconds so that the end of the schedule is exactly the sum of the stages.
  common::Duration total_{0};
  double expected_requests_ = 0;
};

}  // namespace firedrill::loadgen
