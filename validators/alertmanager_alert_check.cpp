#include <algorithm>
#include <memory>
#include <optional>

#include "clients/alertmanager_client.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& s : items) text += (text.empty() ? "" : ", ") + s;
  return text.empty() ? "none" : text;
}

class AlertmanagerAlertCheck final : public Check {
 public:
  explicit AlertmanagerAlertCheck(const common::Params& p) : params_(p) {
    name_ = p.at("name").get<std::string>();
    if (name_.empty()) throw ValueError("name: the alertname must not be empty");
    filter_.labels.emplace_back("alertname", name_);
    if (p.contains("labels")) {
      labels_ = p.at("labels");
      for (const auto& [label, value] : labels_.items()) {
        filter_.labels.emplace_back(label, value.get<std::string>());
      }
    }
    if (p.contains("silenced")) silenced_ = p.at("silenced").get<bool>();
    if (p.contains("inhibited")) inhibited_ = p.at("inhibited").get<bool>();
    bool muted = silenced_.value_or(false) || inhibited_.value_or(false);
    state_ =
        p.contains("state") ? p.at("state").get<std::string>() : (muted ? "suppressed" : "active");
    if (muted && state_ != "suppressed") {
      throw ValueError("state: a silenced or inhibited alert is suppressed, not " + state_);
    }
    if (p.contains("receiver")) receiver_ = p.at("receiver").get<std::string>();
    common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    std::string text =
        "Alertmanager alert " + alerting::selector_text(name_, labels_) + " is " + state_;
    if (silenced_) text += *silenced_ ? ", silenced" : ", not silenced";
    if (inhibited_) text += *inhibited_ ? ", inhibited" : ", not inhibited";
    if (receiver_) text += ", routed to " + *receiver_;
    return text + ", since the fault";
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = alerting::connect(client_, [&] {
          return std::make_unique<clients::AlertmanagerClient>(
              alerting::endpoint_for(context, "alertmanager", "Alertmanager", params_));
        })) {
      return *failed;
    }
    json evidence = {{"alertmanager", client_->endpoint().shown()},
                     {"alert", alerting::selector_text(name_, labels_)},
                     {"since", alerting::detection_start_evidence(context)}};
    std::vector<clients::AlertmanagerAlert> alerts;
    try {
      alerts = client_->alerts(filter_);
    } catch (const clients::ApiError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }

    const auto since = alerting::detection_start(context);
    json shown = json::array();
    const clients::AlertmanagerAlert* passing = nullptr;
    std::string first_problem;
    for (const auto& a : alerts) {
      json entry = a.to_json();
      if (a.starts_at_time) {
        entry["starts_after_s"] = alerting::seconds_between(since, *a.starts_at_time);
      }
      std::string problem = problem_with(a, context);
      entry["pre_existing"] = !(a.starts_at_time && *a.starts_at_time > since);
      if (!problem.empty()) {
        entry["mismatch"] = problem;
        if (first_problem.empty()) first_problem = problem;
      } else if (!passing || *a.starts_at_time < *passing->starts_at_time) {
        passing = &a;
      }
      shown.push_back(std::move(entry));
    }
    evidence["alerts"] = std::move(shown);

    Observation o;
    if (passing) {
      o.verdict = Verdict::Pass;
      o.message = name_ + " is " + passing->state + " in Alertmanager since " + passing->starts_at +
                  ", " + alerting::relative_text(context, *passing->starts_at_time) +
                  "; receivers: " + joined(passing->receivers);
      evidence["startsAt"] = passing->starts_at;
      evidence["time_to_start_s"] = alerting::seconds_between(since, *passing->starts_at_time);
      evidence["receivers"] = passing->receivers;
    } else {
      o.verdict = Verdict::Fail;
      o.message = alerts.empty()
                      ? "Alertmanager has no " + alerting::selector_text(name_, labels_) + " alert"
                      : name_ + ": " + first_problem;
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  // Why `a` does not count, or empty when it does.
  std::string problem_with(const clients::AlertmanagerAlert& a, const CheckContext& context) const {
    if (!alerting::labels_match(a.labels, labels_)) return "other labels";
    if (a.state != state_) return "state " + a.state + ", not " + state_;
    if (silenced_ && *silenced_ != !a.silenced_by.empty()) {
      return *silenced_ ? "not silenced" : "silenced by " + joined(a.silenced_by);
    }
    if (inhibited_ && *inhibited_ != !a.inhibited_by.empty()) {
      return *inhibited_ ? "not inhibited" : "inhibited by " + joined(a.inhibited_by);
    }
    if (receiver_ &&
        std::find(a.receivers.begin(), a.receivers.end(), *receiver_) == a.receivers.end()) {
      return "routed to " + joined(a.receivers) + ", not " + *receiver_;
    }
    if (!a.starts_at_time)
      return "startsAt \"" + common::excerpt(a.starts_at, 40) + "\" unreadable";
    if (*a.starts_at_time <= alerting::detection_start(context)) {
      return "started at " + a.starts_at + ", before " + alerting::detection_start_text(context) +
             ": pre-existing, it does not count as a detection";
    }
    return "";
  }

  common::Params params_;
  std::string name_;
  json labels_ = json::object();
  std::string state_;
  std::optional<bool> silenced_;
  std::optional<bool> inhibited_;
  std::optional<std::string> receiver_;
  clients::AlertmanagerFilter filter_;
  std::unique_ptr<clients::AlertmanagerClient> client_;
};

}  // namespace

CheckKind alertmanager_alert_check_kind() {
  using common::FieldSpec;
  return {
      "alertmanager.alert",
      "Expects an alert in Alertmanager, in a state, routed to a receiver",
      "an alert counts only when its startsAt is after the most recent fault (after the drill "
      "start when there was none); one that started before is reported as pre-existing",
      {{
          FieldSpec{"name", FieldType::String, true, "the alertname", {}, {}},
          alerting::labels_field("labels the alert must have (others may be present)"),
          FieldSpec{"state",
                    FieldType::String,
                    false,
                    "active, suppressed (silenced or inhibited) or unprocessed; default active, "
                    "or suppressed when silenced or inhibited is true",
                    {"active", "suppressed", "unprocessed"},
                    {}},
          FieldSpec{"silenced",
                    FieldType::Boolean,
                    false,
                    "true: a silence must mute it; false: none may",
                    {},
                    {}},
          FieldSpec{"inhibited",
                    FieldType::Boolean,
                    false,
                    "true: another alert must inhibit it; false: none may",
                    {},
                    {}},
          FieldSpec{
              "receiver", FieldType::String, false, "a receiver its route must send it to", {}, {}},
          alerting::url_field("alertmanager"),
          alerting::timeout_field(),
      }},
      [](const common::Params& p) { return std::make_unique<AlertmanagerAlertCheck>(p); }};
}

}  // namespace firedrill::validators
