#pragma once
#include <atomic>
#include <string>
#include <vector>

#include "reporters/reporter.hpp"
#include "reporters/run_result.hpp"
#include "scenarios/drill.hpp"

namespace firedrill::scenarios {

struct RunOptions {
  std::string run_id;        // generated when empty
  std::string journal_path;  // the revert journal; required
  std::string work_dir;      // local services keep their logs here, under services/; required
                             // when the drill has services
  bool dry_run = false;      // faults say what they would change and change nothing
  std::vector<reporters::RunObserver*> observers;
};

// Runs a drill's steps on one timeline: load in the foreground or background, waits, faults
// (journaled before they change anything, reverted at the end or after their `for`), and
// validate steps under eventually/consistently windows. It knows no particular fault or check
// kind: they come from the registries. The verdict and exit code follow DESIGN.md.
class Runner {
 public:
  Runner(const Drill& drill, RunOptions options);
  reporters::RunResult run();

  // Safe from a signal handler: stop the load, revert every fault, report, exit 3. `signal` is
  // the one that asked (it names the abort reason).
  void interrupt(int signal) {
    interrupt_signal_.store(signal);
    interrupted_.store(true);
  }
  // What is being reverted right now, for a second signal ("still reverting: ..."), or null.
  // Safe from a signal handler: the text stays put while its fault is reverted.
  const char* reverting_now() const { return reverting_.load(); }

 private:
  const Drill& drill_;
  RunOptions options_;
  std::atomic<bool> interrupted_{false};
  std::atomic<int> interrupt_signal_{0};
  std::atomic<const char*> reverting_{nullptr};
};

}  // namespace firedrill::scenarios
