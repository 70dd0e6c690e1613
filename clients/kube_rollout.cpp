#include "clients/kube_rollout.hpp"

namespace firedrill::clients {

using nlohmann::json;

RolloutStatus rollout_status(const std::string& kind, const json& w) {
  auto num = [&](const char* pointer) {
    return w.value(json::json_pointer(pointer), static_cast<int64_t>(0));
  };
  const int64_t generation = num("/metadata/generation");
  const int64_t observed = num("/status/observedGeneration");
  RolloutStatus r;
  r.counts = {{"generation", generation}, {"observedGeneration", observed}};
  const bool observed_latest = observed >= generation;
  int64_t want, updated, ready, available, in_all;
  if (kind == "DaemonSet") {
    want = num("/status/desiredNumberScheduled");
    updated = num("/status/updatedNumberScheduled");
    ready = num("/status/numberReady");
    available = num("/status/numberAvailable");
    in_all = num("/status/currentNumberScheduled");
  } else {
    // spec.replicas defaults to 1 when it is not set.
    want = w.value("/spec/replicas"_json_pointer, static_cast<int64_t>(1));
    updated = num("/status/updatedReplicas");
    ready = num("/status/readyReplicas");
    available = kind == "StatefulSet" && !w.contains("/status/availableReplicas"_json_pointer)
                    ? ready
                    : num("/status/availableReplicas");
    in_all = num("/status/replicas");
  }
  r.counts.update({{"desired", want},
                   {"updated", updated},
                   {"ready", ready},
                   {"available", available},
                   {"total", in_all}});
  r.complete =
      observed_latest && updated == want && ready == want && available == want && in_all == want;
  if (kind == "StatefulSet") {
    const std::string current = w.value("/status/currentRevision"_json_pointer, std::string());
    const std::string update = w.value("/status/updateRevision"_json_pointer, std::string());
    r.counts["currentRevision"] = current;
    r.counts["updateRevision"] = update;
    r.complete = r.complete && current == update;
  }
  const std::string of = "/" + std::to_string(want);
  r.text = observed_latest
               ? std::string()
               : "the controller has not observed generation " + std::to_string(generation) +
                     " yet (it saw " + std::to_string(observed) + "); ";
  r.text += std::to_string(updated) + of + " updated, " + std::to_string(ready) + of + " ready, " +
            std::to_string(available) + of + " available, " + std::to_string(in_all) + " in all";
  return r;
}

}  // namespace firedrill::clients
