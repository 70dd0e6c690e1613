#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "reporters/reporter.hpp"

namespace prometheus {
class Registry;
class Exposer;
}  // namespace prometheus

namespace firedrill::reporters {

// The drill as Prometheus metrics: served live on --metrics-listen while it runs, and pushed to
// a Pushgateway at the end (the in-cluster Job case, where nothing scrapes a finished pod).
class PrometheusExporter final : public RunObserver {
 public:
  PrometheusExporter(const std::string& drill, const std::string& run_id);
  ~PrometheusExporter() override;

  // Starts serving /metrics on ADDR (host:port). Throws std::runtime_error if it cannot bind.
  void listen(const std::string& address);
  // PUTs every metric to the Pushgateway at `url` (http://host:port) under job "firedrill" with
  // the drill and run as grouping labels. Throws std::runtime_error on a failed push.
  void push(const std::string& url);

  void on_event(const TimelineEvent& e) override;
  void on_load_second(const std::string& profile, const loadgen::TimeSeriesPoint& p) override;
  void on_check(const CheckResult& c) override;
  void on_finish(const RunResult& result) override;

 private:
  struct Metrics;
  std::mutex mutex_;
  std::string drill_;
  std::string run_id_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace firedrill::reporters
