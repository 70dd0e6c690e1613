#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace firedrill::loadgen {

// Log-linear (HDR-style) histogram of nanosecond values from 1 ns to kMaxValue with at most 0.1%
// relative error per recorded value. Fixed size, no allocation on record(); mergeable exactly and
// serialisable, so results of many workers or many machines merge into the same histogram.
class LatencyHistogram {
 public:
  static constexpr uint64_t kMaxValue = 3'600'000'000'000ULL;  // 1 h in ns; larger values clamp

  LatencyHistogram();

  void record(uint64_t value_ns) noexcept;
  void record_n(uint64_t value_ns, uint64_t count) noexcept;
  void merge(const LatencyHistogram& other);
  void reset() noexcept;

  uint64_t count() const { return total_; }
  uint64_t min() const;  // 0 when empty
  uint64_t max() const;  // 0 when empty
  double mean() const;
  double stddev() const;
  // Value at quantile q in [0, 1] (0.99 = p99): a value within 0.1% of an exact quantile.
  uint64_t value_at_quantile(double q) const;
  // Recorded values at or below `value_ns` (to within the bucket holding it): what Prometheus
  // histogram buckets ("le") need.
  uint64_t count_at_or_below(uint64_t value_ns) const;

  // {"version":1,"unit":"ns","sub_bucket_bits":N,"min":m,"max":M,
  //  "counts":[[bucket_index,count],...]} with only non-empty buckets; min and max are exact.
  // from_json throws std::invalid_argument on a malformed document.
  nlohmann::json to_json() const;
  static LatencyHistogram from_json(const nlohmann::json& doc);

  bool operator==(const LatencyHistogram& other) const;

 private:
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  // UINT64_MAX while empty, so record() folds in a new minimum without testing for emptiness.
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace firedrill::loadgen
