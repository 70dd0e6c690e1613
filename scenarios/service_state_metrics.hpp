#pragma once
#include <memory>
#include <string>

#include "local/local_services.hpp"

namespace firedrill::scenarios {

// The local kube-state-metrics: the supervisor's view of a drill's services as Prometheus
// metrics, so that alert rules about restarts and OOM kills can be drilled locally the way
// KubePodCrashLooping and container OOMKilled rules are on Kubernetes. Served over HTTP at
// /metrics while the drill runs (integrations.serviceMetrics: {listen: HOST:PORT}).
//
//   firedrill_service_replica_up{service,replica}                 1 while its process runs
//   firedrill_service_replica_ready{service,replica}              1 while its probe passes
//   firedrill_service_replica_restarts_total{service,replica}
//   firedrill_service_replica_oom_kills_total{service,replica}    terminations for OOMKilled
//   firedrill_service_replica_last_terminated_reason{service,replica,reason}  1
class ServiceStateMetrics {
 public:
  // Throws std::runtime_error when the address cannot be bound.
  ServiceStateMetrics(const local::LocalServices& services, const std::string& listen);
  ~ServiceStateMetrics();
  ServiceStateMetrics(const ServiceStateMetrics&) = delete;
  ServiceStateMetrics& operator=(const ServiceStateMetrics&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firedrill::scenarios
