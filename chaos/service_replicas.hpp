#pragma once
#include <string>
#include <vector>

#include "chaos/fault.hpp"
#include "local/local_services.hpp"

namespace firedrill::chaos {

// The replicas of one of the drill's local services that a process.* or http.* fault acts on:
// the `service` and `replicas` parameters, checked against the running services.
struct ServiceReplicas {
  std::string service;
  std::vector<int> replicas;  // empty: every replica

  explicit ServiceReplicas(const common::Params& params);
  std::string describe() const;  // "replica 1 of target", "every replica of target"
  // The supervisor, or FaultError when the drill has no such service (or no `services:`).
  local::LocalServices& services(const FaultContext& context) const;
  // The replica indices, every one when none were named; FaultError for one out of range.
  std::vector<int> resolve(const local::LocalServices& services) const;
  // In a dry run, says what would be done through the context's note and returns true.
  bool dry_run(const FaultContext& context, const std::string& what) const;
  // Reverts end here, so that the next step starts from a healthy service; FaultError on timeout.
  void wait_ready(local::LocalServices& services, const std::vector<int>& replicas,
                  common::Duration timeout) const;
};

// The declarations of `service` and `replicas`; without a default, every replica.
common::FieldSpec service_field();
common::FieldSpec replicas_field(nlohmann::json default_replicas = nullptr);
common::FieldSpec ready_timeout_field(const std::string& default_timeout);

}  // namespace firedrill::chaos
