#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/load_stats.hpp"

namespace firedrill::reporters {

// Everything a drill produced; the only thing reporters read. Times are seconds from the start
// of the drill unless named otherwise.
struct TimelineEvent {
  double at_s = 0;
  // drill_start, receiver_started, services_started, step_start, step_end, load_end,
  // fault_injected, fault_failed, fault_reverted, fault_revert_failed, check_passed,
  // check_failed, threshold_failed, journal_failed, aborted, services_stopped, drill_end
  std::string type;
  std::string name;    // the step, fault or check it concerns
  std::string detail;  // one human line
};

struct CheckResult {
  std::string step;         // name of the validate step
  std::string kind;         // e.g. "http"
  std::string description;  // the check's describe()
  std::string window;       // "eventually" or "consistently"
  double window_s = 0;
  std::string verdict;  // "passed", "failed", "inconclusive"
  std::string message;  // what the last poll concluded
  nlohmann::json evidence = nlohmann::json::object();
  std::optional<double> time_to_detect_s;  // eventually: from the most recent fault injection
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
  std::string verdict;  // "passed", "failed", "aborted", "revert_failed"
  int exit_code = 0;
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
