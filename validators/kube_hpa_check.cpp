#include <optional>

#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/kube_check_support.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

// An autoscaling/v2 HorizontalPodAutoscaler that scaled after the fault: its desired (or
// current) replicas reached N, or rose by N. A failure shows why it did not: ScalingLimited
// (e.g. TooManyReplicas at maxReplicas), AbleToScale, ScalingActive and the metrics.
class KubeHpaCheck final : public Check {
 public:
  explicit KubeHpaCheck(const common::Params& p)
      : namespace_(p.at("namespace").get<std::string>()),
        name_(p.at("name").get<std::string>()),
        field_(p.at("field").get<std::string>()),
        goal_(kube::count_goal(p, "replicas",
                               "replicas (reached at least N) or increase (rose by at least N "
                               "since the fault)")) {
    if (namespace_.empty()) throw ValueError("namespace: must not be empty");
    if (name_.empty()) throw ValueError("name: the HPA's name is required");
  }

  std::string describe() const override {
    return "HPA " + namespace_ + "/" + name_ + " " + field_ + "Replicas " +
           (goal_.reach ? "reaches " + std::to_string(*goal_.reach)
                        : "rises by " + std::to_string(*goal_.increase)) +
           " after the fault";
  }

  // The HPA just before the fault: its count is what `increase` counts from, and a lastScaleTime
  // it already had (whole seconds, so maybe the fault's own second) is no scale of the fault's.
  void note_baseline(const CheckContext& context) override {
    baseline_.reset();
    baseline_scale_.reset();
    baseline_error_.clear();
    clients::KubeClient* client = slot_.get(context, &baseline_error_);
    if (!client) return;
    try {
      const json status = client->get(resource()).value("status", json::object());
      baseline_ = status.value(field_ + "Replicas", static_cast<int64_t>(0));
      baseline_scale_ = status.value("lastScaleTime", "");
    } catch (const clients::KubeApiError& e) {
      // Not there yet, or not readable: the first poll is the baseline, and the evidence says so.
      baseline_error_ = e.what();
    }
  }

  Observation observe(const CheckContext& context) override {
    std::string error;
    clients::KubeClient* client = slot_.get(context, &error);
    if (!client) return alerting::inconclusive(error);
    const auto since = alerting::detection_start(context);
    json evidence = {{"hpa", namespace_ + "/" + name_},
                     {"since", alerting::detection_start_evidence(context)}};
    if (!baseline_error_.empty()) {
      evidence["baseline_error"] = common::excerpt(baseline_error_, 300);
    }
    json hpa;
    try {
      hpa = client->get(resource());
    } catch (const clients::KubeApiError& e) {
      if (e.status() == 404) {
        Observation o;
        o.message = e.what();
        o.evidence = evidence;
        return o;
      }
      return alerting::inconclusive(e.what(), evidence);
    }
    const json status = hpa.value("status", json::object());
    const int64_t value = status.value(field_ + "Replicas", static_cast<int64_t>(0));
    const std::string last_scale = status.value("lastScaleTime", "");
    const bool scaled_since = kube::at_or_after(last_scale, since) &&
                              !(baseline_scale_ && *baseline_scale_ == last_scale);
    if (!baseline_) baseline_ = value;
    evidence["minReplicas"] = hpa.value("/spec/minReplicas"_json_pointer, static_cast<int64_t>(1));
    evidence["maxReplicas"] = hpa.value("/spec/maxReplicas"_json_pointer, static_cast<int64_t>(0));
    evidence["currentReplicas"] = status.value("currentReplicas", 0);
    evidence["desiredReplicas"] = status.value("desiredReplicas", 0);
    evidence["lastScaleTime"] = last_scale;
    if (status.contains("currentMetrics")) evidence["currentMetrics"] = status["currentMetrics"];
    if (goal_.increase) evidence["baseline_" + field_ + "Replicas"] = *baseline_;

    const int64_t target = goal_.reach ? *goal_.reach : *baseline_ + *goal_.increase;
    Observation o;
    if (value >= target && scaled_since) {
      o.verdict = Verdict::Pass;
      o.message = field_ + "Replicas is " + std::to_string(value) + " (" + std::to_string(target) +
                  " needed), scaled at " + last_scale;
      if (auto at = kube::parse_time(last_scale)) {
        evidence["time_to_scale_s"] = alerting::seconds_between(since, *at);
        o.message += ", " + alerting::relative_text(context, *at);
      }
    } else {
      o.verdict = Verdict::Fail;
      o.message = field_ + "Replicas is " + std::to_string(value) + ", " + std::to_string(target) +
                  " needed";
      if (value >= target) {
        o.message += ", but it last scaled at " + (last_scale.empty() ? "no time" : last_scale) +
                     ", before " + alerting::detection_start_text(context) + ": pre-existing";
      }
      json conditions = json::array();
      for (const auto& c : status.value("conditions", json::array())) {
        conditions.push_back({{"type", c.value("type", "")},
                              {"status", c.value("status", "")},
                              {"reason", c.value("reason", "")},
                              {"message", c.value("message", "")}});
        if (c.value("status", "") == "True" && c.value("type", "") == "ScalingLimited") {
          o.message += "; ScalingLimited: " + c.value("reason", "") + " (" +
                       c.value("message", "") + ", maxReplicas " + evidence["maxReplicas"].dump() +
                       ")";
        }
        if (c.value("status", "") == "False" &&
            (c.value("type", "") == "AbleToScale" || c.value("type", "") == "ScalingActive")) {
          o.message += "; " + c.value("type", "") + " False: " + c.value("reason", "") + " (" +
                       c.value("message", "") + ")";
        }
      }
      evidence["conditions"] = conditions;
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  clients::KubeResource resource() const {
    return {"autoscaling", "v2", "horizontalpodautoscalers", namespace_, name_, ""};
  }

  std::string namespace_;
  std::string name_;
  std::string field_;
  kube::CountGoal goal_;
  // Just before the fault, or else at the first poll.
  std::optional<int64_t> baseline_;
  std::optional<std::string> baseline_scale_;
  std::string baseline_error_;  // why the HPA could not be read just before the fault
  kube::ClientSlot slot_;
};

}  // namespace

CheckKind kube_hpa_check_kind() {
  using common::FieldSpec;
  return {
      "kube.hpa",
      "Expects an autoscaling/v2 HorizontalPodAutoscaler to scale out after the fault",
      "passes only when status.lastScaleTime is at or after the fault's second and differs "
      "from the one just before the fault; increase counts from the value just before the "
      "fault (from the first poll if the HPA could not be read then)",
      {{
          kube::namespace_field(),
          FieldSpec{"name", FieldType::String, true, "the HPA's name", {}, {}},
          FieldSpec{"field",
                    FieldType::String,
                    false,
                    "which status count to judge: desiredReplicas or currentReplicas",
                    {"desired", "current"},
                    "desired"},
          FieldSpec{"replicas", FieldType::Integer, false, "reached at least this many", {}, {}},
          FieldSpec{"increase",
                    FieldType::Integer,
                    false,
                    "instead of replicas: rose by at least this many since the fault",
                    {},
                    {}},
      }},
      [](const common::Params& p) { return std::make_unique<KubeHpaCheck>(p); },
      [](const common::Params& p) -> std::vector<clients::KubeAccess> {
        using clients::KubeVerb;
        return {{"autoscaling",
                 "horizontalpodautoscalers",
                 {KubeVerb::Get},
                 p.at("namespace").get<std::string>(),
                 {}}};
      }};
}

}  // namespace firedrill::validators
