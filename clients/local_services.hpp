#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/units.hpp"

namespace firedrill::clients {

using common::Duration;
using WallClock = std::chrono::system_clock;

enum class RestartPolicy { Always, OnFailure, Never };

// An HTTP GET on the replica's own port; 2xx means ready.
struct ReadinessProbe {
  std::string path = "/healthz";
  Duration period = std::chrono::milliseconds(500);
  Duration initial_timeout = std::chrono::seconds(30);  // start_all() gives up after this long
};

// One entry of a drill's `services:` block.
struct ServiceSpec {
  std::string name;
  // argv. `firedrill` as argv[0] means this very binary. $(NAME) in any argument is replaced by
  // the replica's environment variable NAME (as Kubernetes expands container args), which
  // includes PORT, REPLICA, SERVICE and SERVICE_DIR (a directory of the replica's own that
  // survives its restarts, e.g. for a database path).
  std::vector<std::string> command;
  // Where the command runs (the parser sets the drill file's folder); empty: firedrill's own.
  std::filesystem::path working_dir;
  int replicas = 1;
  int port = 0;  // replica i gets port + i, exported as PORT; 0: the service has no port
  std::map<std::string, std::string> env;
  std::optional<ReadinessProbe> readiness;  // needs a port
  RestartPolicy restart = RestartPolicy::Always;
  Duration backoff = std::chrono::seconds(1);  // doubled after each failed start, up to max
  Duration max_backoff = std::chrono::seconds(30);
  std::optional<uint64_t> memory_limit;  // bytes, applied as process.oom applies its limit
};

// [a-z0-9-]+: a service name becomes part of file, directory and cgroup names. Shared by the
// drill parser and the supervisor so that both accept the same names.
bool valid_service_name(const std::string& name);

// Why a replica's process ended, as the kubelet words it.
struct Termination {
  WallClock::time_point at;
  std::string reason;  // OOMKilled | Error | Completed | Killed (by a signal firedrill sent)
  int exit_code = 0;   // for signals, 128 + signal, as a shell reports it
  int signal = 0;
  std::string detail;  // e.g. "memory cgroup oom_kill count 0 -> 1", "exit code 1"

  nlohmann::json to_json() const;
};

struct ReplicaStatus {
  std::string service;
  int index = 0;
  int port = 0;
  int pid = 0;  // 0 when not running
  // running | waiting (between restarts: waiting_reason says why) | stopped (held down by a
  // fault, or at the end) | exited (restart policy says no more)
  std::string state;
  std::string waiting_reason;  // CrashLoopBackOff | HeldDown
  bool ready = false;
  int restarts = 0;
  WallClock::time_point started_at{};       // of the current or last process
  std::vector<Termination> terminations;    // oldest first, every one since the drill began
  std::optional<std::string> memory_limit;  // "64Mi via cgroup v1" when one applies
  std::filesystem::path log_file;

  nlohmann::json to_json() const;
};

// One line a replica wrote, as kept in its log file: the kubelet's CRI log format,
// "<RFC 3339 nano> stdout|stderr F <line>", so lines can be told apart by when they were written.
struct LogLine {
  WallClock::time_point at;
  std::string stream;
  std::string text;
};

// Parses one line of a replica log file; nullopt for a line not in the format.
std::optional<LogLine> parse_log_line(const std::string& line);

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

}  // namespace firedrill::clients
