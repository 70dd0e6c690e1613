#include <optional>
#include <set>

#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/kube_check_support.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using nlohmann::json;

constexpr std::size_t kInEvidence = 10;

// Ready nodes (optionally of one node group, by label selector) after the fault: a count
// reached with a node that joined since, or a number of new Ready nodes. The Cluster
// Autoscaler's side is evidence: its TriggeredScaleUp events and its status ConfigMap.
class KubeNodesCheck final : public Check {
 public:
  explicit KubeNodesCheck(const common::Params& p)
      : goal_(kube::count_goal(p, "ready",
                               "ready (at least N Ready nodes, one of them new) or increase (at "
                               "least N new Ready nodes since the fault)")) {
    if (p.contains("selector")) selector_ = p.at("selector").get<std::string>();
  }

  std::string describe() const override {
    std::string nodes = selector_.empty() ? "nodes" : "nodes " + selector_;
    return goal_.reach
               ? "at least " + std::to_string(*goal_.reach) + " Ready " + nodes +
                     ", one joined after the fault"
               : std::to_string(*goal_.increase) + " new Ready " + nodes + " after the fault";
  }

  // The nodes just before the fault: none of them is new, whatever second it was created in.
  void note_baseline(const CheckContext& context) override {
    baseline_.reset();
    std::string error;
    clients::KubeClient* client = slot_.get(context, &error);
    if (!client) return;
    auto listed = kube::list_or_error(*client, clients::core_resource("nodes"),
                                      kube::with_labels(selector_), error);
    if (!listed) return;
    baseline_.emplace();
    for (const auto& n : *listed) baseline_->insert(kube::identity(n));
  }

  Observation observe(const CheckContext& context) override {
    std::string error;
    clients::KubeClient* client = slot_.get(context, &error);
    if (!client) return alerting::inconclusive(error);
    const auto since = alerting::detection_start(context);
    json evidence = {{"since", alerting::detection_start_evidence(context)}};
    if (!selector_.empty()) evidence["selector"] = selector_;
    std::string list_error;
    auto listed = kube::list_or_error(*client, clients::core_resource("nodes"),
                                      kube::with_labels(selector_), list_error);
    if (!listed) return alerting::inconclusive(list_error, evidence);
    const std::vector<json>& nodes = *listed;
    int64_t ready = 0, fresh_ready = 0;
    std::optional<WallClock::time_point> first_ready;
    json shown = json::array();
    for (const auto& n : nodes) {
      bool is_ready = kube::condition_true(n, "Ready");
      std::string created = n.value("/metadata/creationTimestamp"_json_pointer, std::string());
      bool is_new =
          kube::at_or_after(created, since) && !(baseline_ && baseline_->count(kube::identity(n)));
      ready += is_ready;
      if (is_ready && is_new) {
        ++fresh_ready;
        if (auto at = kube::parse_time(created); at && (!first_ready || *at < *first_ready)) {
          first_ready = at;
        }
      }
      if (shown.size() < 50) {
        shown.push_back({{"name", n.value("/metadata/name"_json_pointer, std::string())},
                         {"ready", is_ready},
                         {"created", created},
                         {"new", is_new}});
      }
    }
    evidence["nodes"] = shown;
    evidence["ready_nodes"] = ready;
    evidence["new_ready_nodes"] = fresh_ready;
    autoscaler_evidence(*client, since, evidence);

    Observation o;
    bool pass =
        goal_.reach ? (ready >= *goal_.reach && fresh_ready >= 1) : fresh_ready >= *goal_.increase;
    o.verdict = pass ? Verdict::Pass : Verdict::Fail;
    o.message = std::to_string(ready) + " Ready node(s), " + std::to_string(fresh_ready) +
                " joined since " + alerting::detection_start_text(context) + "; " +
                (goal_.reach ? std::to_string(*goal_.reach) + " Ready with a new one needed"
                             : std::to_string(*goal_.increase) + " new needed");
    if (pass && first_ready) {
      evidence["time_to_scale_s"] = alerting::seconds_between(since, *first_ready);
      o.message += "; first new node " + alerting::relative_text(context, *first_ready);
    }
    if (!pass && evidence.contains("scale_up_events") && evidence["scale_up_events"].empty()) {
      o.message += "; no TriggeredScaleUp event since the fault";
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  // Best effort: a cluster without the Cluster Autoscaler, or RBAC that hides it, is noted.
  static void autoscaler_evidence(clients::KubeClient& client, WallClock::time_point since,
                                  json& evidence) {
    try {
      clients::KubeListOptions options;
      options.field_selector = "reason=TriggeredScaleUp";
      json events = json::array();
      for (const auto& e : client.list(clients::core_resource("events"), options)) {
        std::string last = e.value("lastTimestamp", "");
        if (!kube::at_or_after(last, since) || events.size() >= kInEvidence) continue;
        events.push_back(
            {{"object", e.value("/involvedObject/namespace"_json_pointer, std::string()) + "/" +
                            e.value("/involvedObject/name"_json_pointer, std::string())},
             {"message", common::excerpt(e.value("message", ""), 300)},
             {"lastTimestamp", last}});
      }
      evidence["scale_up_events"] = events;
    } catch (const clients::KubeApiError& e) {
      evidence["scale_up_events_error"] = e.what();
    }
    try {
      auto cm = client.get_if_exists(
          clients::core_resource("configmaps", "kube-system", "cluster-autoscaler-status"));
      evidence["cluster_autoscaler_status"] =
          cm ? json(common::excerpt(cm->value("/data/status"_json_pointer, std::string()), 2000))
             : json("no ConfigMap kube-system/cluster-autoscaler-status");
    } catch (const clients::KubeApiError& e) {
      evidence["cluster_autoscaler_status_error"] = e.what();
    }
  }

  std::string selector_;
  kube::CountGoal goal_;
  kube::ClientSlot slot_;
  std::optional<std::set<std::string>> baseline_;  // the nodes just before the fault
};

}  // namespace

CheckKind kube_nodes_check_kind() {
  using common::FieldSpec;
  return {"kube.nodes",
          "Expects Ready nodes to be added after the fault (e.g. by the Cluster Autoscaler)",
          "a node counts as new when its creationTimestamp is at or after the fault's second and "
          "it was not there just before the fault; "
          "ready: N also needs one new Ready node, so a cluster already that big does not pass",
          {{
              FieldSpec{"selector",
                        FieldType::String,
                        false,
                        "label selector of the nodes, e.g. eks.amazonaws.com/nodegroup=ng-1",
                        {},
                        {}},
              FieldSpec{"ready",
                        FieldType::Integer,
                        false,
                        "at least this many Ready nodes, one of them new",
                        {},
                        {}},
              FieldSpec{"increase",
                        FieldType::Integer,
                        false,
                        "instead of ready: at least this many new Ready nodes",
                        {},
                        {}},
          }},
          [](const common::Params& p) { return std::make_unique<KubeNodesCheck>(p); },
          [](const common::Params&) -> std::vector<clients::KubeAccess> {
            using clients::KubeVerb;
            return {
                {"", "nodes", {KubeVerb::List}, {}, {}},
                // The Cluster Autoscaler's scale-up events, in whatever namespace, and its status.
                {"", "events", {KubeVerb::List}, {}, {}},
                {"", "configmaps", {KubeVerb::Get}, "kube-system", "cluster-autoscaler-status"}};
          }};
}

}  // namespace firedrill::validators
