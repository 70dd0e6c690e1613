#include "scenarios/run_verdict.hpp"

#include <chrono>

namespace firedrill::scenarios {

namespace {

common::ExitCode exit_code_of(reporters::RunVerdict verdict) {
  switch (verdict) {
    case reporters::RunVerdict::Passed:
      return common::kExitOk;
    case reporters::RunVerdict::Failed:
      return common::kExitFailed;
    case reporters::RunVerdict::RevertFailed:
      return common::kExitRevertFailed;
    case reporters::RunVerdict::Aborted:
      break;
  }
  return common::kExitAborted;
}

}  // namespace

reporters::CheckVerdict check_verdict(validators::CheckState state) {
  switch (state) {
    case validators::CheckState::Pending:
      return reporters::CheckVerdict::Pending;
    case validators::CheckState::Passed:
      return reporters::CheckVerdict::Passed;
    case validators::CheckState::Inconclusive:
      return reporters::CheckVerdict::Inconclusive;
    case validators::CheckState::Failed:
      break;
  }
  return reporters::CheckVerdict::Failed;
}

reporters::WindowKind window_kind(validators::WindowKind kind) {
  return kind == validators::WindowKind::Eventually ? reporters::WindowKind::Eventually
                                                    : reporters::WindowKind::Consistently;
}

void record_window_check(const validators::WindowCheck& window_check, double now_s,
                         reporters::CheckResult& result) {
  result.verdict = check_verdict(window_check.state);
  result.polls = window_check.polls;
  result.message = window_check.observation.message;
  result.evidence = window_check.observation.evidence;
  result.ended_s = now_s;
  result.time_to_detect_s.reset();
  if (window_check.time_to_detect) {
    result.time_to_detect_s = std::chrono::duration<double>(*window_check.time_to_detect).count();
  }
}

void decide_run_verdict(const RunEnding& ending, reporters::RunResult& result) {
  using reporters::CheckVerdict;
  using reporters::RunVerdict;
  bool revert_failed = false;
  for (const auto& f : result.faults) revert_failed = revert_failed || f.revert_failed;
  bool failed = false;
  bool inconclusive = false;
  for (const auto& c : result.checks) {
    failed = failed || c.verdict == CheckVerdict::Failed;
    inconclusive = inconclusive || c.verdict == CheckVerdict::Inconclusive;
  }
  for (const auto& t : result.thresholds) failed = failed || !t.passed;
  if (revert_failed) {
    result.verdict = RunVerdict::RevertFailed;
  } else if (ending.interrupted || ending.infrastructure_error || (inconclusive && !failed)) {
    result.verdict = RunVerdict::Aborted;
  } else if (failed || !ending.abort_reason.empty()) {
    result.verdict = RunVerdict::Failed;
  } else {
    result.verdict = RunVerdict::Passed;
  }
  result.exit_code = exit_code_of(result.verdict);
  result.abort_reason = ending.abort_reason;
  if (result.abort_reason.empty() && inconclusive && !failed) {
    result.abort_reason = "a check could not reach a verdict";
  }
}

}  // namespace firedrill::scenarios
