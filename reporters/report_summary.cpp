#include "reporters/report_summary.hpp"

#include <algorithm>
#include <cctype>

namespace firedrill::reporters {

namespace {

std::string plural(int n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string tally_text(const Tally& t, const std::string& noun, const std::string& other) {
  if (t.total() == 0) return "no " + noun + "s";
  std::string text = plural(t.total(), noun) + ": " + std::to_string(t.passed) + " passed";
  if (t.failed > 0) text += ", " + std::to_string(t.failed) + " failed";
  if (t.other > 0) text += ", " + std::to_string(t.other) + " " + other;
  return text;
}

// "revert_failed" -> "REVERT FAILED"
std::string title_of(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return c == '_' ? ' ' : static_cast<char>(std::toupper(c));
  });
  return name;
}

}  // namespace

bool check_passed(const CheckResult& check) {
  return check.verdict == CheckVerdict::Passed;
}

bool check_failed(const CheckResult& check) {
  return check.verdict == CheckVerdict::Failed;
}

Tally tally_checks(const std::vector<CheckResult>& checks) {
  Tally t;
  for (const auto& c : checks) {
    if (check_passed(c)) {
      ++t.passed;
    } else if (check_failed(c)) {
      ++t.failed;
    } else {
      ++t.other;
    }
  }
  return t;
}

Tally tally_thresholds(const std::vector<ThresholdResult>& thresholds) {
  Tally t;
  for (const auto& th : thresholds) ++(th.passed ? t.passed : t.failed);
  return t;
}

int revert_failures(const std::vector<FaultResult>& faults) {
  return static_cast<int>(
      std::count_if(faults.begin(), faults.end(), [](auto& f) { return f.revert_failed; }));
}

std::string verdict_title(RunVerdict verdict) {
  return title_of(to_string(verdict));
}

std::string verdict_title(CheckVerdict verdict) {
  return title_of(to_string(verdict));
}

std::string verdict_counts(const RunResult& r) {
  std::string text = tally_text(tally_checks(r.checks), "check", "inconclusive") + "; " +
                     tally_text(tally_thresholds(r.thresholds), "threshold", "");
  int not_reverted = revert_failures(r.faults);
  if (!r.faults.empty()) {
    text += "; " + plural(static_cast<int>(r.faults.size()), "fault");
    if (not_reverted > 0) text += ", " + std::to_string(not_reverted) + " failed to revert";
  }
  return text;
}

std::string verdict_line(const RunResult& r) {
  return verdict_title(r.verdict) + " (exit " + std::to_string(r.exit_code) + ")";
}

std::vector<ProfileSummary> summarize_profiles(const std::vector<LoadRun>& loads) {
  std::vector<ProfileSummary> profiles;
  for (const auto& run : loads) {
    auto it = std::find_if(profiles.begin(), profiles.end(),
                           [&](const ProfileSummary& p) { return p.profile == run.profile; });
    if (it == profiles.end()) {
      profiles.emplace_back();
      it = std::prev(profiles.end());
      it->profile = run.profile;
    }
    ++it->runs;
    it->duration_s += run.result.duration_s;
    it->stats.merge(run.result.stats);
    if (run.result.unreachable && it->unreachable_reason.empty()) {
      it->unreachable_reason = run.result.unreachable_reason.empty()
                                   ? "the target could not be reached"
                                   : run.result.unreachable_reason;
    }
  }
  return profiles;
}

}  // namespace firedrill::reporters
