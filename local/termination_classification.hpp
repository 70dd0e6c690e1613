#pragma once
#include <cstdint>
#include <optional>

#include "local/termination.hpp"

namespace firedrill::local {

// How a process ended, as waitpid() reports it.
struct ProcessExit {
  bool signalled = false;
  int signal = 0;     // when signalled
  int exit_code = 0;  // when signalled, 128 + signal, as a shell reports it

  static ProcessExit from_wait_status(int status);
};

// What the replica's memory limit knew when its process ended.
struct MemoryEvidence {
  bool cgroup = false;              // a memory cgroup counts OOM kills; else an address-space limit
  std::optional<uint64_t> limit;    // bytes, while a limit is set
  uint64_t oom_kills_at_start = 0;  // the cgroup's oom_kill count when the process started
  uint64_t oom_kills_now = 0;
};

// Why the process ended: OOMKilled when its memory cgroup counted an OOM kill since it started
// (or, under an address-space limit, when it died the way a failed allocation ends a program),
// Killed by a signal firedrill sent (`sent_signal`, 0 for none), else Error or Completed by its
// exit. `memory`: nullopt when the replica never had a memory limit.
Termination classify_termination(const ProcessExit& exit, int sent_signal,
                                 const std::optional<MemoryEvidence>& memory,
                                 WallClock::time_point at);

}  // namespace firedrill::local
