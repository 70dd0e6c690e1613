#include <algorithm>
#include <memory>
#include <optional>

#include "clients/alertmanager_client.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alert_baseline.hpp"
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
    absent_ = p.at("expect").get<std::string>() == "absent";
    common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    std::string text =
        "Alertmanager alert " + alerting::selector_text(name_, labels_) + " is " + state_;
    if (silenced_) text += *silenced_ ? ", silenced" : ", not silenced";
    if (inhibited_) text += *inhibited_ ? ", inhibited" : ", not inhibited";
    if (receiver_) text += ", routed to " + *receiver_;
    return absent_ ? "no " + text + " at any poll" : text + ", since the fault";
  }

  void note_baseline(const CheckContext& context) override {
    baseline_ = {};
    baseline_.taken = true;
    baseline_.taken_at = WallClock::now();
    if (auto failed = connect(context)) {
      baseline_.errors.push_back(failed->message);
      return;
    }
    alerting::add_alertmanager(baseline_, *client_, name_);
    // Alertmanager never sees pending alerts: only Prometheus can tell that an alert firing
    // after the fault was already on its way before it.
    try {
      if (auto prometheus = prometheus_of(context)) {
        alerting::add_prometheus(baseline_, *prometheus, name_);
      }
    } catch (const std::exception& e) {
      baseline_.errors.push_back(e.what());
    }
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = connect(context)) return *failed;
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
    const clients::AlertmanagerAlert* present = nullptr;  // as asked, new or not
    std::string first_problem;
    std::string unknown;
    for (const auto& a : alerts) {
      json entry = a.to_json();
      if (a.starts_at_time) {
        entry["starts_after_s"] = alerting::seconds_between(since, *a.starts_at_time);
      }
      std::string problem = problem_with(a);
      if (problem.empty()) present = present ? present : &a;
      if (problem.empty() && !a.starts_at_time) {
        problem = "startsAt \"" + common::excerpt(a.starts_at, 40) + "\" unreadable";
      }
      // expect: absent counts every alert as asked, new or old: no need to tell them apart.
      if (problem.empty() && !absent_) {
        alerting::NoveltyJudgement novelty = alerting::judge_novelty(
            baseline_, a.labels, a.starts_at_time, context,
            [&] { return alerting::prometheus_alerts_now(prometheus_.get(), baseline_); });
        entry["pre_existing"] = novelty.novelty != alerting::Novelty::New;
        if (novelty.novelty == alerting::Novelty::PreExisting) {
          problem = novelty.why + ": pre-existing, it does not count as a detection";
        } else if (novelty.novelty == alerting::Novelty::Unknown) {
          entry["undecided"] = novelty.why;
          if (unknown.empty()) unknown = novelty.why;
          shown.push_back(std::move(entry));
          continue;
        }
      }
      if (!problem.empty()) {
        entry["mismatch"] = problem;
        if (first_problem.empty()) first_problem = problem;
      } else if (!passing || *a.starts_at_time < *passing->starts_at_time) {
        passing = &a;
      }
      shown.push_back(std::move(entry));
    }
    evidence["alerts"] = std::move(shown);
    if (baseline_.taken) evidence["baseline"] = baseline_.to_json();

    Observation o;
    if (absent_) {
      const clients::AlertmanagerAlert* any = passing ? passing : present;
      o.verdict = any ? Verdict::Fail : Verdict::Pass;
      o.message = any ? name_ + " is " + any->state + " in Alertmanager since " + any->starts_at +
                            "; receivers: " + joined(any->receivers)
                      : "Alertmanager has no " + alerting::selector_text(name_, labels_) +
                            " alert that is " + state_ + conditions_text();
    } else if (passing) {
      o.verdict = Verdict::Pass;
      o.message = name_ + " is " + passing->state + " in Alertmanager since " + passing->starts_at +
                  ", " + alerting::relative_text(context, *passing->starts_at_time) +
                  "; receivers: " + joined(passing->receivers);
      evidence["startsAt"] = passing->starts_at;
      evidence["time_to_start_s"] = alerting::seconds_between(since, *passing->starts_at_time);
      evidence["receivers"] = passing->receivers;
    } else if (!unknown.empty()) {
      return alerting::inconclusive(name_ + ": " + unknown, evidence);
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
  std::optional<Observation> connect(const CheckContext& context) {
    return alerting::connect(client_, [&] {
      return std::make_unique<clients::AlertmanagerClient>(alerting::endpoint_for(
          context, context.integrations->alertmanager, "alertmanager", "Alertmanager", params_));
    });
  }

  // integrations.prometheus, when the drill has it; null otherwise.
  clients::PrometheusClient* prometheus_of(const CheckContext& context) {
    if (!prometheus_) prometheus_ = alerting::integration_prometheus(context);
    return prometheus_.get();
  }

  std::string conditions_text() const {
    std::string text;
    if (silenced_) text += *silenced_ ? ", silenced" : ", not silenced";
    if (inhibited_) text += *inhibited_ ? ", inhibited" : ", not inhibited";
    if (receiver_) text += ", routed to " + *receiver_;
    return text;
  }

  // Why `a` is not the alert asked for, or empty when it is.
  std::string problem_with(const clients::AlertmanagerAlert& a) const {
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
    return "";
  }

  common::Params params_;
  std::string name_;
  json labels_ = json::object();
  std::string state_;
  std::optional<bool> silenced_;
  std::optional<bool> inhibited_;
  std::optional<std::string> receiver_;
  bool absent_ = false;
  clients::AlertmanagerFilter filter_;
  alerting::AlertBaseline baseline_;
  std::unique_ptr<clients::AlertmanagerClient> client_;
  std::unique_ptr<clients::PrometheusClient> prometheus_;
};

}  // namespace

CheckKind alertmanager_alert_check_kind() {
  using common::FieldSpec;
  return {
      "alertmanager.alert",
      "Expects an alert in Alertmanager, in a state, routed to a receiver",
      "an alert counts only when its startsAt is after the most recent fault (after the drill "
      "start when there was none) and it was not already active just before it: not in "
      "Alertmanager, and not pending or firing in integrations.prometheus (a pending alert fires "
      "after the fault with a new startsAt; while Prometheus still shows that activation it is "
      "pre-existing, and when it no longer does the poll is inconclusive). expect: absent fails "
      "on any alert as asked at a poll, new or not; Alertmanager keeps no history, so an alert "
      "that came and went between polls is seen only by receiver.notification and "
      "prometheus.alert",
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
          alerting::expect_field("present: a new alert as asked must appear; absent: none may be "
                                 "there, e.g. to prove a silence or an inhibit rule holds"),
          alerting::url_field("alertmanager"),
          alerting::timeout_field(),
      }},
      [](const common::Params& p) { return std::make_unique<AlertmanagerAlertCheck>(p); }};
}

}  // namespace firedrill::validators
