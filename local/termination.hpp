#pragma once
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/rfc3339.hpp"

namespace firedrill::local {

using common::WallClock;

// Why a replica's process ended, as the kubelet words it; Killed: by a signal firedrill sent.
enum class TerminationReason { OOMKilled, Error, Completed, Killed };

// "OOMKilled", "Error", "Completed", "Killed": as reports, metrics and checks name it.
std::string_view to_string(TerminationReason reason);

struct Termination {
  WallClock::time_point at;
  TerminationReason reason = TerminationReason::Error;
  int exit_code = 0;  // for signals, 128 + signal, as a shell reports it
  int signal = 0;
  std::string detail;  // e.g. "memory cgroup oom_kill count 0 -> 1", "exit code 1"

  nlohmann::json to_json() const;
};

}  // namespace firedrill::local
