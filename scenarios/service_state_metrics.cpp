#include "scenarios/service_state_metrics.hpp"

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>

#include <algorithm>
#include <stdexcept>

namespace firedrill::scenarios {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric sample(const local::ReplicaStatus& r, double value, MetricType type,
                    const std::string& reason = "") {
  ClientMetric m;
  m.label = {{"service", r.service}, {"replica", std::to_string(r.index)}};
  if (!reason.empty()) m.label.push_back({"reason", reason});
  if (type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return m;
}

// Reads the supervisor at each scrape, so the metrics are never staler than the scrape.
class ServiceStateCollector final : public prometheus::Collectable {
 public:
  explicit ServiceStateCollector(const local::LocalServices& services) : services_(services) {}

  std::vector<MetricFamily> Collect() const override {
    MetricFamily up{"firedrill_service_replica_up",
                    "1 while the replica's process runs",
                    MetricType::Gauge,
                    {}};
    MetricFamily ready{"firedrill_service_replica_ready",
                       "1 while its readiness probe passes",
                       MetricType::Gauge,
                       {}};
    MetricFamily restarts{"firedrill_service_replica_restarts_total",
                          "times the supervisor restarted the replica",
                          MetricType::Counter,
                          {}};
    MetricFamily ooms{"firedrill_service_replica_oom_kills_total",
                      "terminations of the replica for OOMKilled",
                      MetricType::Counter,
                      {}};
    MetricFamily last{"firedrill_service_replica_last_terminated_reason",
                      "why the replica's last process ended",
                      MetricType::Gauge,
                      {}};
    for (const std::string& name : services_.service_names()) {
      for (const auto& r : services_.status(name)) {
        up.metric.push_back(
            sample(r, r.state == local::ReplicaState::Running ? 1 : 0, MetricType::Gauge));
        ready.metric.push_back(sample(r, r.ready ? 1 : 0, MetricType::Gauge));
        restarts.metric.push_back(sample(r, r.restarts, MetricType::Counter));
        auto oom = std::count_if(r.terminations.begin(), r.terminations.end(), [](const auto& t) {
          return t.reason == local::TerminationReason::OOMKilled;
        });
        ooms.metric.push_back(sample(r, static_cast<double>(oom), MetricType::Counter));
        if (!r.terminations.empty()) {
          last.metric.push_back(
              sample(r, 1, MetricType::Gauge,
                     std::string(local::to_string(r.terminations.back().reason))));
        }
      }
    }
    return {up, ready, restarts, ooms, last};
  }

 private:
  const local::LocalServices& services_;
};

}  // namespace

struct ServiceStateMetrics::Impl {
  std::unique_ptr<prometheus::Exposer> exposer;
  std::shared_ptr<ServiceStateCollector> collector;
};

ServiceStateMetrics::ServiceStateMetrics(const local::LocalServices& services,
                                         const std::string& listen)
    : impl_(std::make_unique<Impl>()) {
  try {
    impl_->exposer = std::make_unique<prometheus::Exposer>(listen);
  } catch (const std::exception& e) {
    throw std::runtime_error("integrations.serviceMetrics.listen " + listen +
                             ": cannot listen: " + e.what());
  }
  impl_->collector = std::make_shared<ServiceStateCollector>(services);
  impl_->exposer->RegisterCollectable(impl_->collector);
}

ServiceStateMetrics::~ServiceStateMetrics() {
  impl_->exposer->RemoveCollectable(impl_->collector);
}

}  // namespace firedrill::scenarios
