#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "common/errors.hpp"
#include "common/rfc3339.hpp"
#include "common/text.hpp"
#include "local/notification_receiver.hpp"
#include "validators/alert_baseline.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr std::size_t kMaxPayloadShown = 16 * 1024;
constexpr std::size_t kMaxNotificationsShown = 20;

// A received notification in evidence; a large payload is cut to keep reports readable.
json notification_evidence(const local::Notification& n) {
  json out = n.to_json();
  std::string payload = n.payload.dump();
  if (payload.size() > kMaxPayloadShown) {
    out["payload"] = common::excerpt(payload, kMaxPayloadShown);
    out["payload_truncated"] = true;
  }
  return out;
}

json notification_summary(const local::Notification& n) {
  return {{"received_at", common::format_rfc3339(n.received_at)},
          {"format", n.format},
          {"status", n.status},
          {"alertnames", n.alertnames()}};
}

class ReceiverNotificationCheck final : public Check {
 public:
  explicit ReceiverNotificationCheck(const common::Params& p) {
    alertname_ = p.at("alertname").get<std::string>();
    if (alertname_.empty()) throw ValueError("alertname: must not be empty");
    if (p.contains("labels")) labels_ = p.at("labels");
    status_ = p.at("status").get<std::string>();
    if (p.contains("format")) format_ = p.at("format").get<std::string>();
    absent_ = p.at("expect").get<std::string>() == "absent";
  }

  std::string describe() const override {
    const std::string what = status_ + " " + alerting::selector_text(alertname_, labels_) +
                             " notification" + (format_ ? " (" + *format_ + ")" : "");
    return absent_ ? "no " + what + " reaches the receiver in the window"
                   : "a " + what + " reaches the receiver";
  }

  void note_baseline(const CheckContext& context) override {
    baseline_ = {};
    baseline_.taken = true;
    baseline_.taken_at = WallClock::now();
    if (context.receiver) alerting::add_receiver(baseline_, *context.receiver, alertname_);
    // What the senders hold that has not reached the receiver yet: alerts already active in
    // Alertmanager, or pending in Prometheus, page after the fault without being new.
    try {
      if (!alertmanager_) alertmanager_ = alerting::integration_alertmanager(context);
      if (alertmanager_) alerting::add_alertmanager(baseline_, *alertmanager_, alertname_);
    } catch (const std::exception& e) {
      baseline_.errors.push_back(e.what());
    }
    try {
      if (!prometheus_) prometheus_ = alerting::integration_prometheus(context);
      if (prometheus_) alerting::add_prometheus(baseline_, *prometheus_, alertname_);
    } catch (const std::exception& e) {
      baseline_.errors.push_back(e.what());
    }
  }

