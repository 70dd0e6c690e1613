#pragma once
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace firedrill::target {

// The standard process_* metrics, which prometheus-cpp does not collect: resident and virtual
// memory (/proc/self/statm), CPU seconds (/proc/self/stat) and the start time, read at every
// scrape.
class ProcessMetrics final : public prometheus::Collectable {
 public:
  ProcessMetrics();
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  double start_time_seconds_;
};

}  // namespace firedrill::target
