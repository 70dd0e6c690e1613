#include <stdexcept>
#include <string>
#include <string_view>

#include "reporters/run_result.hpp"

namespace firedrill::reporters {

namespace {

template <typename Enum>
struct Named {
  Enum value;
  const char* name;
};

constexpr Named<EventType> kEventTypes[] = {
    {EventType::DrillStart, "drill_start"},
    {EventType::ReceiverStarted, "receiver_started"},
    {EventType::ServicesStarted, "services_started"},
    {EventType::StepStart, "step_start"},
    {EventType::StepEnd, "step_end"},
    {EventType::LoadEnd, "load_end"},
    {EventType::DryRun, "dry_run"},
    {EventType::FaultInjected, "fault_injected"},
    {EventType::FaultFailed, "fault_failed"},
    {EventType::FaultReverted, "fault_reverted"},
    {EventType::FaultRevertFailed, "fault_revert_failed"},
    {EventType::CheckPassed, "check_passed"},
    {EventType::CheckFailed, "check_failed"},
    {EventType::ThresholdFailed, "threshold_failed"},
    {EventType::JournalFailed, "journal_failed"},
    {EventType::Aborted, "aborted"},
    {EventType::ServicesStopped, "services_stopped"},
    {EventType::DrillEnd, "drill_end"},
};
constexpr Named<WindowKind> kWindowKinds[] = {
    {WindowKind::Eventually, "eventually"},
    {WindowKind::Consistently, "consistently"},
};
constexpr Named<CheckVerdict> kCheckVerdicts[] = {
    {CheckVerdict::Passed, "passed"},
    {CheckVerdict::Failed, "failed"},
    {CheckVerdict::Inconclusive, "inconclusive"},
    {CheckVerdict::Pending, "pending"},
};
constexpr Named<RunVerdict> kRunVerdicts[] = {
    {RunVerdict::Passed, "passed"},
    {RunVerdict::Failed, "failed"},
    {RunVerdict::Aborted, "aborted"},
    {RunVerdict::RevertFailed, "revert_failed"},
};

template <typename Enum, size_t N>
std::string name_in(const Named<Enum> (&names)[N], Enum value) {
  for (const auto& n : names) {
    if (n.value == value) return n.name;
  }
  throw std::logic_error("no name for value " + std::to_string(static_cast<int>(value)));
}

// `what` names the field for the message, e.g. "verdict".
template <typename Enum, size_t N>
Enum value_in(const Named<Enum> (&names)[N], std::string_view name, const char* what) {
  std::string known;
  for (size_t i = 0; i < N; ++i) {
    if (names[i].name == name) return names[i].value;
    known += std::string(i == 0 ? "" : i + 1 == N ? " or " : ", ") + names[i].name;
  }
  throw std::invalid_argument("unknown " + std::string(what) + " \"" + std::string(name) +
                              "\" (expected " + known + ")");
}

}  // namespace

std::string to_string(EventType type) {
  return name_in(kEventTypes, type);
}

std::string to_string(WindowKind window) {
  return name_in(kWindowKinds, window);
}

std::string to_string(CheckVerdict verdict) {
  return name_in(kCheckVerdicts, verdict);
}

std::string to_string(RunVerdict verdict) {
  return name_in(kRunVerdicts, verdict);
}

EventType parse_event_type(std::string_view name) {
  return value_in(kEventTypes, name, "event type");
}

WindowKind parse_window_kind(std::string_view name) {
  return value_in(kWindowKinds, name, "window");
}

CheckVerdict parse_check_verdict(std::string_view name) {
  return value_in(kCheckVerdicts, name, "verdict");
}

RunVerdict parse_run_verdict(std::string_view name) {
  return value_in(kRunVerdicts, name, "verdict");
}

}  // namespace firedrill::reporters
