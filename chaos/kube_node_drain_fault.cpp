#include <thread>

#include "chaos/kube_fault_support.hpp"
#include "common/errors.hpp"

namespace firedrill::chaos {

namespace {

using common::Duration;
using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr auto kEvictionRetry = std::chrono::milliseconds(500);

// Cordons a node and evicts the drill namespace's pods from it through the Eviction API, so that
// PodDisruptionBudgets are respected (a refused eviction is retried until evictionTimeout).
// DaemonSet and mirror pods stay, as `kubectl drain` leaves them. Revert uncordons the node
// unless it was cordoned before.
class KubeNodeDrainFault final : public Fault {
 public:
  KubeNodeDrainFault(const common::Params& p, const json& captured)
      : namespace_(p.at("namespace").get<std::string>()),
        eviction_timeout_(common::positive_duration_param(p, "evictionTimeout")),
        captured_(captured.is_object() ? captured : json::object()) {
    kube::check_namespace_param(namespace_);
    if (p.contains("node")) node_ = p.at("node").get<std::string>();
    if (p.contains("nodeSelector")) node_selector_ = p.at("nodeSelector").get<std::string>();
    if (node_.empty() == node_selector_.empty()) {
      throw ValueError(
          "node: give either node (a node's name) or nodeSelector (a label "
          "selector; the first schedulable node that matches is drained)");
    }
    if (p.contains("gracePeriod")) grace_seconds_ = kube::whole_seconds(p, "gracePeriod");
  }

  std::string describe() const override {
    return "cordon node " + (node_.empty() ? "matching " + node_selector_ : node_) +
           " and evict the pods of namespace " + namespace_ + " from it (uncordoned on revert)";
  }

  json capture(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    json node;
    if (!node_.empty()) {
      node = kube::api("reading node " + node_,
                       [&] { return c.client->get(clients::core_resource("nodes", "", node_)); });
    } else {
      clients::KubeListOptions options;
      options.label_selector = node_selector_;
      auto nodes = kube::api("listing nodes " + node_selector_, [&] {
        return c.client->list(clients::core_resource("nodes"), options);
      });
      for (auto& n : nodes) {
        if (!n.value("/spec/unschedulable"_json_pointer, false)) {
          node = std::move(n);
          break;
        }
      }
      if (node.is_null()) throw FaultError("no schedulable node matches " + node_selector_);
    }
    std::string name = node["metadata"]["name"];
    auto pods = evictable(*c.client, name);
    if (pods.size() > static_cast<std::size_t>(c.max_pods)) {
      throw FaultError("draining node " + name + " would evict " + std::to_string(pods.size()) +
                       " pods of namespace " + namespace_ +
                       ", more than integrations.kubernetes.maxPods (" +
                       std::to_string(c.max_pods) + ")");
    }
    captured_ = {{"node", name},
                 {"was_unschedulable", node.value("/spec/unschedulable"_json_pointer, false)}};
    return captured_;
  }

  void inject(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    std::string node = captured_["node"];
    auto pods = evictable(*c.client, node);
    if (context.dry_run) {
      std::vector<std::string> lines = {"would cordon node " + node};
      for (const auto& p : pods) {
        lines.push_back("would evict pod " + namespace_ + "/" +
                        p["metadata"]["name"].get<std::string>());
      }
      kube::dry_run_report(context, lines);
      return;
    }
    if (!captured_["was_unschedulable"].get<bool>()) set_unschedulable(*c.client, node, true);
    for (const auto& p : pods) evict(*c.client, p["metadata"]["name"]);
  }

  void revert(const FaultContext& context) override {
    if (!captured_.contains("node") || context.dry_run) return;
    if (captured_["was_unschedulable"].get<bool>()) return;
    auto c = kube::connect(context, namespace_);
    set_unschedulable(*c.client, captured_["node"], false);
  }

