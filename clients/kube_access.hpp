#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace firedrill::clients {

// The RBAC verbs of the Kubernetes API requests firedrill makes (clients::KubeClient: GET of one
// object is get, of a collection list; POST create; PATCH patch; DELETE delete).
enum class KubeVerb { Get, List, Create, Patch, Delete };
std::string_view verb_name(KubeVerb verb);

// What a fault or check kind may ask of the Kubernetes API, declared beside its parameters: one
// RBAC rule's worth. `firedrill rbac` builds a drill's Role and ClusterRole from these, so a kind
// that makes a new request must say so here.
struct KubeAccess {
  std::string group;     // "" for the core group
  std::string resource;  // the plural, with "/subresource": "pods/eviction"
  std::vector<KubeVerb> verbs;
  // Empty: at the cluster scope, for cluster-scoped resources (nodes) or across every namespace.
  std::string namespace_name;
  std::string resource_name;  // only this object, when set
};

}  // namespace firedrill::clients
