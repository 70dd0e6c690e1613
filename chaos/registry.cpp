#include "chaos/fault.hpp"

namespace firedrill::chaos {

// Each kind lives in its own file; this list is the only place that names them all.
FaultKind exec_fault_kind();
FaultKind process_kill_fault_kind();
FaultKind process_oom_fault_kind();
FaultKind process_crashloop_fault_kind();
FaultKind http_degrade_fault_kind();
FaultKind kube_pod_kill_fault_kind();
FaultKind kube_bad_image_fault_kind();
FaultKind kube_scale_fault_kind();
FaultKind kube_oom_fault_kind();
FaultKind kube_node_drain_fault_kind();
FaultKind kube_stress_fault_kind();

const std::vector<FaultKind>& fault_kinds() {
  static const std::vector<FaultKind> kinds = {
      exec_fault_kind(),           process_kill_fault_kind(),
      process_oom_fault_kind(),    process_crashloop_fault_kind(),
      http_degrade_fault_kind(),   kube_pod_kill_fault_kind(),
      kube_bad_image_fault_kind(), kube_scale_fault_kind(),
      kube_oom_fault_kind(),       kube_node_drain_fault_kind(),
      kube_stress_fault_kind(),
  };
  return kinds;
}

const FaultKind* find_fault_kind(const std::string& name) {
  for (const auto& k : fault_kinds()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace firedrill::chaos
