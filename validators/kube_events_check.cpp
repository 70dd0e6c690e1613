#include <map>
#include <optional>
#include <regex>

#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/kube_check_support.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr std::size_t kEventsInEvidence = 10;

// When an event last happened: lastTimestamp for core/v1 events, series.lastObservedTime or
// eventTime for those written through events.k8s.io.
std::string last_seen(const json& e) {
  for (const auto* pointer : {"/series/lastObservedTime", "/lastTimestamp", "/eventTime",
                              "/metadata/creationTimestamp"}) {
    json::json_pointer ptr(pointer);
    if (e.contains(ptr) && e.at(ptr).is_string() && !e.at(ptr).get<std::string>().empty()) {
      return e.at(ptr).get<std::string>();
    }
  }
  return {};
}

// What says an event happened again: its count (core/v1), its series (events.k8s.io) and when.
std::string occurrence(const json& e) {
  return std::to_string(e.value("count", 0)) + "/" +
         std::to_string(e.value("/series/count"_json_pointer, 0)) + "/" + last_seen(e);
}

// Events of a namespace by involved object, reason, type and message, that happened after the
// fault: Killing, BackOff, FailedScheduling, SuccessfulRescale, TriggeredScaleUp...
class KubeEventsCheck final : public Check {
 public:
  explicit KubeEventsCheck(const common::Params& p)
      : namespace_(p.at("namespace").get<std::string>()),
        min_count_(p.at("minCount").get<int64_t>()) {
    if (namespace_.empty()) throw ValueError("namespace: must not be empty");
    auto optional_text = [&](const char* key) {
      return p.contains(key) ? p.at(key).get<std::string>() : std::string();
    };
    reason_ = optional_text("reason");
    type_ = optional_text("type");
    kind_ = optional_text("kind");
    name_ = optional_text("name");
    if (p.contains("message")) {
      pattern_text_ = p.at("message").get<std::string>();
      try {
        pattern_ = common::compile_regex(pattern_text_);
      } catch (const ValueError& e) {
        throw ValueError(std::string("message: ") + e.what());
      }
    }
    if (reason_.empty() && kind_.empty() && name_.empty() && !pattern_) {
      throw ValueError("reason: give at least one of reason, kind, name or message");
    }
    if (min_count_ < 1) throw ValueError("minCount: must be at least 1");
  }

  std::string describe() const override {
    return "events " + field_selector() + (pattern_ ? " message ~ /" + pattern_text_ + "/" : "") +
           " in namespace " + namespace_ + " since the fault";
  }

  // Timestamps are whole seconds: an event of the fault's second may be older than the fault.
  // The events as they stand just before it tell: one that is there unchanged is old.
  void note_baseline(const CheckContext& context) override {
    baseline_.reset();
    baseline_error_.clear();
    std::string error;
    auto listed = list(context, error);
    if (!listed) {
      baseline_error_ = error;
      return;
    }
    baseline_.emplace();
    for (const auto& e : *listed) (*baseline_)[kube::identity(e)] = occurrence(e);
  }

