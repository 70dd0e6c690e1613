#pragma once
#include <string>
#include <vector>

#include "loadgen/load_stats.hpp"
#include "reporters/run_result.hpp"

namespace firedrill::reporters {

// Counts of one kind of verdict. `other` is anything neither passed nor failed: an inconclusive
// check, or one still pending, which no report may count as a pass.
struct Tally {
  int passed = 0;
  int failed = 0;
  int other = 0;
  int total() const { return passed + failed + other; }
};

Tally tally_checks(const std::vector<CheckResult>& checks);
Tally tally_thresholds(const std::vector<ThresholdResult>& thresholds);
int revert_failures(const std::vector<FaultResult>& faults);
bool check_passed(const CheckResult& check);
bool check_failed(const CheckResult& check);

// "PASSED", "FAILED", "ABORTED", "REVERT FAILED".
std::string verdict_title(RunVerdict verdict);
// "PASSED", "FAILED", "INCONCLUSIVE", "PENDING".
std::string verdict_title(CheckVerdict verdict);
// "4 checks: 2 passed, 1 failed, 1 inconclusive; 2 thresholds: 2 passed; 1 fault not reverted"
std::string verdict_counts(const RunResult& result);
// "FAILED (exit 1)": short enough to stay one line, so that the last line of a console report
// is the whole verdict.
std::string verdict_line(const RunResult& result);

// The load runs of one profile taken together: merged counters and histograms, and the sum of
// their measured durations, so that req/s is over the time the profile actually ran.
struct ProfileSummary {
  std::string profile;
  int runs = 0;
  double duration_s = 0;
  loadgen::LoadStats stats;
  std::string unreachable_reason;  // of a run that could not reach the target at all

  double rps() const { return duration_s > 0 ? stats.responses() / duration_s : 0; }
  uint64_t errors() const { return stats.failed + stats.errored + stats.dropped; }
};

// In order of each profile's first run.
std::vector<ProfileSummary> summarize_profiles(const std::vector<LoadRun>& loads);

}  // namespace firedrill::reporters
