#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/exit_code.hpp"
#include "loadgen/load_stats.hpp"

namespace firedrill::reporters {

enum class EventType {
  DrillStart,
  ReceiverStarted,
  ServicesStarted,
  StepStart,
  StepEnd,
  LoadEnd,
  DryRun,  // a line of what a fault would change
  FaultInjected,
  FaultFailed,
  FaultReverted,
  FaultRevertFailed,
  CheckPassed,
  CheckFailed,
  ThresholdFailed,
  JournalFailed,
  Aborted,
  ServicesStopped,
  DrillEnd,
};

enum class WindowKind { Eventually, Consistently };

// Pending until the check's window decides it; observers see pending checks while they run.
enum class CheckVerdict { Pending, Passed, Failed, Inconclusive };

enum class RunVerdict { Passed, Failed, Aborted, RevertFailed };

// The names the run result document and the reports use: "fault_injected", "eventually",
// "inconclusive", "revert_failed"...
std::string to_string(EventType type);
std::string to_string(WindowKind window);
std::string to_string(CheckVerdict verdict);
std::string to_string(RunVerdict verdict);
// The inverse of to_string. Throws std::invalid_argument, naming the known names, for any other:
// a result this build does not understand is never rendered as something else.
EventType parse_event_type(std::string_view name);
WindowKind parse_window_kind(std::string_view name);
CheckVerdict parse_check_verdict(std::string_view name);
RunVerdict parse_run_verdict(std::string_view name);

// Everything a drill produced; the only thing reporters read. Times are seconds from the start
// of the drill unless named otherwise.
struct TimelineEvent {
  double at_s = 0;
  EventType type = EventType::DrillStart;
  std::string name;    // the step, fault or check it concerns
  std::string detail;  // one human line
};

struct CheckResult {
  std::string step;         // name of the validate step
  std::string kind;         // e.g. "http"
  std::string description;  // the check's describe()
  WindowKind window = WindowKind::Eventually;
  double window_s = 0;
  CheckVerdict verdict = CheckVerdict::Pending;
  std::string message;  // what the last poll concluded
  nlohmann::json evidence = nlohmann::json::object();
  std::optional<double> time_to_detect_s;  // eventually: from when the last fault began
  double started_s = 0;
  double ended_s = 0;
  int polls = 0;
};

struct ThresholdResult {
  std::string metric;      // e.g. "http.latency.p99"
  std::string expression;  // as written, e.g. "< 500ms"
  std::string profile;     // empty: all load of the drill
  double observed = 0;     // in the metric's base unit (seconds, ratio, req/s)
  std::string observed_text;
  bool passed = false;
};

struct FaultResult {
  std::string step;
  std::string kind;
  std::string description;
  double injected_s = 0;
  std::optional<double> reverted_s;
  bool revert_failed = false;
  std::string error;
};

struct LoadRun {
  std::string profile;
  std::string step;
  double started_s = 0;
  loadgen::LoadResult result;
};

struct RunResult {
  std::string drill_name;
  std::string drill_file;
  std::string run_id;
  std::string started_at;  // ISO 8601, UTC
  double duration_s = 0;
  // Aborted until the Runner decides: a result nobody finished never reads as a pass.
  RunVerdict verdict = RunVerdict::Aborted;
  common::ExitCode exit_code = common::kExitAborted;
  std::string abort_reason;
  std::vector<TimelineEvent> timeline;
  std::vector<CheckResult> checks;
  std::vector<ThresholdResult> thresholds;
  std::vector<FaultResult> faults;
  std::vector<LoadRun> loads;
};

// The versioned document of docs/run-result.md; contains the load histograms so results merge.
constexpr const char* kRunResultSchema = "firedrill/run-result/v1";
nlohmann::json to_json(const RunResult& result);
// Throws std::invalid_argument on another schema or a malformed document.
RunResult run_result_from_json(const nlohmann::json& doc);

}  // namespace firedrill::reporters