 private:
  std::vector<json> evictable(clients::KubeClient& client, const std::string& node) const {
    clients::KubeListOptions options;
    options.field_selector = "spec.nodeName=" + node;
    auto pods = kube::api("listing the pods of namespace " + namespace_ + " on node " + node, [&] {
      return client.list(clients::core_resource("pods", namespace_), options);
    });
    std::erase_if(pods, [](const json& p) {
      return kube::pod_terminating(p) || kube::pod_owner_kind(p) == "DaemonSet" ||
             p.contains("/metadata/annotations/kubernetes.io~1config.mirror"_json_pointer);
    });
    return pods;
  }

  void set_unschedulable(clients::KubeClient& client, const std::string& node, bool value) const {
    json patch = {{"spec", {{"unschedulable", value ? json(true) : json(nullptr)}}}};
    kube::api(std::string(value ? "cordoning" : "uncordoning") + " node " + node, [&] {
      return client.patch(clients::core_resource("nodes", "", node), patch,
                          clients::PatchType::Merge);
    });
  }

  void evict(clients::KubeClient& client, const std::string& pod) const {
    const auto deadline = std::chrono::steady_clock::now() + eviction_timeout_;
    for (;;) {
      try {
        client.evict(namespace_, pod, grace_seconds_);
        return;
      } catch (const clients::KubeApiError& e) {
        if (e.status() == 404) return;
        if (e.status() != 429 || std::chrono::steady_clock::now() >= deadline) {
          throw FaultError("evicting pod " + namespace_ + "/" + pod +
                           (e.status() == 429
                                ? " was refused for " + common::format_duration(eviction_timeout_) +
                                      " (a PodDisruptionBudget forbids it)"
                                : std::string()) +
                           ": " + e.what());
        }
      }
      std::this_thread::sleep_for(kEvictionRetry);
    }
  }

  std::string namespace_;
  std::string node_;
  std::string node_selector_;
  std::optional<int64_t> grace_seconds_;
  Duration eviction_timeout_;
  json captured_;
};

}  // namespace

FaultKind kube_node_drain_fault_kind() {
  using common::FieldSpec;
  return {"kube.node-drain",
          "Cordons a node and evicts the namespace's pods from it, respecting "
          "PodDisruptionBudgets",
          {{
              kube::namespace_field(),
              FieldSpec{"node", FieldType::String, false, "the node's name", {}, {}},
              FieldSpec{"nodeSelector",
                        FieldType::String,
                        false,
                        "instead of node: a label selector; the first schedulable match is "
                        "drained",
                        {},
                        {}},
              FieldSpec{"gracePeriod",
                        FieldType::Duration,
                        false,
                        "gracePeriodSeconds of each eviction; default: the pod's own",
                        {},
                        {}},
              FieldSpec{"evictionTimeout",
                        FieldType::Duration,
                        false,
                        "how long an eviction a PodDisruptionBudget refuses is retried",
                        {},
                        "2m"},
          }},
          [](const common::Params& p, const nlohmann::json& captured) {
            return std::make_unique<KubeNodeDrainFault>(p, captured);
          },
          kube::check_integrations,
          // A selector drain picks a node not yet cordoned, so it never shares one with another
          // selector drain, but it may pick the node a named drain names.
          [](const common::Params& p) -> std::vector<std::string> {
            if (p.contains("node")) return {"node " + p.at("node").get<std::string>()};
            return {"node *"};
          },
          [](const common::Params& p) {
            using clients::KubeVerb;
            const std::string ns = p.at("namespace").get<std::string>();
            // A named node is read (get), a selector's nodes are listed; both are cordoned.
            std::vector<clients::KubeAccess> access = {
                {"",
                 "nodes",
                 {p.contains("node") ? KubeVerb::Get : KubeVerb::List, KubeVerb::Patch},
                 {},
                 {}},
                {"", "pods", {KubeVerb::List}, ns, {}},
                {"", "pods/eviction", {KubeVerb::Create}, ns, {}}};
            return access;
          }};
}

}  // namespace firedrill::chaos
