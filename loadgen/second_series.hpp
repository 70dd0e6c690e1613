#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "loadgen/latency_histogram.hpp"
#include "loadgen/load_stats.hpp"
#include "loadgen/rate_schedule.hpp"
#include "loadgen/worker.hpp"

namespace firedrill::loadgen {

// The per-second series of a run, put together from what each worker hands over. A second is
// complete, and reported, once every worker has handed it over or finished: whatever the phase
// of each worker's tick against the engine's loop, no second is reported half-filled.
class SecondSeries {
 public:
  // `schedule` (null for a closed loop) gives each second's intended rate, of which a shard of
  // `shards` intends its share; `on_second` is told of each second as it completes.
  SecondSeries(std::size_t workers, const RateSchedule* schedule, uint32_t shards,
               std::function<void(const TimeSeriesPoint&)> on_second);

  void add(std::size_t worker, IntervalBatch batch);
  // Appends the seconds now complete, in order, to `series`; with `all_done` (every worker has
  // stopped), every second still held.
  void emit(bool all_done, std::vector<TimeSeriesPoint>& series);

 private:
  struct Totals {
    TimeSeriesPoint point;
    LatencyHistogram latency;
  };
  bool complete(uint64_t second) const;

  const RateSchedule* schedule_;
  double shards_;
  std::function<void(const TimeSeriesPoint&)> on_second_;
  std::map<uint64_t, Totals> pending_;
  std::vector<uint64_t> reported_;  // seconds each worker has handed over
  std::vector<bool> finished_;
  uint64_t next_second_ = 0;
};

}  // namespace firedrill::loadgen
