#include "loadgen/second_series.hpp"

namespace firedrill::loadgen {

namespace {
constexpr int64_t kSecond = 1'000'000'000;
}

SecondSeries::SecondSeries(std::size_t workers, const RateSchedule* schedule, uint32_t shards,
                           std::function<void(const TimeSeriesPoint&)> on_second)
    : schedule_(schedule),
      shards_(shards),
      on_second_(std::move(on_second)),
      reported_(workers, 0),
      finished_(workers, false) {}

void SecondSeries::add(std::size_t worker, IntervalBatch batch) {
  for (IntervalSample& s : batch.seconds) {
    Totals& t = pending_[s.second];
    t.point.responses += s.responses;
    t.point.errors += s.errors;
    t.point.in_flight += s.in_flight;
    t.latency.merge(s.latency);
    reported_[worker] = s.second + 1;
  }
  finished_[worker] = batch.finished;
}

bool SecondSeries::complete(uint64_t second) const {
  for (std::size_t i = 0; i < reported_.size(); ++i) {
    if (reported_[i] <= second && !finished_[i]) return false;
  }
  return true;
}

void SecondSeries::emit(bool all_done, std::vector<TimeSeriesPoint>& series) {
  for (auto it = pending_.begin(); it != pending_.end() && it->first == next_second_;) {
    if (!all_done && !complete(next_second_)) return;
    TimeSeriesPoint& point = it->second.point;
    const LatencyHistogram& merged = it->second.latency;
    point.elapsed_s = static_cast<double>(next_second_ + 1);
    point.p50_ns = merged.value_at_quantile(0.5);
    point.p99_ns = merged.value_at_quantile(0.99);
    for (std::size_t b = 0; b < kSecondBucketBounds.size(); ++b) {
      point.latency_at_or_below[b] = merged.count_at_or_below(kSecondBucketBounds[b]);
    }
    point.latency_sum_s = merged.mean() * static_cast<double>(merged.count()) / 1e9;
    // In the middle of the second: on a linear ramp, the rate of the requests the second intends.
    if (schedule_) {
      point.target_rps =
          schedule_->rate_at(common::Duration(next_second_ * kSecond + kSecond / 2)) / shards_;
    }
    series.push_back(point);
    if (on_second_) on_second_(point);
    it = pending_.erase(it);
    ++next_second_;
  }
}

}  // namespace firedrill::loadgen
