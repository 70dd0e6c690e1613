#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "clients/grafana_client.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

// The states of drill params, lowercase as Grafana's own state filters take them, and as Grafana
// writes them in the alerts list.
const std::map<std::string, std::string>& grafana_states() {
  static const std::map<std::string, std::string> states = {
      {"alerting", "Alerting"}, {"pending", "Pending"}, {"recovering", "Recovering"},
      {"nodata", "NoData"},     {"error", "Error"},     {"normal", "Normal"}};
  return states;
}

class GrafanaAlertCheck final : public Check {
 public:
  explicit GrafanaAlertCheck(const common::Params& p) : params_(p) {
    name_ = p.at("name").get<std::string>();
    if (name_.empty()) throw ValueError("name: the alertname must not be empty");
    if (p.contains("labels")) labels_ = p.at("labels");
    state_ = grafana_states().at(p.contains("state") ? p.at("state").get<std::string>()
                                                     : std::string("alerting"));
    absent_ = p.at("expect").get<std::string>() == "absent";
    common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    std::string text = "Grafana alert " + alerting::selector_text(name_, labels_) + " is " + state_;
    return absent_ ? "no " + text + " at any poll" : text + ", since the fault";
  }

  // Every instance of the rule that is not Normal now was set off before the fault, whatever it
  // does next: a Pending one that starts alerting gets a new activeAt, so only this record tells
  // it from a new activation.
  void note_baseline(const CheckContext& context) override {
    baseline_.clear();
    baseline_error_.reset();
    if (auto failed = connect(context)) {
      baseline_error_ = failed->message;
      return;
    }
    try {
      for (auto& a : client_->alerts()) {
        if (is_rule(a) && a.state != "Normal") baseline_.push_back(std::move(a));
      }
    } catch (const clients::ApiError& e) {
      baseline_error_ = e.what();
    }
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = connect(context)) return *failed;
    json evidence = {{"grafana", client_->endpoint().shown()},
                     {"alert", alerting::selector_text(name_, labels_)},
                     {"since", alerting::detection_start_evidence(context)}};
    std::vector<clients::GrafanaAlert> alerts;
    try {
      alerts = client_->alerts();
    } catch (const clients::ApiError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }
    forget_ended(alerts);
    evidence["baseline"] = baseline_json();

    const auto since = alerting::detection_start(context);
    json shown = json::array();
    const clients::GrafanaAlert* passing = nullptr;
    const clients::GrafanaAlert* present = nullptr;  // as asked, new or not
    std::string first_problem;
    for (const auto& a : alerts) {
      if (!is_rule(a) || !alerting::labels_match(a.labels, labels_)) continue;
      json entry = a.to_json();
      std::string problem = a.state == state_ ? "" : "state " + a.state + ", not " + state_;
      if (problem.empty()) present = present ? present : &a;
      if (problem.empty() && !absent_) problem = staleness(a, since);
      if (a.active_at_time) {
        entry["active_after_s"] = alerting::seconds_between(since, *a.active_at_time);
      }
      if (!problem.empty()) {
        entry["mismatch"] = problem;
        if (first_problem.empty()) first_problem = problem;
      } else if (!passing || *a.active_at_time < *passing->active_at_time) {
        passing = &a;
      }
      shown.push_back(std::move(entry));
    }
    evidence["alerts"] = std::move(shown);

