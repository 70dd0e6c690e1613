#pragma once
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "target/process_metrics.hpp"
#include "target/target_route.hpp"

namespace firedrill::target {

// What /metrics shows: http_requests_total{method,path,code}, http_request_duration_seconds{path},
// target_info{name} and the process_* metrics. Safe to use from every event loop at once.
class TargetMetrics {
 public:
  explicit TargetMetrics(const std::string& name);

  void record(Route route, std::string_view method, int status, double seconds);
  // The Prometheus text exposition format.
  std::string render() const;

 private:
  prometheus::Counter& requests(Route route, std::string_view method, int status);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  std::array<prometheus::Histogram*, kRouteCount> durations_{};
  // One slot per route, method and status, filled on first use: a label lookup takes the
  // family's lock, an increment through the slot does not. Family::Add returns the same counter
  // for the same labels, so two loops filling one slot at once agree.
  std::vector<std::atomic<prometheus::Counter*>> counters_;
  ProcessMetrics process_;
};

}  // namespace firedrill::target
