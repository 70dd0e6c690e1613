#include "local/termination_classification.hpp"

#include <sys/wait.h>

#include <csignal>
#include <cstring>
#include <string>

#include "common/units.hpp"

namespace firedrill::local {

namespace {

std::string signal_text(int signal) {
  return "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

std::optional<Termination> cgroup_oom_kill(const ProcessExit& exit, const MemoryEvidence& memory) {
  // A shell that runs the program as its child reports the child's SIGKILL as 137.
  const bool sigkill = exit.exit_code == 128 + SIGKILL;
  if (!memory.cgroup || !sigkill || memory.oom_kills_now <= memory.oom_kills_at_start) {
    return std::nullopt;
  }
  Termination t;
  t.reason = TerminationReason::OOMKilled;
  t.detail = "memory cgroup oom_kill count " + std::to_string(memory.oom_kills_at_start) + " -> " +
             std::to_string(memory.oom_kills_now);
  return t;
}

// Without a cgroup nothing counts OOM kills; under RLIMIT_AS a failed allocation ends a program
// the way these signals do (abort() on bad_alloc, a NULL dereference, a runtime's own kill).
std::optional<Termination> address_space_oom(const ProcessExit& exit,
                                             const MemoryEvidence& memory) {
  const bool allocation_failure =
      exit.signal == SIGABRT || exit.signal == SIGSEGV || exit.signal == SIGKILL;
  if (!exit.signalled || memory.cgroup || !memory.limit || !allocation_failure) {
    return std::nullopt;
  }
  Termination t;
  t.reason = TerminationReason::OOMKilled;
  t.detail = "killed by " + signal_text(exit.signal) + " under a " +
             common::format_bytes(*memory.limit) + " address-space limit";
  return t;
}

Termination by_exit(const ProcessExit& exit, int sent_signal) {
  Termination t;
  if (exit.signalled && sent_signal != 0) {
    t.reason = TerminationReason::Killed;
    t.detail = "killed by " + signal_text(exit.signal) + " sent by firedrill";
  } else if (exit.signalled) {
    t.reason = TerminationReason::Error;
    t.detail = "killed by " + signal_text(exit.signal);
  } else {
    t.reason = exit.exit_code == 0 ? TerminationReason::Completed : TerminationReason::Error;
    t.detail = "exit code " + std::to_string(exit.exit_code);
    if (sent_signal != 0) t.detail += " after " + signal_text(sent_signal) + " from firedrill";
  }
  return t;
}

}  // namespace

ProcessExit ProcessExit::from_wait_status(int status) {
  ProcessExit exit;
  exit.signalled = WIFSIGNALED(status);
  if (exit.signalled) {
    exit.signal = WTERMSIG(status);
    exit.exit_code = 128 + exit.signal;
  } else {
    exit.exit_code = WEXITSTATUS(status);
  }
  return exit;
}

Termination classify_termination(const ProcessExit& exit, int sent_signal,
                                 const std::optional<MemoryEvidence>& memory,
                                 WallClock::time_point at) {
  Termination t;
  // An OOM kill the cgroup counted comes first, then firedrill's own signal; the address-space
  // limit only explains what nothing else does.
  if (auto counted = memory ? cgroup_oom_kill(exit, *memory) : std::nullopt) {
    t = *counted;
  } else if (exit.signalled && sent_signal != 0) {
    t = by_exit(exit, sent_signal);
  } else if (auto guessed = memory ? address_space_oom(exit, *memory) : std::nullopt) {
    t = *guessed;
  } else {
    t = by_exit(exit, sent_signal);
  }
  t.at = at;
  t.exit_code = exit.exit_code;
  t.signal = exit.signal;
  return t;
}

}  // namespace firedrill::local