    Observation o;
    if (absent_) {
      o.verdict = present ? Verdict::Fail : Verdict::Pass;
      o.message = present ? name_ + " is " + state_text(*present) + " in Grafana since " +
                                present->active_at
                          : "Grafana has no " + alerting::selector_text(name_, labels_) +
                                " alert that is " + state_;
    } else if (passing && baseline_error_) {
      return alerting::inconclusive(
          name_ + " is " + state_text(*passing) + " since " + passing->active_at +
              ", but whether it was already on its way before the fault is unknown: the "
              "baseline could not be read: " +
              *baseline_error_,
          evidence);
    } else if (passing) {
      o.verdict = Verdict::Pass;
      o.message = name_ + " is " + state_text(*passing) + " in Grafana since " +
                  passing->active_at + ", " +
                  alerting::relative_text(context, *passing->active_at_time) +
                  (passing->value.empty() ? "" : "; value " + passing->value);
      evidence["activeAt"] = passing->active_at;
      evidence["time_to_state_s"] = alerting::seconds_between(since, *passing->active_at_time);
    } else {
      o.verdict = Verdict::Fail;
      o.message = first_problem.empty()
                      ? "Grafana has no " + alerting::selector_text(name_, labels_) + " alert"
                      : name_ + ": " + first_problem;
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  std::optional<Observation> connect(const CheckContext& context) {
    return alerting::connect(client_, [&] {
      return std::make_unique<clients::GrafanaClient>(alerting::endpoint_for(
          context, context.integrations->grafana, "grafana", "Grafana", params_));
    });
  }

  bool is_rule(const clients::GrafanaAlert& a) const {
    return a.labels.is_object() && a.labels.value("alertname", "") == name_;
  }

  // Why an instance in the state asked for does not count as detected, or empty when it does.
  std::string staleness(const clients::GrafanaAlert& a,
                        WallClock::time_point detection_start) const {
    if (!a.active_at_time) {
      return "activeAt \"" + common::excerpt(a.active_at, 40) + "\" unreadable";
    }
    if (*a.active_at_time < detection_start) {
      return state_ + " since " + a.active_at + ", before the fault: pre-existing";
    }
    for (const auto& old : baseline_) {
      if (old.labels == a.labels) {
        return "already " + state_text(old) + " before the fault (since " + old.active_at +
               "): pre-existing, it does not count as a detection";
      }
    }
    return "";
  }

  // An instance of the baseline that a poll shows Normal, or no longer lists, has ended: what it
  // does from then on is a new activation.
  void forget_ended(const std::vector<clients::GrafanaAlert>& now) {
    baseline_.erase(std::remove_if(baseline_.begin(), baseline_.end(),
                                   [&](const clients::GrafanaAlert& old) {
                                     return std::none_of(
                                         now.begin(), now.end(), [&](const auto& a) {
                                           return a.labels == old.labels && a.state != "Normal";
                                         });
                                   }),
                    baseline_.end());
  }

  json baseline_json() const {
    json out = {{"active", json::array()}};
    for (const auto& a : baseline_) out["active"].push_back(a.to_json());
    if (baseline_error_) out["error"] = *baseline_error_;
    return out;
  }

  static std::string state_text(const clients::GrafanaAlert& a) {
    return a.reason.empty() ? a.state : a.state + " (" + a.reason + ")";
  }

  common::Params params_;
  std::string name_;
  json labels_ = json::object();
  std::string state_;
  bool absent_ = false;
  std::vector<clients::GrafanaAlert> baseline_;  // instances of the rule not Normal then
  std::optional<std::string> baseline_error_;
  std::unique_ptr<clients::GrafanaClient> client_;
};

}  // namespace

CheckKind grafana_alert_check_kind() {
  using common::FieldSpec;
  std::vector<std::string> states;
  for (const auto& [param, shown] : grafana_states()) states.push_back(param);
  return {
      "grafana.alert",
      "Expects an alert instance of Grafana's unified alerting in a state (GET "
      "/api/prometheus/grafana/api/v1/alerts of integrations.grafana, e.g. with a service "
      "account's bearerToken)",
      "an instance counts only when its activeAt (when it entered the state) is after the most "
      "recent fault (the drill start when there was none) and it was not already out of Normal "
      "at the baseline: Grafana gives a pending instance a new activeAt when it starts alerting, "
      "so an instance pending, alerting or recovering at the baseline stays pre-existing until a "
      "poll shows it Normal or gone. If the baseline could not be read, an instance as asked is "
      "inconclusive. expect: absent fails on any instance in the state at a poll, new or not",
      {{
          FieldSpec{
              "name", FieldType::String, true, "the alert rule's title (its alertname)", {}, {}},
          alerting::labels_field("labels the instance must have (others may be present)"),
          FieldSpec{"state",
                    FieldType::String,
                    false,
                    "the state the instance must be in (default alerting); a state with a "
                    "reason, like Alerting (NoData), is that state",
                    states,
                    {}},
          alerting::expect_field("present: a new instance as asked must appear; absent: none "
                                 "may be in the state, e.g. during baseline load"),
          alerting::url_field("grafana"),
          alerting::timeout_field(),
      }},
      [](const common::Params& p) { return std::make_unique<GrafanaAlertCheck>(p); }};
}

}  // namespace firedrill::validators
