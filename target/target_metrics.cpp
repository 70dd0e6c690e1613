#include "target/target_metrics.hpp"

#include <prometheus/gauge.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace firedrill::target {

namespace {

// Methods outside this list share the label "OTHER", so a client cannot grow the series count.
constexpr std::string_view kMethods[] = {"GET",    "HEAD",  "POST",    "PUT",
                                         "DELETE", "PATCH", "OPTIONS", "OTHER"};
constexpr std::size_t kMethodCount = std::size(kMethods);
// The statuses a handler can answer with: /status/{code} accepts 200 to 599.
constexpr int kLowestStatus = 200;
constexpr int kStatusCount = 400;

std::size_t method_index(std::string_view method) {
  for (std::size_t i = 0; i + 1 < kMethodCount; ++i) {
    if (kMethods[i] == method) return i;
  }
  return kMethodCount - 1;
}

}  // namespace

TargetMetrics::TargetMetrics(const std::string& name)
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("http_requests_total")
                    .Help("HTTP requests answered, by method, route template and status code.")
                    .Register(*registry_)),
      counters_(kRouteCount * kMethodCount * kStatusCount) {
  auto& durations = prometheus::BuildHistogram()
                        .Name("http_request_duration_seconds")
                        .Help("Time from a complete request to its response, by route template.")
                        .Register(*registry_);
  const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  for (Route route : kRoutes) {
    durations_[static_cast<std::size_t>(route)] =
        &durations.Add({{"path", std::string(route_template(route))}}, buckets);
  }
  prometheus::BuildGauge()
      .Name("target_info")
      .Help("Always 1; labels this firedrill target instance.")
      .Register(*registry_)
      .Add({{"name", name}})
      .Set(1);
}

prometheus::Counter& TargetMetrics::requests(Route route, std::string_view method, int status) {
  std::size_t method_slot = method_index(method);
  auto labels = [&] {
    return prometheus::Labels{{"method", std::string(kMethods[method_slot])},
                              {"path", std::string(route_template(route))},
                              {"code", std::to_string(status)}};
  };
  if (status < kLowestStatus || status >= kLowestStatus + kStatusCount) {
    return requests_.Add(labels());
  }
  std::size_t slot = (static_cast<std::size_t>(route) * kMethodCount + method_slot) * kStatusCount +
                     static_cast<std::size_t>(status - kLowestStatus);
  prometheus::Counter* counter = counters_[slot].load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &requests_.Add(labels());
    counters_[slot].store(counter, std::memory_order_release);
  }
  return *counter;
}

void TargetMetrics::record(Route route, std::string_view method, int status, double seconds) {
  requests(route, method, status).Increment();
  durations_[static_cast<std::size_t>(route)]->Observe(seconds);
}

std::string TargetMetrics::render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (auto& family : process_.Collect()) families.push_back(std::move(family));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace firedrill::target
