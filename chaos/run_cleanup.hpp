#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaos/kube_fault_support.hpp"
#include "clients/kube_client.hpp"

// What `firedrill cleanup` does: find the Kubernetes objects a run created (labelled with its
// run id) and delete them. Changes to existing objects are the revert journal's, not this.
namespace firedrill::chaos {

// One object a run created, as found in the cluster.
struct Leftover {
  clients::KubeResource resource;  // with its namespace and name
  std::string fault;               // the firedrill.io/fault label
  bool terminating = false;
  std::string uid;
  std::string owner_uid;  // of its controller (a load Job's pods), if any

  // "pod shop/firedrill-oom-1a2b (kube.oom) [terminating]".
  std::string shown() const;
};

// Where a run's objects can be: the `requested` namespaces (each one a fault may touch and,
// `from_drill`, among the drill's allowNamespaces), else the drill's allowNamespaces without the
// cluster's own, the only namespaces its faults create objects in. Throws common::ValueError
// naming the namespace at fault, or saying that the drill allows none.
std::vector<std::string> namespaces_to_clean(const clients::KubernetesIntegration& kubernetes,
                                             const std::vector<std::string>& requested,
                                             bool from_drill);

// A collection to search, and whether the run is known to have created objects of its kind there:
// an optional one (a load Job where nothing says the run had workers) that the caller's RBAC
// hides leaves the search incomplete only in a warning.
struct SearchedCollection {
  clients::KubeResource collection;
  bool required = true;
};

// A collection that could not be listed.
struct SearchError {
  SearchedCollection searched;
  long status = 0;  // the API's HTTP status, 0 when it did not answer
  std::string message;
  // The caller may not list an optional collection: not a failure, but to be said.
  bool skippable() const { return !searched.required && status == 403; }
};

struct LeftoverSearch {
  std::vector<Leftover> found;
  std::vector<SearchError> errors;  // the search is incomplete
};

// Each of `namespaces` with every kind a fault creates in it: the collections to search.
std::vector<SearchedCollection> fault_collections(const std::vector<std::string>& namespaces);

// The objects labelled firedrill.io/run=`run_label` in `collections` (kinds with a namespace).
// An object whose controller is among them is left out: it goes with its owner (a load Job's
// pods with the Job), and deleting it on its own would need rights the run's Role may not grant.
LeftoverSearch find_leftovers(clients::KubeClient& client,
                              const std::vector<SearchedCollection>& collections,
                              const std::string& run_label);

enum class Removal { Deleted, AlreadyGone, Failed };
struct RemovalOutcome {
  Removal removal = Removal::Deleted;
  std::string error;  // for Failed
};

// Deletes `leftover` at once, and what it owns with it (a load Job's pods): these are
// firedrill's own load pods and Jobs, with nothing to drain.
RemovalOutcome remove_leftover(clients::KubeClient& client, const Leftover& leftover);

}  // namespace firedrill::chaos
