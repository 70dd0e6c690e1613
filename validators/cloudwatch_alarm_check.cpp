#include <algorithm>
#include <memory>
#include <set>

#include "common/errors.hpp"
#include "common/json_fields.hpp"
#include "common/rfc3339.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"
#include "validators/cloudwatch_support.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::string_field;
using common::ValueError;
using nlohmann::json;

constexpr int kMaxPages = 50;  // of 100 records each
const json kAlarmTypes = json::array({"MetricAlarm", "CompositeAlarm"});

struct Alarm {
  std::string name;
  std::string type;  // MetricAlarm | CompositeAlarm
  std::string state;
  std::string reason;
  std::optional<WallClock::time_point> since;  // when it entered its current state
};

// One StateUpdate of DescribeAlarmHistory, its HistoryData read.
struct Transition {
  std::string alarm;
  WallClock::time_point at;
  std::string old_state;
  std::string new_state;
  std::string reason;
  std::string summary;
};

class CloudWatchAlarmCheck final : public Check {
 public:
  explicit CloudWatchAlarmCheck(const common::Params& p) : params_(p) {
    if (p.contains("name")) name_ = p.at("name").get<std::string>();
    if (p.contains("prefix")) prefix_ = p.at("prefix").get<std::string>();
    if (name_.empty() == prefix_.empty()) {
      throw ValueError(
          "name or prefix: give exactly one, the alarm's name or the start of the names of the "
          "alarms to watch");
    }
    if (name_.size() > 255 || prefix_.size() > 255) {
      throw ValueError(std::string(name_.empty() ? "prefix" : "name") +
                       ": alarm names are at most 255 characters");
    }
    state_ = p.at("state").get<std::string>();
    timeout_ = common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    return "CloudWatch alarm " + target_text() + " goes to " + state_ + " after the fault";
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = aws::connect(client_, context, clients::cloudwatch_service(), params_)) {
      return *failed;
    }
    const auto since = alerting::detection_start(context);
    const auto now = WallClock::now();
    json evidence = aws::client_evidence(*client_);
    evidence["alarm"] = target_text();
    evidence["expected_state"] = state_;
    evidence["since"] = alerting::detection_start_evidence(context);

    std::vector<Alarm> alarms;
    std::vector<Transition> transitions;
    try {
      alarms = describe_alarms();
      if (!alarms.empty()) transitions = history(alarms, since, now);
    } catch (const clients::AwsError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }

    json shown = json::array();
    for (const auto& a : alarms) {
      json entry = {{"name", a.name},
                    {"type", a.type},
                    {"state", a.state},
                    {"reason", common::excerpt(a.reason, 300)}};
      if (a.since) entry["state_since"] = common::format_rfc3339(*a.since);
      shown.push_back(std::move(entry));
    }
    evidence["alarms"] = std::move(shown);
    json seen = json::array();
    for (const auto& t : transitions) {
      seen.push_back({{"alarm", t.alarm},
                      {"at", common::format_rfc3339(t.at)},
                      {"from", t.old_state},
                      {"to", t.new_state},
                      {"summary", common::excerpt(t.summary, 200)}});
    }
    evidence["transitions"] = std::move(seen);

