#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "common/errors.hpp"
#include "common/rfc3339.hpp"
#include "local/local_services.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {

namespace {

using common::FieldSpec;
using common::FieldType;
using nlohmann::json;

// What kubectl shows of a pod, for a drill's local services: state, readiness, restarts and why
// the processes ended. Terminations and restarts count only after the most recent fault (the
// drill start when there was none), so a replica that crashed earlier proves nothing.
class ServiceStatusCheck final : public Check {
 public:
  explicit ServiceStatusCheck(const common::Params& p)
      : service_(p.at("service").get<std::string>()) {
    if (p.contains("replicas")) replicas_ = p.at("replicas").get<std::vector<int>>();
    if (p.contains("state")) state_ = p.at("state").get<std::string>();
    if (p.contains("terminated")) terminated_ = p.at("terminated").get<std::string>();
    if (p.contains("restarts")) restarts_ = p.at("restarts").get<int>();
    if (p.contains("ready")) ready_ = p.at("ready").get<int>();
    if (!state_ && !terminated_ && !restarts_ && !ready_) {
      throw common::ValueError("give at least one of state, terminated, restarts, ready");
    }
    if (restarts_ && *restarts_ < 1) throw common::ValueError("restarts: must be at least 1");
    if (ready_ && *ready_ < 0) throw common::ValueError("ready: must be 0 or more");
  }

  std::string describe() const override {
    std::vector<std::string> wants;
    if (state_) wants.push_back("state " + *state_);
    if (terminated_) wants.push_back("terminated " + *terminated_);
    if (restarts_) wants.push_back(fmt::format("restarts +{}", *restarts_));
    if (ready_) wants.push_back(fmt::format("{} ready", *ready_));
    return fmt::format(
        "service {}{}: {}", service_,
        replicas_.empty() ? "" : fmt::format(" replicas {}", fmt::join(replicas_, ",")),
        fmt::join(wants, ", "));
  }

  Observation observe(const CheckContext& context) override {
    if (!context.services || !context.services->has_service(service_)) {
      throw std::runtime_error("the drill has no service `" + service_ + "` in its `services:`");
    }
    const auto since = alerting::detection_start(context);
    std::vector<local::ReplicaStatus> all = context.services->status(service_);
    json replicas = json::array();
    int ready = 0, restarts_since = 0;
    std::vector<std::string> states;
    std::optional<local::Termination> matching;
    std::vector<std::string> reasons_since;
    for (const auto& r : all) {
      if (!replicas_.empty() &&
          std::find(replicas_.begin(), replicas_.end(), r.index) == replicas_.end()) {
        continue;
      }
      replicas.push_back(r.to_json());
      if (r.ready) ++ready;
      states.push_back(fmt::format("{}={}", r.index, local::to_string(r.state)));
      int ended_since = 0;
      for (const auto& t : r.terminations) {
        if (t.at <= since) continue;
        ++ended_since;
        reasons_since.emplace_back(local::to_string(t.reason));
        if (terminated_ && local::to_string(t.reason) == *terminated_ && !matching) matching = t;
      }
      // A replica that ended after the fault and has not started again has not restarted yet.
      bool waiting = r.state != local::ReplicaState::Running && ended_since > 0;
      restarts_since += ended_since - (waiting ? 1 : 0);
    }
    if (replicas.empty()) {
      throw std::runtime_error(
          fmt::format("service `{}` has no replica {}", service_, fmt::join(replicas_, ", ")));
    }

    std::vector<std::string> missing;
    if (state_) {
      bool all_in_state = std::all_of(replicas.begin(), replicas.end(), [&](const json& r) {
        return r.value("state", "") == *state_;
      });
      if (!all_in_state)
        missing.push_back(fmt::format("state {} (now {})", *state_, fmt::join(states, " ")));
    }
    if (terminated_ && !matching) {
      missing.push_back(fmt::format(
          "a termination {} (since then: {})", *terminated_,
          reasons_since.empty() ? "none" : fmt::format("{}", fmt::join(reasons_since, ", "))));
    }
    if (restarts_ && restarts_since < *restarts_) {
      missing.push_back(fmt::format("{} restarts (saw {})", *restarts_, restarts_since));
    }
    if (ready_ && ready < *ready_) {
      missing.push_back(fmt::format("{} ready (saw {})", *ready_, ready));
    }

    Observation o;
    o.evidence = {{"since", alerting::detection_start_evidence(context)},
                  {"replicas", replicas},
                  {"ready", ready},
                  {"restarts_since", restarts_since}};
    if (matching) o.evidence["termination"] = matching->to_json();
    if (missing.empty()) {
      o.verdict = Verdict::Pass;
      o.message = fmt::format("{} ready, {} restarts since {}", ready, restarts_since,
                              alerting::detection_start_text(context));
      if (matching) {
        o.message += fmt::format("; {} at {} ({})", local::to_string(matching->reason),
                                 common::format_rfc3339(matching->at),
                                 alerting::relative_text(context, matching->at));
      }
    } else {
      o.verdict = Verdict::Fail;
      o.message = fmt::format("wanted {}", fmt::join(missing, "; "));
    }
    return o;
  }

 private:
  std::string service_;
  std::vector<int> replicas_;
  std::optional<std::string> state_;
  std::optional<std::string> terminated_;
  std::optional<int> restarts_;
  std::optional<int> ready_;
};

}  // namespace

CheckKind service_status_check_kind() {
  return {
      "service.status",
      "Expects a state, readiness, restarts or a termination reason of a local service",
      "terminations and restarts count only after the most recent fault (after the drill "
      "start when there was none)",
      {{
          FieldSpec{"service",
                    FieldType::String,
                    true,
                    "a service of the drill's `services:` block",
                    {},
                    {}},
          FieldSpec{"replicas",
                    FieldType::IntegerList,
                    false,
                    "replica indices, from 0; default: every replica",
                    {},
                    {}},
          FieldSpec{"state",
                    FieldType::String,
                    false,
                    "every replica is in this state",
                    {"running", "waiting", "stopped", "exited"},
                    {}},
          FieldSpec{"terminated",
                    FieldType::String,
                    false,
                    "a replica ended for this reason",
                    {"OOMKilled", "Error", "Killed", "Completed"},
                    {}},
          FieldSpec{"restarts",
                    FieldType::Integer,
                    false,
                    "the replicas restarted at least this many times in all",
                    {},
                    {}},
          FieldSpec{
              "ready", FieldType::Integer, false, "at least this many replicas are ready", {}, {}},
      }},
      [](const common::Params& p) { return std::make_unique<ServiceStatusCheck>(p); }};
}

}  // namespace firedrill::validators
