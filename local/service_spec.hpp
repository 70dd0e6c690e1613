#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/units.hpp"
#include "local/restart_policy.hpp"

namespace firedrill::local {

using common::Duration;

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

  RestartRule restart_rule() const { return {restart, backoff, max_backoff}; }
};

// [a-z0-9-]+: a service name becomes part of file, directory and cgroup names. Shared by the
// drill parser and the supervisor so that both accept the same names.
bool valid_service_name(const std::string& name);

// Throws common::ValueError for an inconsistent spec, naming the service and the setting.
void validate_service_specs(const std::vector<ServiceSpec>& services);

}  // namespace firedrill::local