  Observation observe(const CheckContext& context) override {
    if (!context.receiver) {
      return alerting::inconclusive("no receiver configured: add integrations.receiver");
    }
    const WallClock::time_point now = WallClock::now();
    const WallClock::time_point interval_start =
        alerting::absent_interval_start(last_poll_, context.window_start);
    last_poll_ = now;
    const auto since = absent_ ? interval_start : alerting::detection_start(context);
    json evidence = {
        {"receiver", context.receiver->address()},
        {"since", absent_ ? json{{"event", "previous_poll"}, {"at", common::format_rfc3339(since)}}
                          : alerting::detection_start_evidence(context)}};
    if (baseline_.taken && !absent_) evidence["baseline"] = baseline_.to_json();
    const local::Notification* found = nullptr;
    const local::ReceivedAlert* found_alert = nullptr;
    std::size_t earlier = 0;
    json received_since = json::array();
    json pre_existing = json::array();
    std::size_t count_since = 0;
    std::string unknown;
    std::vector<local::Notification> all = context.receiver->notifications();
    for (const auto& n : all) {
      bool fresh = n.received_at > since;
      if (fresh) {
        ++count_since;
        if (received_since.size() < kMaxNotificationsShown) {
          received_since.push_back(notification_summary(n));
        }
      }
      bool matched = false;
      for (const auto& alert : n.alerts) {
        if (found || !matches(n, alert)) continue;
        matched = true;
        if (!fresh) continue;
        // Arrived after, but sent before: a late delivery or a replayed signed message.
        if (n.sent_at && *n.sent_at <= alerting::detection_start(context)) {
          if (pre_existing.size() < kMaxNotificationsShown) {
            json entry = notification_summary(n);
            entry["labels"] = alert.labels;
            entry["why"] = "it was sent at " + common::format_rfc3339(*n.sent_at) + ", before " +
                           alerting::detection_start_text(context);
            pre_existing.push_back(std::move(entry));
          }
          continue;
        }
        if (absent_) {
          found = &n;
          found_alert = &alert;
          continue;
        }
        alerting::NoveltyJudgement novelty = judge(alert, n, all, context);
        if (novelty.novelty == alerting::Novelty::New) {
          found = &n;
          found_alert = &alert;
        } else if (novelty.novelty == alerting::Novelty::Unknown) {
          if (unknown.empty()) unknown = novelty.why;
        } else if (pre_existing.size() < kMaxNotificationsShown) {
          json entry = notification_summary(n);
          entry["labels"] = alert.labels;
          entry["why"] = novelty.why;
          pre_existing.push_back(std::move(entry));
        }
      }
      if (matched && !fresh) ++earlier;
    }
    if (!pre_existing.empty()) evidence["pre_existing"] = pre_existing;
    // Turned away (credentials, SNS signature, topic): never a delivery, but worth saying when
    // none came, since a misconfigured sender looks just like a page that was never sent.
    std::size_t rejected = 0;
    std::vector<std::string> reasons;
    for (const auto& r : context.receiver->rejections()) {
      if (r.received_at <= since) continue;
      ++rejected;
      if (reasons.size() < 3 &&
          std::find(reasons.begin(), reasons.end(), r.reason) == reasons.end()) {
        reasons.push_back(r.reason);
      }
    }
    if (rejected > 0) {
      evidence["rejected_since"] = rejected;
      evidence["rejected_reasons"] = reasons;
    }

    Observation o;
    if (absent_) {
      o.verdict = found ? Verdict::Fail : Verdict::Pass;
      o.message = found ? "a " + status_ + " " + alertname_ + " notification (" + found->format +
                              ") arrived at " + common::format_rfc3339(found->received_at)
                        : "no " + status_ + " " + alerting::selector_text(alertname_, labels_) +
                              " notification arrived from " + common::format_rfc3339(since) +
                              " to now; " + std::to_string(count_since) + " other notifications";
      if (found) evidence["notification"] = notification_evidence(*found);
    } else if (found) {
      o.verdict = Verdict::Pass;
      o.message = "a " + status_ + " " + alertname_ + " notification (" + found->format +
                  ") arrived at " + common::format_rfc3339(found->received_at) + ", " +
                  alerting::relative_text(context, found->received_at);
      evidence["received_at"] = common::format_rfc3339(found->received_at);
      evidence["time_to_notify_s"] = alerting::seconds_between(since, found->received_at);
      // The second half of the alerting path: from the alert firing to the page arriving.
      if (found_alert->starts_at) {
        double firing_to_notified =
            alerting::seconds_between(*found_alert->starts_at, found->received_at);
        evidence["firing_to_notified_s"] = firing_to_notified;
        o.message += fmt::format(" ({:.3f}s after it fired)", firing_to_notified);
      }
      evidence["notification"] = notification_evidence(*found);
    } else if (!unknown.empty()) {
      return alerting::inconclusive(
          "a " + status_ + " " + alertname_ + " notification arrived, but " + unknown, evidence);
    } else {
      o.verdict = Verdict::Fail;
      o.message = "no " + status_ + " " + alerting::selector_text(alertname_, labels_) +
                  " notification" + (format_ ? " (" + *format_ + ")" : "") +
                  " of a new alert since " + alerting::detection_start_text(context) + "; " +
                  std::to_string(count_since) + " other notifications arrived since";
      if (!pre_existing.empty()) {
        o.message += "; " + std::to_string(pre_existing.size()) +
                     " matching ones since are of an alert already active before (" +
                     pre_existing[0]["why"].get<std::string>() + ")";
      }
      if (earlier > 0) {
        o.message += ", " + std::to_string(earlier) + " matching ones before (they do not count)";
      }
      if (rejected > 0) {
        std::string why;
        for (const auto& r : reasons) why += (why.empty() ? "" : "; ") + r;
        o.message += "; " + std::to_string(rejected) + " requests were rejected (" + why +
                     "): check the sender against integrations.receiver";
      }
      evidence["received_since"] = std::move(received_since);
      evidence["received_since_count"] = count_since;
      evidence["matching_before"] = earlier;
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  bool matches(const local::Notification& n, const local::ReceivedAlert& a) const {
    return (!format_ || n.format == *format_) && a.alertname == alertname_ && a.status == status_ &&
           alerting::labels_match(a.labels, labels_);
  }

  // Whether a matching alert in a notification after the fault is of an activation that began
  // after the baseline. Alertmanager re-sends what is still firing (on repeat_interval, and with
  // the whole group when a new alert joins it), so arriving late proves nothing by itself.
  alerting::NoveltyJudgement judge(const local::ReceivedAlert& alert, const local::Notification& n,
                                   const std::vector<local::Notification>& all,
                                   const CheckContext& context) {
    // Its resolution reached the receiver after the baseline: what fires now started afresh.
    for (const auto& earlier : all) {
      if (&earlier == &n) break;
      if (!baseline_.taken || earlier.received_at <= baseline_.taken_at) continue;
      for (const auto& a : earlier.alerts) {
        // Without a startsAt a late resolved notice of an older activation cannot be told from
        // the end of the one that was active at the baseline.
        if (a.alertname == alert.alertname && a.status == "resolved" && a.labels == alert.labels &&
            alert.starts_at && *alert.starts_at > alerting::detection_start(context)) {
          return {alerting::Novelty::New, ""};
        }
      }
    }
    return alerting::judge_novelty(baseline_, alert.labels, alert.starts_at, context, [&] {
      return alerting::prometheus_alerts_now(prometheus_.get(), baseline_);
    });
  }

  std::string alertname_;
  json labels_ = json::object();
  std::string status_;
  std::optional<std::string> format_;
  bool absent_ = false;
  alerting::AlertBaseline baseline_;
  std::optional<WallClock::time_point> last_poll_;
  std::unique_ptr<clients::AlertmanagerClient> alertmanager_;
  std::unique_ptr<clients::PrometheusClient> prometheus_;
};

}  // namespace

CheckKind receiver_notification_check_kind() {
  using common::FieldSpec;
  return {"receiver.notification",
          "Expects a notification for an alert at firedrill's own receiver (integrations.receiver)",
          "a notification counts only when it arrived after the most recent fault (after the "
          "drill start when there was none) and is of an alert that was not active just before "
          "it: its startsAt (Alertmanager, Grafana) is after the fault, and the alert was not "
          "firing in an earlier notification without a resolved one since, nor active in "
          "integrations.alertmanager or pending or firing in integrations.prometheus, where "
          "the drill has them. When that cannot be told the poll is inconclusive. expect: absent "
          "fails on any matching notification received since the previous poll (or the window "
          "start), new or re-sent",
          {{
              FieldSpec{"alertname", FieldType::String, true, "the alert it must be about", {}, {}},
              alerting::labels_field(
                  "labels the alert must have (Slack and SNS notifications carry only what their "
                  "text names: alertname, and for CloudWatch alarms state and region)"),
              FieldSpec{"status",
                        FieldType::String,
                        false,
                        "firing, or resolved",
                        {"firing", "resolved"},
                        "firing"},
              FieldSpec{"format",
                        FieldType::String,
                        false,
                        "only notifications in this format count",
                        {"alertmanager", "grafana", "slack", "sns"},
                        {}},
              alerting::expect_field("present: a notification of a new alert must arrive; absent: "
                                     "none may, e.g. to prove a silence, an inhibit rule or a "
                                     "quiet route keeps the page away"),
          }},
          [](const common::Params& p) { return std::make_unique<ReceiverNotificationCheck>(p); }};
}

}  // namespace firedrill::validators