    Observation o;
    o.verdict = Verdict::Fail;
    if (alarms.empty()) {
      o.message = "no CloudWatch alarm " + target_text() + " in " + client_->region() +
                  " (metric or composite)";
      o.evidence = std::move(evidence);
      return o;
    }
    for (const auto& t : transitions) {
      if (t.new_state != state_ || t.at < since) continue;
      o.verdict = Verdict::Pass;
      o.message = t.alarm + " went " + (t.old_state.empty() ? "" : t.old_state + " -> ") +
                  t.new_state + " at " + common::format_rfc3339(t.at) + ", " +
                  alerting::relative_text(context, t.at) + ": " + common::excerpt(t.reason, 200);
      evidence["transition_time"] = common::format_rfc3339(t.at);
      evidence["state_reason"] = t.reason;
      evidence["time_to_state_s"] = alerting::seconds_between(since, t.at);
      o.evidence = std::move(evidence);
      return o;
    }
    const Alarm* old = nullptr;
    for (const auto& a : alarms) {
      if (!old && a.state == state_) old = &a;
    }
    if (old && old->since && *old->since >= since) {
      o.message = old->name + " is " + state_ + " since " + common::format_rfc3339(*old->since) +
                  " but its history has no StateUpdate to " + state_ + " yet";
    } else if (old) {
      o.message = old->name + " is " + state_ + " but entered it " +
                  (old->since ? "at " + common::format_rfc3339(*old->since) + ", " : "") +
                  "before " + alerting::detection_start_text(context) + ", with no transition to " +
                  state_ + " since: pre-existing, it does not count as a detection";
    } else {
      const Alarm& a = alarms.front();
      o.message = "no transition of " + target_text() + " to " + state_ + " since " +
                  alerting::detection_start_text(context) + "; " + a.name + " is " + a.state +
                  (a.reason.empty() ? "" : " (" + common::excerpt(a.reason, 200) + ")");
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  std::string target_text() const { return name_.empty() ? "with prefix " + prefix_ : name_; }

  std::vector<Alarm> describe_alarms() {
    json input = {{"AlarmTypes", kAlarmTypes}, {"MaxRecords", 100}};
    if (name_.empty()) {
      input["AlarmNamePrefix"] = prefix_;
    } else {
      input["AlarmNames"] = json::array({name_});
    }
    std::vector<Alarm> alarms;
    aws::for_each_page(
        *client_, "DescribeAlarms", input, timeout_, kMaxPages, [&](const json& output) {
          for (const char* type : {"MetricAlarms", "CompositeAlarms"}) {
            if (!output.contains(type)) continue;
            for (const json& a : aws::list_field(*client_, "DescribeAlarms", output, type)) {
              if (!a.is_object() || string_field(a, "AlarmName").empty() ||
                  string_field(a, "StateValue").empty()) {
                aws::malformed(
                    *client_, "DescribeAlarms",
                    std::string("an entry of ") + type + " has no AlarmName or StateValue");
              }
              Alarm alarm{string_field(a, "AlarmName"),
                          type == std::string("MetricAlarms") ? "MetricAlarm" : "CompositeAlarm",
                          string_field(a, "StateValue"), string_field(a, "StateReason"),
                          std::nullopt};
              // StateTransitionedTimestamp is the last change of state; StateUpdatedTimestamp also
              // moves when only the reason is updated.
              for (const char* field : {"StateTransitionedTimestamp", "StateUpdatedTimestamp"}) {
                if (!alarm.since && a.contains(field)) alarm.since = aws::timestamp(a[field]);
              }
              alarms.push_back(std::move(alarm));
            }
          }
        });
    return alarms;
  }

  // Every StateUpdate of the alarms from `since` to `now`, oldest first. For a prefix the
  // history of every alarm is read and filtered here: one paginated call instead of one per alarm.
  std::vector<Transition> history(const std::vector<Alarm>& alarms, WallClock::time_point since,
                                  WallClock::time_point now) {
    std::set<std::string> names;
    for (const auto& a : alarms) names.insert(a.name);
    json input = {{"AlarmTypes", kAlarmTypes},
                  {"HistoryItemType", "StateUpdate"},
                  {"StartDate", aws::epoch_seconds(since)},
                  {"EndDate", aws::epoch_seconds(now) + 1},
                  {"ScanBy", "TimestampAscending"},
                  {"MaxRecords", 100}};
    if (!name_.empty()) input["AlarmName"] = name_;
    std::vector<Transition> transitions;
    const std::string operation = "DescribeAlarmHistory";
    aws::for_each_page(*client_, operation, input, timeout_, kMaxPages, [&](const json& output) {
      for (const json& item : aws::list_field(*client_, operation, output, "AlarmHistoryItems")) {
        if (!item.is_object()) aws::malformed(*client_, operation, "an item is not an object");
        if (!names.contains(string_field(item, "AlarmName"))) continue;
        if (string_field(item, "HistoryItemType") != "StateUpdate") continue;
        auto at = aws::timestamp(item.value("Timestamp", json()));
        json data = json::parse(string_field(item, "HistoryData"), nullptr, false);
        if (!at || !data.is_object() || !data.contains("newState") ||
            !data["newState"].is_object()) {
          aws::malformed(*client_, operation,
                         "a StateUpdate of " + string_field(item, "AlarmName") +
                             " has no Timestamp or no HistoryData with newState");
        }
        Transition t;
        t.alarm = string_field(item, "AlarmName");
        t.at = *at;
        t.new_state = string_field(data["newState"], "stateValue");
        t.reason = string_field(data["newState"], "stateReason");
        if (data.contains("oldState") && data["oldState"].is_object()) {
          t.old_state = string_field(data["oldState"], "stateValue");
        }
        t.summary = string_field(item, "HistorySummary");
        transitions.push_back(std::move(t));
      }
    });
    std::ranges::stable_sort(transitions, {}, &Transition::at);
    return transitions;
  }

  common::Params params_;
  std::string name_;
  std::string prefix_;
  std::string state_;
  common::Duration timeout_{};
  std::unique_ptr<clients::AwsJsonClient> client_;
};

}  // namespace

CheckKind cloudwatch_alarm_check_kind() {
  using common::FieldSpec;
  return {"cloudwatch.alarm",
          "Expects a CloudWatch metric or composite alarm to go to a state (ALARM, or OK for a "
          "recovery) after the fault",
          "reads the alarm's state history (DescribeAlarmHistory, StateUpdate) from the most "
          "recent fault (the drill start when there was none): only a transition to the state "
          "after it counts, so an alarm already in ALARM before does not pass, and an ALARM "
          "that came and went between two polls still does",
          {{
              FieldSpec{"name", FieldType::String, false, "the alarm's name", {}, {}},
              FieldSpec{"prefix",
                        FieldType::String,
                        false,
                        "instead of name: any alarm whose name starts with this",
                        {},
                        {}},
              FieldSpec{"state",
                        FieldType::String,
                        false,
                        "the state to go to",
                        {"ALARM", "OK", "INSUFFICIENT_DATA"},
                        "ALARM"},
              aws::region_field(),
              alerting::timeout_field(),
          }},
          [](const common::Params& p) { return std::make_unique<CloudWatchAlarmCheck>(p); }};
}

}  // namespace firedrill::validators
