#pragma once
#include <csignal>
#include <vector>

#include "scenarios/runner.hpp"

namespace firedrill::cli {

// While it lives, every signal that would end the process (SIGINT, SIGTERM, SIGHUP from a
// closed terminal, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM) asks the Runner to stop the load, revert
// every fault and report, so the run ends with exit 3 and nothing left behind; a second one
// says what is being reverted. SIGPIPE and SIGXFSZ are ignored: a closed stdout or stderr
// (`| tee` that died first) or a file over its size limit makes writes fail, and printing or
// journaling stops (the run then reverts from memory), but nothing dies. Keep it alive until the
// reports are written. One at a time.
class RunSignals {
 public:
  explicit RunSignals(scenarios::Runner& runner);
  ~RunSignals();
  RunSignals(const RunSignals&) = delete;
  RunSignals& operator=(const RunSignals&) = delete;

  static const std::vector<int>& handled();
  static const std::vector<int>& ignored();

 private:
  std::vector<struct sigaction> previous_;  // of handled(), then of ignored()
};

}  // namespace firedrill::cli
