#include "chaos/run_cleanup.hpp"

#include <algorithm>
#include <set>

#include "common/errors.hpp"

namespace firedrill::chaos {

namespace {

using nlohmann::json;

// kube-system and the cluster's other own namespaces: no fault creates anything there.
bool refused(const std::string& ns) {
  try {
    kube::check_namespace_param(ns);
    return false;
  } catch (const common::ValueError&) {
    return true;
  }
}

}  // namespace

std::string Leftover::shown() const {
  return resource.shown() + (fault.empty() ? "" : " (" + fault + ")") +
         (terminating ? " [terminating]" : "");
}

std::vector<std::string> namespaces_to_clean(const clients::KubernetesIntegration& kubernetes,
                                             const std::vector<std::string>& requested,
                                             bool from_drill) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& ns) {
    if (std::find(out.begin(), out.end(), ns) == out.end()) out.push_back(ns);
  };
  for (const auto& ns : requested) {
    kube::check_namespace_param(ns);
    if (from_drill) kube::check_namespace_allowed(ns, kubernetes);
    add(ns);
  }
  if (!requested.empty()) return out;
  for (const auto& ns : kubernetes.allowed_namespaces) {
    if (!refused(ns)) add(ns);
  }
  if (out.empty()) {
    throw common::ValueError(
        "integrations.kubernetes.allowNamespaces lists no namespace a fault may touch, so the "
        "run created nothing there");
  }
  return out;
}

std::vector<SearchedCollection> fault_collections(const std::vector<std::string>& namespaces) {
  std::vector<SearchedCollection> out;
  for (const auto& ns : namespaces) {
    for (clients::KubeResource kind : kube::created_kinds()) {
      kind.namespace_name = ns;
      out.push_back({std::move(kind), true});
    }
  }
  return out;
}

LeftoverSearch find_leftovers(clients::KubeClient& client,
                              const std::vector<SearchedCollection>& collections,
                              const std::string& run_label) {
  LeftoverSearch search;
  clients::KubeListOptions options;
  options.label_selector = std::string(kube::kRunLabel) + "=" + run_label;
  for (const auto& searched : collections) {
    try {
      for (const auto& item : client.list(searched.collection, options)) {
        Leftover leftover{searched.collection, "", kube::pod_terminating(item), "", ""};
        leftover.resource.name = item.value("/metadata/name"_json_pointer, std::string());
        leftover.fault = item.value("/metadata/labels"_json_pointer, json::object())
                             .value(kube::kFaultLabel, std::string());
        leftover.uid = item.value("/metadata/uid"_json_pointer, std::string());
        for (const auto& r : item.value("/metadata/ownerReferences"_json_pointer, json::array())) {
          if (r.value("controller", false)) leftover.owner_uid = r.value("uid", "");
        }
        search.found.push_back(std::move(leftover));
      }
    } catch (const clients::KubeApiError& e) {
      search.errors.push_back({searched, e.status(), e.what()});
    }
  }
  std::set<std::string> found_uids;
  for (const auto& leftover : search.found) found_uids.insert(leftover.uid);
  std::erase_if(search.found, [&](const Leftover& leftover) {
    return !leftover.owner_uid.empty() && found_uids.contains(leftover.owner_uid);
  });
  return search;
}

RemovalOutcome remove_leftover(clients::KubeClient& client, const Leftover& leftover) {
  try {
    return {
        client.remove(leftover.resource, 0, "Background") ? Removal::Deleted : Removal::AlreadyGone,
        ""};
  } catch (const clients::KubeApiError& e) {
    return {Removal::Failed, e.what()};
  }
}

}  // namespace firedrill::chaos
