#include <fmt/format.h>

#include <memory>
#include <optional>

#include "clients/notification_receiver.hpp"
#include "clients/rfc3339.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
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
json notification_evidence(const clients::Notification& n) {
  json out = n.to_json();
  std::string payload = n.payload.dump();
  if (payload.size() > kMaxPayloadShown) {
    out["payload"] = common::excerpt(payload, kMaxPayloadShown);
    out["payload_truncated"] = true;
  }
  return out;
}

json notification_summary(const clients::Notification& n) {
  return {{"received_at", clients::format_rfc3339(n.received_at)},
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
  }

  std::string describe() const override {
    return "a " + status_ + " " + alerting::selector_text(alertname_, labels_) + " notification" +
           (format_ ? " (" + *format_ + ")" : "") + " reaches the receiver";
  }

  Observation observe(const CheckContext& context) override {
    if (!context.receiver) {
      return alerting::inconclusive("no receiver configured: add integrations.receiver");
    }
    const auto since = alerting::detection_start(context);
    json evidence = {{"receiver", context.receiver->address()},
                     {"since", alerting::detection_start_evidence(context)}};
    const clients::Notification* found = nullptr;
    std::size_t earlier = 0;
    json received_since = json::array();
    std::size_t count_since = 0;
    std::vector<clients::Notification> all = context.receiver->notifications();
    for (const auto& n : all) {
      bool fresh = n.received_at > since;
      if (fresh) {
        ++count_since;
        if (received_since.size() < kMaxNotificationsShown) {
          received_since.push_back(notification_summary(n));
        }
      }
      if (!matching_alert(n)) continue;
      if (!fresh) {
        ++earlier;
      } else if (!found) {
        found = &n;
      }
    }

    Observation o;
    if (found) {
      o.verdict = Verdict::Pass;
      o.message = "a " + status_ + " " + alertname_ + " notification (" + found->format +
                  ") arrived at " + clients::format_rfc3339(found->received_at) + ", " +
                  alerting::relative_text(context, found->received_at);
      evidence["received_at"] = clients::format_rfc3339(found->received_at);
      evidence["time_to_notify_s"] = alerting::seconds_between(since, found->received_at);
      // The second half of the alerting path: from the alert firing to the page arriving.
      if (const clients::ReceivedAlert* alert = matching_alert(*found); alert && alert->starts_at) {
        double firing_to_notified =
            alerting::seconds_between(*alert->starts_at, found->received_at);
        evidence["firing_to_notified_s"] = firing_to_notified;
        o.message += fmt::format(" ({:.3f}s after it fired)", firing_to_notified);
      }
      evidence["notification"] = notification_evidence(*found);
    } else {
      o.verdict = Verdict::Fail;
      o.message = "no " + status_ + " " + alerting::selector_text(alertname_, labels_) +
                  " notification" + (format_ ? " (" + *format_ + ")" : "") + " since " +
                  alerting::detection_start_text(context) + "; " + std::to_string(count_since) +
                  " other notifications arrived since";
      if (earlier > 0) {
        o.message += ", " + std::to_string(earlier) + " matching ones before (they do not count)";
      }
      evidence["received_since"] = std::move(received_since);
      evidence["received_since_count"] = count_since;
      evidence["matching_before"] = earlier;
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  const clients::ReceivedAlert* matching_alert(const clients::Notification& n) const {
    if (format_ && n.format != *format_) return nullptr;
    for (const auto& a : n.alerts) {
      if (a.alertname == alertname_ && a.status == status_ &&
          alerting::labels_match(a.labels, labels_)) {
        return &a;
      }
    }
    return nullptr;
  }

  std::string alertname_;
  json labels_ = json::object();
  std::string status_;
  std::optional<std::string> format_;
};

}  // namespace

CheckKind receiver_notification_check_kind() {
  using common::FieldSpec;
  return {"receiver.notification",
          "Expects a notification for an alert at firedrill's own receiver (integrations.receiver)",
          "only notifications received after the most recent fault (after the drill start when "
          "there was none) count",
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
          }},
          [](const common::Params& p) { return std::make_unique<ReceiverNotificationCheck>(p); }};
}

}  // namespace firedrill::validators
