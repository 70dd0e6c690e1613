#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "local/replica_log.hpp"
#include "local/replica_status.hpp"
#include "local/service_spec.hpp"

namespace firedrill::local {

// The supervisor of a drill's local services: starts every replica, captures its stdout and
// stderr line by line to its own log file, restarts it by its policy with exponential backoff,
// records why each process ended (OOMKilled from the memory cgroup's oom_kill count, or from the
// address-space limit), and stops everything at the end. Its own thread does the supervising;
// every public method is safe to call from any thread.
class LocalServices {
 public:
  // `run_dir` receives <service>-<index>.log and <service>-<index>/ (SERVICE_DIR).
  // `self_exe` is what `firedrill` as argv[0] runs. Throws common::ValueError for an
  // inconsistent spec (naming the service and the setting). `cgroup_root` is where memory
  // cgroups are looked for; a folder without any makes limit_memory() use the address-space
  // limit, which is how that fallback is tested on a machine that has cgroups.
  LocalServices(std::vector<ServiceSpec> services, std::filesystem::path run_dir,
                std::string self_exe, std::filesystem::path cgroup_root = "/sys/fs/cgroup");
  ~LocalServices();  // stop_all()
  LocalServices(const LocalServices&) = delete;
  LocalServices& operator=(const LocalServices&) = delete;

  // Starts every replica and waits until each is ready (or, without a probe, running). Throws
  // std::runtime_error naming the replica, its state and the tail of its log when one is not
  // ready in time or cannot be started, and as soon as `cancelled` (a Ctrl-C) becomes true.
  void start_all(const std::atomic<bool>* cancelled = nullptr);
  // SIGTERM to each replica's process group, SIGKILL after `grace`; removes cgroups it made.
  void stop_all(Duration grace = std::chrono::seconds(5));

  bool has_service(const std::string& service) const;
  std::vector<std::string> service_names() const;
  std::vector<ReplicaStatus> status(const std::string& service) const;  // throws for unknown

  // process.kill: sends `signal` to the replicas' process groups (indices into the service's
  // replicas). With `hold_down` the supervisor does not restart them until release(). Returns
  // the pids signalled.
  std::vector<int> signal(const std::string& service, const std::vector<int>& replicas, int signal,
                          bool hold_down);
  // Lets held-down replicas restart now.
  void release(const std::string& service, const std::vector<int>& replicas);

  // process.oom: puts the replica (now and across restarts) under a memory limit. Uses cgroup v2
  // memory.max or cgroup v1 memory.limit_in_bytes where firedrill may create a cgroup, otherwise
  // RLIMIT_AS via prlimit. Returns how: "cgroup v2", "cgroup v1" or "address-space limit".
  std::string limit_memory(const std::string& service, int replica, uint64_t bytes);
  void clear_memory_limit(const std::string& service, int replica);

  // process.crashloop: the replicas restart with this command instead of the service's own
  // (killed now, restarted by the supervisor with its usual backoff); empty restores the spec.
  void override_command(const std::string& service, const std::vector<int>& replicas,
                        const std::vector<std::string>& command);

  // Waits until the replicas are running and ready; false on timeout.
  bool wait_ready(const std::string& service, const std::vector<int>& replicas, Duration timeout);

  // Lines the replica wrote at or after `since` (every replica when `replica` is nullopt).
  std::vector<LogLine> log_lines(const std::string& service, std::optional<int> replica,
                                 WallClock::time_point since) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firedrill::local
