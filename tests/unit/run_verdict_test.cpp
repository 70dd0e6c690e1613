// The drill's verdict and exit code (DESIGN.md, exit codes) from its checks, thresholds, reverts
// and how it ended.
#include "scenarios/run_verdict.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace firedrill::scenarios {
namespace {

using reporters::CheckVerdict;
using reporters::RunVerdict;
using Outcome = std::pair<RunVerdict, common::ExitCode>;

reporters::RunResult with_checks(std::initializer_list<CheckVerdict> verdicts) {
  reporters::RunResult r;
  for (CheckVerdict v : verdicts) {
    reporters::CheckResult c;
    c.verdict = v;
    r.checks.push_back(c);
  }
  return r;
}

reporters::RunResult decided(reporters::RunResult r, const RunEnding& ending = {}) {
  decide_run_verdict(ending, r);
  return r;
}

Outcome outcome(const reporters::RunResult& r) {
  return {r.verdict, r.exit_code};
}

TEST(RunVerdict, PassesOnlyWhenNothingFailed) {
  reporters::RunResult passed = decided(with_checks({CheckVerdict::Passed, CheckVerdict::Passed}));
  EXPECT_EQ(outcome(passed), Outcome(RunVerdict::Passed, common::kExitOk));
  EXPECT_EQ(passed.abort_reason, "");
  EXPECT_EQ(outcome(decided(with_checks({CheckVerdict::Passed, CheckVerdict::Failed}))),
            Outcome(RunVerdict::Failed, common::kExitFailed));
  reporters::RunResult threshold = with_checks({CheckVerdict::Passed});
  threshold.thresholds.push_back({"http.errors.rate", "< 1%", "", 0.02, "2%", false});
  EXPECT_EQ(outcome(decided(threshold)), Outcome(RunVerdict::Failed, common::kExitFailed));
  // An abort threshold stops the run early; the run failed, it was not aborted.
  reporters::RunResult stopped =
      decided(with_checks({CheckVerdict::Passed}), {false, false, "threshold failed"});
  EXPECT_EQ(outcome(stopped), Outcome(RunVerdict::Failed, common::kExitFailed));
  EXPECT_EQ(stopped.abort_reason, "threshold failed");
}

TEST(RunVerdict, InconclusiveAbortsUnlessSomethingFailed) {
  reporters::RunResult r = decided(with_checks({CheckVerdict::Passed, CheckVerdict::Inconclusive}));
  EXPECT_EQ(outcome(r), Outcome(RunVerdict::Aborted, common::kExitAborted));
  EXPECT_EQ(r.abort_reason, "a check could not reach a verdict");
  r = decided(with_checks({CheckVerdict::Failed, CheckVerdict::Inconclusive}));
  EXPECT_EQ(outcome(r), Outcome(RunVerdict::Failed, common::kExitFailed));
  EXPECT_EQ(r.abort_reason, "");
}

TEST(RunVerdict, InterruptionsAndInfrastructureErrorsAbort) {
  reporters::RunResult r =
      decided(with_checks({CheckVerdict::Failed}), {true, false, "interrupted by SIGINT"});
  EXPECT_EQ(outcome(r), Outcome(RunVerdict::Aborted, common::kExitAborted));
  EXPECT_EQ(r.abort_reason, "interrupted by SIGINT");
  EXPECT_EQ(outcome(decided(with_checks({}), {false, true, "cannot write the revert journal"})),
            Outcome(RunVerdict::Aborted, common::kExitAborted));
}

TEST(RunVerdict, AFailedRevertOutweighsEverything) {
  reporters::RunResult r = with_checks({CheckVerdict::Inconclusive});
  r.faults.push_back({"kill", "kube.oom", "", 1, std::nullopt, true, "forbidden"});
  EXPECT_EQ(outcome(decided(r, {true, true, "interrupted by SIGTERM"})),
            Outcome(RunVerdict::RevertFailed, common::kExitRevertFailed));
}

TEST(RunVerdict, ValidatorStatesMapOnce) {
  EXPECT_EQ(check_verdict(validators::CheckState::Pending), CheckVerdict::Pending);
  EXPECT_EQ(check_verdict(validators::CheckState::Passed), CheckVerdict::Passed);
  EXPECT_EQ(check_verdict(validators::CheckState::Failed), CheckVerdict::Failed);
  EXPECT_EQ(check_verdict(validators::CheckState::Inconclusive), CheckVerdict::Inconclusive);
  EXPECT_EQ(window_kind(validators::WindowKind::Consistently), reporters::WindowKind::Consistently);
}

}  // namespace
}  // namespace firedrill::scenarios
