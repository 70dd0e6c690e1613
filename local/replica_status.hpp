#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/termination.hpp"

namespace firedrill::local {

// Running; Waiting between restarts (WaitingReason says why it is not started yet); Stopped:
// held down by a fault, or at the end; Exited: the restart policy says no more.
enum class ReplicaState { Running, Waiting, Stopped, Exited };

enum class WaitingReason { None, CrashLoopBackOff, HeldDown };

// "running", "waiting", "stopped", "exited".
std::string_view to_string(ReplicaState state);
// "", "CrashLoopBackOff", "HeldDown".
std::string_view to_string(WaitingReason reason);

struct ReplicaStatus {
  std::string service;
  int index = 0;
  int port = 0;
  int pid = 0;  // 0 when not running
  ReplicaState state = ReplicaState::Stopped;
  WaitingReason waiting_reason = WaitingReason::None;
  bool ready = false;
  int restarts = 0;
  WallClock::time_point started_at{};       // of the current or last process
  std::vector<Termination> terminations;    // oldest first, every one since the drill began
  std::optional<std::string> memory_limit;  // "64Mi via cgroup v1" when one applies
  std::filesystem::path log_file;

  nlohmann::json to_json() const;
};

}  // namespace firedrill::local
