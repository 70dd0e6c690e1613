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
class PrometheusExporter final : public LiveOutput {
 public:
  // `pushgateway` (http://host:port), when not empty, receives every metric once delivered.
  PrometheusExporter(const std::string& drill, const std::string& run_id, std::string pushgateway);
  ~PrometheusExporter() override;

  // Starts serving /metrics on ADDR (host:port). Throws std::runtime_error if it cannot bind.
  void listen(const std::string& address);

  void on_event(const TimelineEvent& e) override;
  void on_load_second(const std::string& profile, const loadgen::TimeSeriesPoint& p) override;
  void on_check(const CheckResult& c) override;
  void on_finish(const RunResult& result) override;
  // PUTs every metric to the Pushgateway under job "firedrill" with the drill and run as
  // grouping labels. Throws std::runtime_error on a failed push.
  void deliver(const RunResult& result) override;

 private:
  void push(const std::string& url);

  struct Metrics;
  std::mutex mutex_;
  std::string drill_;
  std::string run_id_;
  std::string pushgateway_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace firedrill::reporters
