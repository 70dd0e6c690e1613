#include "clients/kube_rollout.hpp"
#include "common/errors.hpp"
#include "validators/alerting_support.hpp"
#include "validators/kube_check_support.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr std::size_t kPodsInEvidence = 10;

// A Deployment, StatefulSet or DaemonSet fully available again: the controller observed its
// latest generation and every desired replica is updated, ready and available. The drill's own
// recovery check, after a revert; a failure lists the pods that hold it back and why.
class KubeRolloutCheck final : public Check {
 public:
  explicit KubeRolloutCheck(const common::Params& p)
      : namespace_(p.at("namespace").get<std::string>()),
        kind_(p.at("kind").get<std::string>()),
        name_(p.at("name").get<std::string>()) {
    if (namespace_.empty()) throw ValueError("namespace: must not be empty");
    if (name_.empty()) throw ValueError("name: the workload's name is required");
  }

  std::string describe() const override {
    return kind_ + " " + namespace_ + "/" + name_ + " fully rolled out and available";
  }

  Observation observe(const CheckContext& context) override {
    std::string error;
    clients::KubeClient* client = slot_.get(context, &error);
    if (!client) return alerting::inconclusive(error);
    json evidence = {{"workload", kind_ + " " + namespace_ + "/" + name_}};
    std::optional<json> workload;
    try {
      workload = client->get_if_exists(clients::workload_resource(kind_, namespace_, name_));
    } catch (const clients::KubeApiError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }
    Observation o;
    if (!workload) {
      o.message = kind_ + " " + namespace_ + "/" + name_ + " does not exist";
      o.evidence = std::move(evidence);
      return o;
    }
    const clients::RolloutStatus status = clients::rollout_status(kind_, *workload);
    evidence["status"] = status.counts;
    o.verdict = status.complete ? Verdict::Pass : Verdict::Fail;
    o.message = kind_ + " " + namespace_ + "/" + name_ + ": " + status.text;
    if (!status.complete) evidence["pods"] = pods_holding_back(*client, *workload);
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  // The workload's pods that are not Ready, with their waiting or termination reasons.
  json pods_holding_back(clients::KubeClient& client, const json& workload) const {
    std::string selector;
    const json match_labels =
        workload.value("/spec/selector/matchLabels"_json_pointer, json::object());
    for (const auto& [key, value] : match_labels.items()) {
      selector += (selector.empty() ? "" : ",") + key + "=" + value.get<std::string>();
    }
    if (selector.empty()) return json::array();
    json shown = json::array();
    try {
      clients::KubeListOptions options;
      options.label_selector = selector;
      for (const auto& pod : client.list(clients::core_resource("pods", namespace_), options)) {
        if (kube::condition_true(pod, "Ready") || shown.size() >= kPodsInEvidence) continue;
        json reasons = json::array();
        for (const auto& cs : pod.value("/status/containerStatuses"_json_pointer, json::array())) {
          for (const char* state : {"/state/waiting/reason", "/state/terminated/reason"}) {
            std::string reason = cs.value(json::json_pointer(state), std::string());
            if (!reason.empty()) reasons.push_back(cs.value("name", "") + ": " + reason);
          }
        }
        shown.push_back({{"name", pod.value("/metadata/name"_json_pointer, std::string())},
                         {"phase", pod.value("/status/phase"_json_pointer, std::string())},
                         {"reasons", reasons}});
      }
    } catch (const clients::KubeApiError& e) {
      return e.what();
    }
    return shown;
  }

  std::string namespace_;
  std::string kind_;
  std::string name_;
  kube::ClientSlot slot_;
};

}  // namespace

CheckKind kube_rollout_check_kind() {
  using common::FieldSpec;
  return {"kube.rollout",
          "Expects a Deployment, StatefulSet or DaemonSet to be fully rolled out and available",
          "a recovery condition on the current state: the controller has observed the latest "
          "generation and every desired replica is updated, ready and available",
          {{
              kube::namespace_field(),
              FieldSpec{"kind",
                        FieldType::String,
                        false,
                        "the kind of the workload",
                        {"Deployment", "StatefulSet", "DaemonSet"},
                        "Deployment"},
              FieldSpec{"name", FieldType::String, true, "the workload's name", {}, {}},
          }},
          [](const common::Params& p) { return std::make_unique<KubeRolloutCheck>(p); },
          [](const common::Params& p) -> std::vector<clients::KubeAccess> {
            using clients::KubeVerb;
            return {{"apps",
                     clients::workload_plural(p.at("kind").get<std::string>()),
                     {KubeVerb::Get},
                     p.at("namespace").get<std::string>(),
                     {}},
                    // Which pods hold a rollout up, while it is incomplete.
                    {"", "pods", {KubeVerb::List}, p.at("namespace").get<std::string>(), {}}};
          }};
}

}  // namespace firedrill::validators
