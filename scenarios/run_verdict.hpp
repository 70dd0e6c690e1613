#pragma once
#include <string>

#include "reporters/run_result.hpp"
#include "validators/check_window.hpp"

namespace firedrill::scenarios {

// The validators' names for a check's state and window, as reports name them.
reporters::CheckVerdict check_verdict(validators::CheckState state);
reporters::WindowKind window_kind(validators::WindowKind kind);

// A check's result as its window stands at `now_s`: verdict, polls, the deciding observation and
// the time to detect.
void record_window_check(const validators::WindowCheck& window_check, double now_s,
                         reporters::CheckResult& result);

// What the Runner knows of how a run ended beyond its result.
struct RunEnding {
  bool interrupted = false;
  bool infrastructure_error = false;  // the journal, a fault's setup, a load or the local parts
  std::string abort_reason;           // empty unless something stopped the run early
};

// The drill's verdict, exit code and abort reason from its checks, thresholds and reverts and
// how it ended (DESIGN.md): a revert that failed outweighs everything, then an abort or a check
// that could not reach a verdict, then any failure.
void decide_run_verdict(const RunEnding& ending, reporters::RunResult& result);

}  // namespace firedrill::scenarios
