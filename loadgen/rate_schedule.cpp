#include "loadgen/rate_schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/errors.hpp"

namespace firedrill::loadgen {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kArrivalSeedSalt = 0x5DEECE66DA3F1B27ULL;

// The splitmix64 output function: a bijective scramble of one 64-bit word.
uint64_t splitmix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double to_seconds(common::Duration d) {
  return static_cast<double>(d.count()) / 1e9;
}

void check_rate(double rps, std::string_view what) {
  if (!std::isfinite(rps) || rps < 0) {
    throw common::ValueError(fmt::format(
        "{} {} is not a rate: it must be a finite number of requests per second >= 0", what, rps));
  }
}

// Time into a segment at which `count` more requests have become due. The rate over the segment
// is r(s) = from + slope * s, so the count is from * s + slope / 2 * s^2; its positive root is
// written as 2c / (b + sqrt(b^2 + 4ac)) because the textbook (-b + sqrt(...)) / 2a cancels
// catastrophically when the ramp is shallow and divides by zero when it is flat.
double offset_within(double from, double to, double duration_s, double count) {
  if (count <= 0) return 0;
  const double slope = (to - from) / duration_s;
  // Rounding can push the discriminant just below zero at the end of a ramp down to 0/s.
  const double discriminant = std::max(from * from + 2 * slope * count, 0.0);
  return std::min(2 * count / (from + std::sqrt(discriminant)), duration_s);
}

}  // namespace

RateSchedule::RateSchedule(double start_rps, std::vector<common::Stage> stages) {
  check_rate(start_rps, "the start rate");
  double from = start_rps;
  double cumulative = 0;
  for (size_t i = 0; i < stages.size(); ++i) {
    const common::Stage& stage = stages[i];
    check_rate(stage.target_rps, fmt::format("the target of stage {}", i + 1));
    if (stage.duration.count() < 0) {
      throw common::ValueError(fmt::format("stage {} has a negative duration {}", i + 1,
                                           common::format_duration(stage.duration)));
    }
    if (stage.duration.count() > 0) {
      int64_t end = 0;
      if (__builtin_add_overflow(total_.count(), stage.duration.count(), &end)) {
        throw common::ValueError("the stages add up to more than 2562047h, the longest schedule");
      }
      const double duration_s = to_seconds(stage.duration);
      segments_.push_back({to_seconds(total_), duration_s, from, stage.target_rps, cumulative});
      cumulative += (from + stage.target_rps) / 2 * duration_s;
      total_ = common::Duration{end};
    }
    from = stage.target_rps;
  }
  expected_requests_ = cumulative;
}

std::optional<common::Duration> RateSchedule::intended_time(uint64_t k) const {
  return offset_at_count(static_cast<double>(k));
}

std::optional<common::Duration> RateSchedule::offset_at_count(double count) const {
  // Request k is due while the running count goes from k to k + 1; at exactly the total the
  // schedule has ended, so a schedule asking for 100 requests sends requests 0 to 99.
  if (!(count < expected_requests_)) return std::nullopt;
  // The last segment starting at or before `count`. Segments that ask for nothing have the same
  // cumulative_before as the segment after them, so they are never the one picked.
  const auto it = std::upper_bound(
      segments_.begin(), segments_.end(), count,
      [](double c, const Segment& segment) { return c < segment.cumulative_before; });
  const Segment& segment = *std::prev(it);
  const double offset =
      segment.start_s + offset_within(segment.from_rps, segment.to_rps, segment.duration_s,
                                      count - segment.cumulative_before);
  return common::Duration{std::llround(offset * 1e9)};
}

common::Duration RateSchedule::total_duration() const {
  return total_;
}

double RateSchedule::expected_requests() const {
  return expected_requests_;
}

double RateSchedule::rate_at(common::Duration offset) const {
  if (offset.count() < 0 || offset >= total_) return 0;
  const double t = to_seconds(offset);
  const auto it =
      std::upper_bound(segments_.begin(), segments_.end(), t,
                       [](double time, const Segment& segment) { return time < segment.start_s; });
  const Segment& segment = *std::prev(it);
  const double fraction = std::clamp((t - segment.start_s) / segment.duration_s, 0.0, 1.0);
  return segment.from_rps + (segment.to_rps - segment.from_rps) * fraction;
}

double RateSchedule::lowest_rate() const {
  // The rate is linear within a segment, so its lowest is at one of the segments' ends.
  double lowest = segments_.empty() ? 0 : segments_.front().from_rps;
  for (const Segment& segment : segments_) {
    lowest = std::min({lowest, segment.from_rps, segment.to_rps});
  }
  return lowest;
}

ArrivalSequence::ArrivalSequence(const RateSchedule& schedule, Arrival arrival, uint64_t seed,
                                 uint32_t index, uint32_t worker_count)
    : schedule_(&schedule),
      arrival_(arrival),
      worker_count_(worker_count),
      // Apart from the request mix's generator, and 2^32 draws apart from worker to worker.
      random_state_(splitmix64(seed ^ kArrivalSeedSalt) + (uint64_t{index} << 32) * kGolden) {
  count_ = arrival_ == Arrival::Uniform ? index : gap();
  next_ = schedule_->offset_at_count(count_);
}

void ArrivalSequence::advance() {
  count_ += gap();
  next_ = schedule_->offset_at_count(count_);
}

double ArrivalSequence::gap() {
  if (arrival_ == Arrival::Uniform) return worker_count_;
  // An exponential draw of mean 1 by inversion; 1 - u is in (0, 1], so the log is finite.
  random_state_ += kGolden;
  const double u = static_cast<double>(splitmix64(random_state_) >> 11) * 0x1p-53;
  return -std::log1p(-u) * worker_count_;
}

}  // namespace firedrill::loadgen
