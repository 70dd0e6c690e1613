#pragma once
#include <map>
#include <mutex>
#include <ostream>
#include <string>

#include "reporters/reporter.hpp"

namespace firedrill::reporters {

// The running drill on a terminal: one line per timeline event, and on a TTY a live status line
// (current step, req/s, p99, errors, checks pending/passed/failed, faults active).
class ConsoleProgress final : public LiveOutput {
 public:
  ConsoleProgress(std::ostream& out, bool live_line);

  void on_event(const TimelineEvent& e) override;
  void on_load_second(const std::string& profile, const loadgen::TimeSeriesPoint& p) override;
  void on_check(const CheckResult& c) override;
  void on_finish(const RunResult&) override;

 private:
  void redraw();

  std::ostream& out_;
  bool live_;
  std::mutex mutex_;
  std::string step_;
  std::map<std::string, loadgen::TimeSeriesPoint> last_second_;  // per profile
  std::map<std::string, CheckVerdict> checks_;                   // description -> verdict
  int faults_active_ = 0;
  bool line_shown_ = false;
};

}  // namespace firedrill::reporters
