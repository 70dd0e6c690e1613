#include "local/replica_status.hpp"

#include "common/rfc3339.hpp"

namespace firedrill::local {

std::string_view to_string(ReplicaState state) {
  switch (state) {
    case ReplicaState::Running:
      return "running";
    case ReplicaState::Waiting:
      return "waiting";
    case ReplicaState::Stopped:
      return "stopped";
    case ReplicaState::Exited:
      return "exited";
  }
  return "stopped";
}

std::string_view to_string(WaitingReason reason) {
  switch (reason) {
    case WaitingReason::None:
      return "";
    case WaitingReason::CrashLoopBackOff:
      return "CrashLoopBackOff";
    case WaitingReason::HeldDown:
      return "HeldDown";
  }
  return "";
}

nlohmann::json ReplicaStatus::to_json() const {
  nlohmann::json out = {{"service", service},
                        {"index", index},
                        {"port", port},
                        {"pid", pid},
                        {"state", to_string(state)},
                        {"waitingReason", to_string(waiting_reason)},
                        {"ready", ready},
                        {"restarts", restarts},
                        {"logFile", log_file.string()}};
  if (started_at != WallClock::time_point{}) out["startedAt"] = common::format_rfc3339(started_at);
  out["terminations"] = nlohmann::json::array();
  for (const auto& t : terminations) out["terminations"].push_back(t.to_json());
  if (memory_limit) out["memoryLimit"] = *memory_limit;
  return out;
}

}  // namespace firedrill::local
