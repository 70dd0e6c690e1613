#pragma once
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "local/memory_limit.hpp"
#include "local/replica_command.hpp"
#include "local/unique_fd.hpp"

namespace firedrill::local {

// Everything one process of a replica starts with.
struct ProcessLaunch {
  std::vector<std::string> argv;
  Environment env;
  std::string program;  // argv[0] resolved; empty when not found (the child says so and exits)
  std::filesystem::path working_dir;  // empty: firedrill's own
  ChildMemorySetup memory;
};

struct StartedProcess {
  pid_t pid = 0;
  UniqueFd out;  // the read ends of its stdout and stderr, non-blocking
  UniqueFd err;
};

// The call that failed before a process could start, and its errno.
struct LaunchError {
  std::string call;
  int error = 0;
};

// Forks and execs the process as the leader of a process group of its own, with stdin from
// /dev/null and stdout and stderr on pipes. The process is killed when the thread that started it
// ends (PR_SET_PDEATHSIG), so call this from a thread that outlives it.
std::variant<StartedProcess, LaunchError> start_process(const ProcessLaunch& launch);

// The wait status of `pid` once it ended (nullopt while it runs; `block`: wait for it). Only this
// child is waited for, never any: other parts of firedrill run commands too. Before it is reaped,
// what is left of its process group is killed, as a container's processes end with it.
std::optional<int> reap_process(pid_t pid, bool block);

}  // namespace firedrill::local
