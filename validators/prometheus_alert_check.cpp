#include <functional>
#include <memory>

#include "clients/prometheus_client.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alert_baseline.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"
#include "validators/prometheus_rules.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr std::size_t kMaxSeriesShown = 20;

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
    fired_since_fault_ = p.contains("fired");
    if (fired_since_fault_ && state_ != "firing") {
      throw ValueError("fired: asks whether the alert fired, so state must be firing, not " +
                       state_);
    }
    common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    const std::string alert = "Prometheus alert " + alerting::selector_text(name_, labels_);
    if (fired_since_fault_) {
      return alert + (absent_ ? " did not fire" : " fired") + " at any time since the fault";
    }
    return alert + (absent_ ? " is not " + state_
                            : " is " + state_ + (state_ == "pending" ? " or firing" : "") +
                                  " since the fault");
  }

  void note_baseline(const CheckContext& context) override {
    baseline_ = {};
    baseline_.taken = true;
    baseline_.taken_at = WallClock::now();
    if (auto failed = alerting::connect(
            client_, [&] { return alerting::prometheus_client(context, params_); })) {
      baseline_.errors.push_back(failed->message);
      return;
    }
    alerting::add_prometheus(baseline_, *client_, name_);
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = alerting::connect(
            client_, [&] { return alerting::prometheus_client(context, params_); })) {
      return *failed;
    }
    const WallClock::time_point now = WallClock::now();
    const WallClock::time_point interval_start =
        alerting::absent_interval_start(last_poll_, context.window_start);
    json evidence = {{"prometheus", client_->endpoint().shown()},
                     {"alert", alerting::selector_text(name_, labels_)},
                     {"since", alerting::detection_start_evidence(context)}};
    if (baseline_.taken) evidence["baseline"] = baseline_.to_json();
    Poll poll;
    try {
      if (auto missing = alerting::missing_rule(*client_, name_, evidence)) return *missing;
      poll.started = client_->start_time();
      poll.alerts = client_->alerts();
      if (absent_ || fired_since_fault_) {
        const WallClock::time_point from =
            fired_since_fault_ ? alerting::detection_start(context) : interval_start;
        poll.series = client_->samples(series_selector(), range_to(from, now), now);
      }
    } catch (const clients::ApiError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }
    last_poll_ = now;
    Observation o = absent_ ? observe_absent(context, poll, interval_start, evidence)
                            : observe_present(context, poll, evidence);
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  struct Poll {
    std::optional<WallClock::time_point> started;  // of the Prometheus process, when it says
    std::vector<clients::PrometheusAlert> alerts;
    std::vector<clients::PrometheusSeries> series;  // ALERTS samples, when asked for
  };

  static std::chrono::milliseconds range_to(WallClock::time_point from, WallClock::time_point to) {
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::ceil<std::chrono::milliseconds>(to - from));
  }

  // Prometheus keeps every pending and firing alert as a sample of the ALERTS series at each
  // evaluation: the record of what was active between two polls.
  std::string series_selector() const {
    json labels = selector_;
    const bool pending_too = state_ == "pending";
    std::string text = "ALERTS{alertstate" + std::string(pending_too ? "=~" : "=") +
                       (pending_too ? "\"pending|firing\"" : "\"firing\"");
    for (const auto& [key, value] : labels.items()) {
      text += "," + key + "=" + common::double_quoted(value.get<std::string>());
    }
    return text + "}";
  }

  // Pending is the way to firing: an alert asked to be pending may already fire.
  bool in_state(const std::string& state) const {
    return state == state_ || (state_ == "pending" && state == "firing");
  }

  bool restarted_since_baseline(const Poll& poll, const CheckContext& context) const {
    if (!poll.started || !baseline_.taken) return false;
    if (baseline_.prometheus_started) return *poll.started != *baseline_.prometheus_started;
    // Unreadable at the baseline: a start after a fault's baseline is a restart; after the drill
    // start's it is the drill's own Prometheus starting.
    return context.last_fault && *poll.started > baseline_.taken_at;
  }

  Observation observe_absent(const CheckContext& context, const Poll& poll,
                             WallClock::time_point interval_start, json& evidence) const {
    Observation o;
    evidence["alerts"] = json::array();
    const clients::PrometheusAlert* active = nullptr;
    for (const auto& a : poll.alerts) {
      if (!alerting::labels_match(a.labels, selector_) || !in_state(a.state)) continue;
      evidence["alerts"].push_back(alert_entry(a, context));
      active = active ? active : &a;
    }
    if (active) {
      o.verdict = Verdict::Fail;
      o.message = name_ + " is " + active->state + " (active since " + active->active_at + ")";
      return o;
    }
    if (const clients::PrometheusSeries* s = first_series(poll.series)) {
      const auto at = sample_time(s->samples.front().first);
      o.verdict = Verdict::Fail;
      o.message = name_ + " was " + s->metric.value("alertstate", state_) + " at " +
                  common::format_rfc3339(at) + ", " + alerting::relative_text(context, at) +
                  " (between polls; it is no longer active)";
      evidence["series"] = series_evidence(poll.series);
      return o;
    }
    o.verdict = Verdict::Pass;
    o.message = fired_since_fault_
                    ? "no " + alerting::selector_text(name_, labels_) + " alert fired since " +
                          alerting::detection_start_text(context)
                    : "no " + alerting::selector_text(name_, labels_) + " alert was " + state_ +
                          " from " + common::format_rfc3339(interval_start) + " to now";
    return o;
  }

  Observation observe_present(const CheckContext& context, const Poll& poll, json& evidence) const {
    const auto since = alerting::detection_start(context);
    const bool restarted = restarted_since_baseline(poll, context);
    json matching = json::array();
    json other_states = json::array();
    const clients::PrometheusAlert* fresh = nullptr;
    const clients::PrometheusAlert* old = nullptr;
    const clients::PrometheusAlert* reset = nullptr;  // new-looking only because of a restart
    for (const auto& a : poll.alerts) {
      if (!alerting::labels_match(a.labels, selector_)) continue;
      json entry = alert_entry(a, context);
      if (!in_state(a.state)) {
        other_states.push_back(std::move(entry));
        continue;
      }
      // An alert whose activeAt cannot be read cannot be shown to be new.
      const bool looks_new = a.active_at_time && *a.active_at_time > since;
      const bool is_reset =
          looks_new && restarted && (baseline_.find(a.labels) || !baseline_.errors.empty());
      entry["pre_existing"] = !looks_new;
      if (is_reset) entry["activeAt_reset_by_restart"] = true;
      if (is_reset) {
        reset = reset ? reset : &a;
      } else if (looks_new && (!fresh || *a.active_at_time < *fresh->active_at_time)) {
        fresh = &a;
      } else if (!looks_new && !old) {
        old = &a;
      }
      matching.push_back(std::move(entry));
    }
    evidence["alerts"] = matching;
    if (!other_states.empty()) evidence["other_states"] = other_states;
    if (restarted) evidence["prometheus_started"] = common::format_rfc3339(*poll.started);

    Observation o;
    if (fresh) {
      o.verdict = Verdict::Pass;
      o.message = name_ + " is " + fresh->state + ", active since " + fresh->active_at + ", " +
                  alerting::relative_text(context, *fresh->active_at_time);
      evidence["activeAt"] = fresh->active_at;
      evidence["time_to_active_s"] = alerting::seconds_between(since, *fresh->active_at_time);
      return o;
    }
    if (fired_since_fault_) {
      if (auto fired = fired_between_polls(context, poll, evidence)) return *fired;
    }
    if (reset) {
      return alerting::inconclusive(
          "Prometheus restarted at " + common::format_rfc3339(*poll.started) + ", after " +
              alerting::detection_start_text(context) + "; " + name_ +
              (baseline_.errors.empty() ? " was already active before, and"
                                        : " may have been "
                                          "active before, and") +
              " a restart resets its activeAt (to " + reset->active_at +
              "), so whether it is new cannot be told",
          evidence);
    }
    o.verdict = Verdict::Fail;
    if (old) {
      o.message = name_ + " is " + old->state + " but was already active at " + old->active_at +
                  ", before " + alerting::detection_start_text(context) +
                  ": pre-existing, it does not count as a detection";
    } else {
      o.message = "no " + alerting::selector_text(name_, labels_) + " alert " +
                  (fired_since_fault_ ? "fired since " + alerting::detection_start_text(context)
                                      : "is " + state_);
      if (!other_states.empty()) {
        o.message += " (" + std::to_string(other_states.size()) + " in another state, e.g. " +
                     other_states[0]["state"].get<std::string>() + ")";
      }
    }
    return o;
  }

  // fired: sinceFault, from the ALERTS samples since the fault: a series of an alert that was
  // not active at the baseline fired after it, even when it has resolved since.
  std::optional<Observation> fired_between_polls(const CheckContext& context, const Poll& poll,
                                                 json& evidence) const {
    if (poll.series.empty()) return std::nullopt;
    evidence["series"] = series_evidence(poll.series);
    if (!baseline_.taken || (!baseline_.errors.empty() && context.last_fault)) {
      return alerting::inconclusive(
          name_ + " fired since " + alerting::detection_start_text(context) +
              ", but what was active just before it is unknown" +
              (baseline_.errors.empty() ? "" : ": " + baseline_.errors.front()),
          evidence);
    }
    const clients::PrometheusSeries* first = first_series(
        poll.series, [&](const clients::PrometheusSeries& s) { return !baseline_.find(s.metric); });
    Observation o;
    if (!first) {
      o.verdict = Verdict::Fail;
      o.message = name_ + " fired since " + alerting::detection_start_text(context) +
                  ", but only as an alert already active before it: pre-existing, it does not "
                  "count as a detection";
      return o;
    }
    const auto at = sample_time(first->samples.front().first);
    o.verdict = Verdict::Pass;
    o.message = name_ + " fired at " + common::format_rfc3339(at) + ", " +
                alerting::relative_text(context, at);
    evidence["fired_at"] = common::format_rfc3339(at);
    evidence["time_to_fire_s"] = alerting::seconds_between(alerting::detection_start(context), at);
    return o;
  }

  json alert_entry(const clients::PrometheusAlert& a, const CheckContext& context) const {
    json entry = {
        {"labels", a.labels}, {"state", a.state}, {"activeAt", a.active_at}, {"value", a.value}};
    if (a.active_at_time) {
      entry["active_after_s"] =
          alerting::seconds_between(alerting::detection_start(context), *a.active_at_time);
    }
    return entry;
  }

  static WallClock::time_point sample_time(double unix_seconds) {
    return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
        std::chrono::duration<double>(unix_seconds)));
  }

  // The series with the earliest sample, among those `counts` keeps.
  static const clients::PrometheusSeries* first_series(
      const std::vector<clients::PrometheusSeries>& series,
      const std::function<bool(const clients::PrometheusSeries&)>& counts =
          [](const clients::PrometheusSeries&) { return true; }) {
    const clients::PrometheusSeries* first = nullptr;
    for (const auto& s : series) {
      if (s.samples.empty() || !counts(s)) continue;
      if (!first || s.samples.front().first < first->samples.front().first) first = &s;
    }
    return first;
  }

  static json series_evidence(const std::vector<clients::PrometheusSeries>& series) {
    json out = json::array();
    for (const auto& s : series) {
      if (out.size() >= kMaxSeriesShown || s.samples.empty()) continue;
      out.push_back({{"labels", s.metric},
                     {"first", common::format_rfc3339(sample_time(s.samples.front().first))},
                     {"last", common::format_rfc3339(sample_time(s.samples.back().first))},
                     {"samples", s.samples.size()}});
    }
    return out;
  }

  common::Params params_;
  std::string name_;
  json labels_ = json::object();
  json selector_;  // labels_ and the alertname
  std::string state_;
  bool absent_ = false;
  bool fired_since_fault_ = false;
  alerting::AlertBaseline baseline_;
  std::optional<WallClock::time_point> last_poll_;
  std::unique_ptr<clients::PrometheusClient> client_;
};

}  // namespace

