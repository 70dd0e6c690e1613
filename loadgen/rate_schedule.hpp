#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "common/units.hpp"
#include "loadgen/load_config.hpp"

namespace firedrill::loadgen {

// Intended send times of an open-loop run as offsets from its start: the arrival rate starts at
// `start_rps` and ramps linearly to each stage's target over that stage's duration. Request k
// (0-based) is due when the integral of the rate reaches k, so request 0 is due at offset 0.
class RateSchedule {
 public:
  RateSchedule(double start_rps, std::vector<common::Stage> stages);

  // Offset of request k, or nullopt when the schedule ends before request k is due.
  std::optional<common::Duration> intended_time(uint64_t k) const;
  // Offset at which the integral of the rate reaches `count` (the inverse of the cumulative rate),
  // or nullopt when the schedule ends first. intended_time(k) is offset_at_count(k).
  std::optional<common::Duration> offset_at_count(double count) const;
  common::Duration total_duration() const;
  // The integral of the rate over the whole schedule: how many requests it asks for.
  double expected_requests() const;
  // The target rate at an offset (for reports of intended vs achieved rate).
  double rate_at(common::Duration offset) const;
  // The lowest rate anywhere in the schedule (0 when it ramps from or to 0).
  double lowest_rate() const;

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

// The intended send times of one worker's share of an open loop, in order.
//
// Poisson arrivals are drawn here, in the schedule of intended times, and not by the pacer: the
// coordinated-omission correction measures every latency from these times, so whatever spaces
// them must be what the report calls intended; the pacer only decides when a worker wakes to send
// what is due. Arrivals are spaced in "count space", the integral of the rate, and mapped back to
// time through RateSchedule::offset_at_count: evenly spaced counts give today's even series, and
// unit-rate exponential gaps give a Poisson process that follows the instantaneous rate through
// ramps and steps (a homogeneous process warped through the cumulative rate is the inhomogeneous
// one).
//
// Uniform: worker i of n takes requests i, i + n, i + 2n... of the schedule. Poisson: each worker
// draws its own Poisson process at 1/n of the rate from the run's seed and its index; independent
// Poisson processes add up to one at the sum of their rates, so the run's arrivals are Poisson at
// the schedule's rate, and the same for the same seed and thread count.
class ArrivalSequence {
 public:
  ArrivalSequence(const RateSchedule& schedule, Arrival arrival, uint64_t seed, uint32_t index,
                  uint32_t worker_count);

  // Offset of the next request, or nullopt once the schedule has ended.
  const std::optional<common::Duration>& next() const { return next_; }
  void advance();

 private:
  double gap();  // to the next request, in requests of the whole schedule

  const RateSchedule* schedule_;
  Arrival arrival_;
  double worker_count_;
  uint64_t random_state_;
  double count_ = 0;
  std::optional<common::Duration> next_;
};

}  // namespace firedrill::loadgen
