#pragma once
#include "common/units.hpp"

namespace firedrill::local {

using common::Duration;

enum class RestartPolicy { Always, OnFailure, Never };

// A service's restart settings: the policy, and the exponential backoff between restarts.
struct RestartRule {
  RestartPolicy policy = RestartPolicy::Always;
  Duration backoff = std::chrono::seconds(1);  // doubled after each failed start, up to max
  Duration max_backoff = std::chrono::seconds(30);
};

// Where a replica is in its backoff: the delay before its next start, and how many times in a
// row it ended soon after it started.
struct Backoff {
  Duration next_delay{0};
  int quick_exits = 0;
};

struct RestartDecision {
  bool restart = false;
  Duration delay{0};        // from the moment the process ended
  bool crash_loop = false;  // CrashLoopBackOff, as the kubelet calls it
  Backoff backoff;          // what the next decision starts from
};

// The backoff of a replica that has not ended yet.
Backoff initial_backoff(const RestartRule& rule);

// What the kubelet would do with a container that ended: restart it by its policy (`forced`
// restarts whatever the policy says) after a delay that doubles while it keeps ending soon after
// it starts. `ran_for` is how long the ended process ran.
RestartDecision decide_restart(const RestartRule& rule, const Backoff& backoff, bool succeeded,
                               bool forced, Duration ran_for);

}  // namespace firedrill::local