  Observation observe(const CheckContext& context) override {
    const auto since = alerting::detection_start(context);
    json evidence = {{"namespace", namespace_},
                     {"fieldSelector", field_selector()},
                     {"since", alerting::detection_start_evidence(context)}};
    if (pattern_) evidence["message_pattern"] = pattern_text_;
    if (baseline_) {
      evidence["baseline_events"] = baseline_->size();
    } else if (!baseline_error_.empty()) {
      evidence["baseline_error"] = common::excerpt(baseline_error_, 300);
    }
    std::string list_error;
    auto listed = list(context, list_error);
    if (!listed) return alerting::inconclusive(list_error, evidence);
    const std::vector<json>& events = *listed;
    json fresh = json::array();
    int64_t old = 0, matching = 0;
    std::optional<WallClock::time_point> first;
    for (const auto& e : events) {
      std::string message = e.value("message", "");
      if (pattern_ && !std::regex_search(message, *pattern_)) continue;
      std::string seen = last_seen(e);
      if (!kube::at_or_after(seen, since) || unchanged_since_baseline(e)) {
        ++old;
        continue;
      }
      ++matching;
      auto at = kube::parse_time(seen);
      if (at && (!first || *at < *first)) first = at;
      if (fresh.size() < kEventsInEvidence) {
        fresh.push_back(
            {{"object", e.value("/involvedObject/kind"_json_pointer, std::string()) + "/" +
                            e.value("/involvedObject/name"_json_pointer, std::string())},
             {"reason", e.value("reason", "")},
             {"type", e.value("type", "")},
             {"message", common::excerpt(message, 300)},
             {"count", e.value("count", 1)},
             {"lastSeen", seen},
             {"source", e.value("/source/component"_json_pointer, std::string())}});
      }
    }
    evidence["events"] = fresh;
    evidence["events_before_fault"] = old;
    Observation o;
    if (matching >= min_count_) {
      o.verdict = Verdict::Pass;
      o.message = std::to_string(matching) + " matching event(s) since " +
                  alerting::detection_start_text(context) + ", e.g. " +
                  fresh[0]["object"].get<std::string>() + " " +
                  fresh[0]["reason"].get<std::string>() + ": " +
                  fresh[0]["message"].get<std::string>();
      if (first) evidence["time_to_event_s"] = alerting::seconds_between(since, *first);
    } else {
      o.verdict = Verdict::Fail;
      o.message = std::to_string(matching) + " matching event(s) since " +
                  alerting::detection_start_text(context) + ", " + std::to_string(min_count_) +
                  " needed" +
                  (old ? " (" + std::to_string(old) + " older ones: pre-existing)" : "");
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  std::optional<std::vector<json>> list(const CheckContext& context, std::string& error) {
    clients::KubeClient* client = slot_.get(context, &error);
    if (!client) return std::nullopt;
    clients::KubeListOptions by_fields;
    by_fields.field_selector = field_selector();
    return kube::list_or_error(*client, clients::core_resource("events", namespace_), by_fields,
                               error);
  }

  bool unchanged_since_baseline(const json& e) const {
    if (!baseline_) return false;
    auto it = baseline_->find(kube::identity(e));
    return it != baseline_->end() && it->second == occurrence(e);
  }

  std::string field_selector() const {
    std::string s;
    auto add = [&s](const std::string& field, const std::string& value) {
      if (!value.empty()) s += (s.empty() ? "" : ",") + field + "=" + value;
    };
    add("involvedObject.kind", kind_);
    add("involvedObject.name", name_);
    add("reason", reason_);
    add("type", type_);
    return s;
  }

  std::string namespace_;
  int64_t min_count_;
  std::string reason_;
  std::string type_;
  std::string kind_;
  std::string name_;
  std::string pattern_text_;
  std::optional<std::regex> pattern_;
  kube::ClientSlot slot_;
  // Each event just before the fault (or the drill start), by uid (else name): its occurrence.
  std::optional<std::map<std::string, std::string>> baseline_;
  std::string baseline_error_;
};

}  // namespace

CheckKind kube_events_check_kind() {
  using common::FieldSpec;
  return {
      "kube.events",
      "Expects Kubernetes events (Killing, BackOff, SuccessfulRescale...) after the fault",
      "an event counts when it last happened (lastTimestamp, series.lastObservedTime or "
      "eventTime) at or after the fault's second and is new or happened again (a higher count) "
      "since the events listed just before the fault; the others are reported as pre-existing",
      {{
          kube::namespace_field(),
          FieldSpec{"reason",
                    FieldType::String,
                    false,
                    "the event's reason, like Killing, BackOff or SuccessfulRescale",
                    {},
                    {}},
          FieldSpec{
              "type", FieldType::String, false, "Normal or Warning", {"Normal", "Warning"}, {}},
          FieldSpec{"kind",
                    FieldType::String,
                    false,
                    "the involved object's kind, like Pod or HorizontalPodAutoscaler",
                    {},
                    {}},
          FieldSpec{"name", FieldType::String, false, "the involved object's name", {}, {}},
          FieldSpec{"message",
                    FieldType::String,
                    false,
                    "a regular expression the message must contain",
                    {},
                    {}},
          FieldSpec{
              "minCount", FieldType::Integer, false, "how many matching events are needed", {}, 1},
      }},
      [](const common::Params& p) { return std::make_unique<KubeEventsCheck>(p); },
      [](const common::Params& p) -> std::vector<clients::KubeAccess> {
        using clients::KubeVerb;
        return {{"", "events", {KubeVerb::List}, p.at("namespace").get<std::string>(), {}}};
      }};
}

}  // namespace firedrill::validators
