#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaos/fault.hpp"
#include "clients/kube_client.hpp"
#include "common/param_schema.hpp"

// What the Kubernetes faults (chaos/kube_*.cpp) share: the connection, the safety rules, the
// labels on what they create, and their dry-run output.
namespace firedrill::chaos::kube {

// Refuses, when a fault is created, a namespace no fault may touch. Throws common::ValueError.
void check_namespace_param(const std::string& ns);

// Refuses a namespace that allowNamespaces does not list. Throws common::ValueError.
void check_namespace_allowed(const std::string& ns, const clients::KubernetesIntegration& kube);
// FaultKind::check_integrations of every Kubernetes fault: its `namespace` param is allowed.
void check_integrations(const common::Params& params, const clients::Integrations& integrations);
// FaultKind::changes of a fault on one workload: {"Deployment shop/web"}.
std::vector<std::string> workload_key(const common::Params& params);

// The client and the safety settings of integrations.kubernetes: {context, kubeconfig,
// inCluster, allowNamespaces, maxPods}. Throws FaultError when the namespace is not allowed or
// the settings are wrong.
struct Connection {
  std::unique_ptr<clients::KubeClient> client;
  int max_pods = clients::KubernetesIntegration::kDefaultMaxPods;
};
Connection connect(const FaultContext& context, const std::string& ns);

// The labels that mark what a fault creates, so that revert and cleanup find it after a crash.
inline constexpr const char* kRunLabel = "firedrill.io/run";
inline constexpr const char* kDrillLabel = "firedrill.io/drill";
inline constexpr const char* kFaultLabel = "firedrill.io/fault";
nlohmann::json created_labels(const FaultContext& context, const std::string& fault_kind);
// The collections (without a namespace) of every kind of object a fault creates: what
// `firedrill cleanup` searches. A fault that creates a new kind adds it here.
std::vector<clients::KubeResource> created_kinds();
// A label value made valid: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both ends.
std::string label_value(const std::string& text);
// A name for a created object: "<prefix>-<random>".
std::string generated_name(const std::string& prefix);

// Says what a dry run would change, one line each, through FaultContext::note.
void dry_run_report(const FaultContext& context, const std::vector<std::string>& lines);

// Runs `call`, turning a Kubernetes API error into a FaultError that says what was being done.
template <typename F>
auto api(const std::string& doing, F&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const clients::KubeApiError& e) {
    throw FaultError(doing + ": " + e.what());
  }
}

bool pod_ready(const nlohmann::json& pod);
bool pod_terminating(const nlohmann::json& pod);
// The kind of the pod's controller (ReplicaSet, DaemonSet...), or "" when it has none.
std::string pod_owner_kind(const nlohmann::json& pod);

// Whole seconds of a Duration param, refusing fractions and negatives (common::ValueError).
int64_t whole_seconds(const common::Params& p, const std::string& name);

// A memory quantity as Kubernetes writes it ("64Mi", "1G", "512000") in bytes; throws
// common::ValueError naming `param`.
uint64_t memory_bytes(const std::string& quantity, const std::string& param);

// A pod that firedrill creates to load a node (a memory hog, a CPU burner, a load generator).
struct LoadPod {
  std::string name;
  std::string container;  // the container's name
  std::string image;
  std::vector<std::string> command;
  nlohmann::json labels;
  nlohmann::json resources;                             // {requests, limits}
  nlohmann::json placement = nlohmann::json::object();  // merged into spec: nodeSelector...
};
nlohmann::json load_pod_manifest(const LoadPod& pod);

// Creates the pods in order; a dry run only says it would.
void create_load_pods(const FaultContext& context, clients::KubeClient& client,
                      const std::string& ns, const std::vector<LoadPod>& pods);
// Deletes the named pods at once; those already gone are fine.
void delete_pods(clients::KubeClient& client, const std::string& ns,
                 const std::vector<std::string>& names);

// Params every Kubernetes fault declares the same way.
common::FieldSpec namespace_field();
common::FieldSpec workload_kind_field(const std::vector<std::string>& kinds);
// FaultKind::kube_access of a fault that runs LoadPods: create and delete them, and list them
// for `firedrill cleanup` after a crash.
std::vector<clients::KubeAccess> load_pod_access(const common::Params& p);

}  // namespace firedrill::chaos::kube
