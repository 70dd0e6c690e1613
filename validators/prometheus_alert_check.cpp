#include <memory>

#include "clients/prometheus_client.hpp"
#include "common/errors.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

class PrometheusAlertCheck final : public Check {
 public:
  explicit PrometheusAlertCheck(const common::Params& p) : params_(p) {
    name_ = p.at("name").get<std::string>();
    if (name_.empty()) throw ValueError("name: the alertname must not be empty");
    if (p.contains("labels")) labels_ = p.at("labels");
    selector_ = labels_;
    selector_["alertname"] = name_;
    state_ = p.at("state").get<std::string>();
    absent_ = p.at("expect").get<std::string>() == "absent";
    common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    return "Prometheus alert " + alerting::selector_text(name_, labels_) +
           (absent_
                ? " is not " + state_
                : " is " + state_ + (state_ == "pending" ? " or firing" : "") + " since the fault");
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = alerting::connect(
            client_, [&] { return alerting::prometheus_client(context, params_); })) {
      return *failed;
    }
    json evidence = {{"prometheus", client_->endpoint().shown()},
                     {"alert", alerting::selector_text(name_, labels_)},
                     {"since", alerting::detection_start_evidence(context)}};
    std::vector<clients::PrometheusAlert> alerts;
    try {
      alerts = client_->alerts();
    } catch (const clients::ApiError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }

    const auto since = alerting::detection_start(context);
    json matching = json::array();
    json other_states = json::array();
    const clients::PrometheusAlert* fresh = nullptr;
    const clients::PrometheusAlert* old = nullptr;
    for (const auto& a : alerts) {
      if (!alerting::labels_match(a.labels, selector_)) continue;
      json entry = {
          {"labels", a.labels}, {"state", a.state}, {"activeAt", a.active_at}, {"value", a.value}};
      if (!in_state(a.state)) {
        other_states.push_back(std::move(entry));
        continue;
      }
      // An alert whose activeAt cannot be read cannot be shown to be new.
      bool is_fresh = a.active_at_time && *a.active_at_time > since;
      entry["pre_existing"] = !is_fresh;
      if (a.active_at_time) {
        entry["active_after_s"] = alerting::seconds_between(since, *a.active_at_time);
      }
      if (is_fresh && (!fresh || *a.active_at_time < *fresh->active_at_time)) fresh = &a;
      if (!is_fresh && !old) old = &a;
      matching.push_back(std::move(entry));
    }
    evidence["alerts"] = matching;
    if (!other_states.empty()) evidence["other_states"] = other_states;

    Observation o;
    if (absent_) {
      const clients::PrometheusAlert* any = fresh ? fresh : old;
      if (any) {
        o.verdict = Verdict::Fail;
        o.message = name_ + " is " + any->state + " (active since " + any->active_at + ")";
      } else {
        o.verdict = Verdict::Pass;
        o.message = "no " + alerting::selector_text(name_, labels_) + " alert is " + state_;
      }
    } else if (fresh) {
      o.verdict = Verdict::Pass;
      o.message = name_ + " is " + fresh->state + ", active since " + fresh->active_at + ", " +
                  alerting::relative_text(context, *fresh->active_at_time);
      evidence["activeAt"] = fresh->active_at;
      evidence["time_to_active_s"] = alerting::seconds_between(since, *fresh->active_at_time);
    } else if (old) {
      o.verdict = Verdict::Fail;
      o.message = name_ + " is " + old->state + " but was already active at " + old->active_at +
                  ", before " + alerting::detection_start_text(context) +
                  ": pre-existing, it does not count as a detection";
    } else {
      o.verdict = Verdict::Fail;
      o.message = "no " + alerting::selector_text(name_, labels_) + " alert is " + state_;
      if (!other_states.empty()) {
        o.message += " (" + std::to_string(other_states.size()) + " in another state, e.g. " +
                     other_states[0]["state"].get<std::string>() + ")";
      }
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  // Pending is the way to firing: an alert asked to be pending may already fire.
  bool in_state(const std::string& state) const {
    return state == state_ || (state_ == "pending" && state == "firing");
  }

  common::Params params_;
  std::string name_;
  json labels_ = json::object();
  json selector_;  // labels_ and the alertname
  std::string state_;
  bool absent_ = false;
  std::unique_ptr<clients::PrometheusClient> client_;
};

}  // namespace

CheckKind prometheus_alert_check_kind() {
  using common::FieldSpec;
  return {"prometheus.alert",
          "Expects a Prometheus alerting rule's alert to be pending or firing (or not)",
          "an alert counts only when its activeAt is after the most recent fault (after the drill "
          "start when there was none); one active before is reported as pre-existing and never "
          "passes. expect: absent looks at every active alert, whenever it became active",
          {{
              FieldSpec{"name", FieldType::String, true, "the alertname", {}, {}},
              alerting::labels_field("labels the alert must have (others may be present)"),
              FieldSpec{"state",
                        FieldType::String,
                        false,
                        "firing, or pending (which a firing alert also satisfies)",
                        {"pending", "firing"},
                        "firing"},
              alerting::expect_field("present: a new alert must appear; absent: none may be "
                                     "active, e.g. under normal load"),
              alerting::url_field("prometheus"),
              alerting::timeout_field(),
          }},
          [](const common::Params& p) { return std::make_unique<PrometheusAlertCheck>(p); }};
}

}  // namespace firedrill::validators
