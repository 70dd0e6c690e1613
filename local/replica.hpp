#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "local/memory_limit.hpp"
#include "local/replica_log.hpp"
#include "local/replica_process.hpp"
#include "local/replica_status.hpp"
#include "local/restart_policy.hpp"
#include "local/service_spec.hpp"
#include "local/termination.hpp"
#include "local/unique_fd.hpp"

namespace firedrill::local {

using SteadyClock = std::chrono::steady_clock;

// One replica of a service as its supervisor keeps it: its process and that process's output,
// its memory limit, and where it is in the life the kubelet gives a container (running, waiting
// to restart, stopped, exited). Not thread-safe: the supervisor calls it under its lock, and
// `stopping` tells it that the supervisor is stopping everything.
class Replica {
 public:
  // Its log is <run_dir>/<service>-<index>.log, its SERVICE_DIR <run_dir>/<service>-<index>/, a
  // memory cgroup of its own `cgroup_prefix`-<service>-<index> under `cgroup_root`.
  Replica(const ServiceSpec& spec, int index, const std::filesystem::path& run_dir,
          std::filesystem::path cgroup_root, const std::string& cgroup_prefix);

  const ServiceSpec* spec;
  int index;
  int port;
  std::filesystem::path dir;
  std::filesystem::path log_path;
  std::filesystem::path cgroup_root;
  std::string cgroup_name;
  std::unique_ptr<ReplicaLog> log;

  pid_t pid = 0;
  UniqueFd out;
  UniqueFd err;
  ReplicaState state = ReplicaState::Stopped;
  WaitingReason waiting_reason = WaitingReason::None;
  bool ready = false;
  int starts = 0;
  uint64_t generation = 0;  // of the current process, so a late probe result is dropped
  WallClock::time_point started_at{};
  SteadyClock::time_point started_steady{};
  std::vector<Termination> terminations;

  SteadyClock::time_point start_at{};  // while waiting
  Backoff backoff;
  bool held_down = false;
  bool force_restart = false;  // its process was replaced: restart whatever the policy says
  int sent_signal = 0;         // firedrill signalled the current process
  std::vector<std::string> command_override;

  std::unique_ptr<MemoryLimit> memory;
  uint64_t oom_kills_at_start = 0;
  SteadyClock::time_point next_probe{};

  // "service `api` replica 1", for messages.
  std::string description() const;
  // Empties its SERVICE_DIR and log from an earlier run, and applies the spec's memory limit.
  // Throws std::runtime_error when the directory cannot be made.
  void prepare();
  // The program its next process runs, as written (after expansion); for a check before start.
  std::string program(const std::string& self_exe) const;
  // Starts its process now. Under the supervisor's lock, on the supervisor's thread only:
  // PR_SET_PDEATHSIG fires when the thread that forked ends.
  void spawn(const std::string& self_exe, bool stopping);
  // Appends what its process wrote since the last call to its log.
  void drain();
  // Records the end of its process, if it ended (`block`: wait for that), and what follows.
  void reap(bool block, bool stopping);
  // Sets (nullopt: lifts) its memory limit, now and across restarts; returns how it applies.
  std::string limit_memory(std::optional<uint64_t> bytes);

  bool running_and_ready() const { return state == ReplicaState::Running && ready; }
  ReplicaStatus status() const;
  // Why it is not ready, with the tail of its log: "<description> (port P) <why>: state ...".
  std::string not_ready(const std::string& why) const;

 private:
  ProcessLaunch launch(const std::string& self_exe) const;
  void start_failed(const std::string& call, int error, bool stopping);
  void ended(Termination t, bool stopping);
};

}  // namespace firedrill::local