CheckKind prometheus_alert_check_kind() {
  using common::FieldSpec;
  return {"prometheus.alert",
          "Expects a Prometheus alerting rule's alert to be pending or firing (or not)",
          "an alert counts only when it was not active just before the most recent fault (at the "
          "drill start when there was none) and its activeAt is after it; after a Prometheus "
          "restart that reset the activeAt of an alert active before, the poll is inconclusive. "
          "fired: sinceFault reads the ALERTS series since the fault, so an alert that fired "
          "and resolved before the check looked still counts. expect: absent fails on any "
          "matching alert active at a poll or in an ALERTS sample since the previous poll, "
          "whenever it became active. A check on an alertname no loaded rule defines fails at "
          "its first poll",
          {{
              FieldSpec{"name", FieldType::String, true, "the alertname", {}, {}},
              alerting::labels_field("labels the alert must have (others may be present)"),
              FieldSpec{"state",
                        FieldType::String,
                        false,
                        "firing, or pending (which a firing alert also satisfies)",
                        {"pending", "firing"},
                        "firing"},
              FieldSpec{"fired",
                        FieldType::String,
                        false,
                        "sinceFault: it fired at any time after the fault, even if it has "
                        "resolved since (without it: it is firing now)",
                        {"sinceFault"},
                        {}},
              alerting::expect_field("present: a new alert must appear; absent: none may be "
                                     "active, e.g. under normal load"),
              alerting::url_field("prometheus"),
              alerting::timeout_field(),
          }},
          [](const common::Params& p) { return std::make_unique<PrometheusAlertCheck>(p); }};
}

}  // namespace firedrill::validators
