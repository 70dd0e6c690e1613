#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace firedrill::clients {

// How far a Deployment, StatefulSet or DaemonSet is from running its current spec everywhere.
struct RolloutStatus {
  bool complete = false;
  std::string text;       // "2/3 updated, 1/3 ready, 1/3 available, 3 in all"
  nlohmann::json counts;  // the status numbers it was judged on, for evidence
};

// A workload is fully available again when its controller has observed its latest generation
// and every desired replica is updated, ready and available, with no old one left over (for a
// StatefulSet also currentRevision == updateRevision). `kind` is Deployment, StatefulSet or
// DaemonSet; `workload` the object as the API server returns it.
RolloutStatus rollout_status(const std::string& kind, const nlohmann::json& workload);

}  // namespace firedrill::clients
