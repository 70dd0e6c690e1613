#include "local/restart_policy.hpp"

#include <algorithm>

namespace firedrill::local {

namespace {

// The kubelet forgets a container's backoff once it has run for twice its maximum backoff. A
// drill's services restart within seconds, so the reset is tied to the base instead: a replica
// that stayed up ten times its first delay has shown it can run, and its next failure is a new
// incident rather than the same crash loop.
constexpr int kBackoffResetFactor = 10;
// The kubelet calls it a crash loop once the container failed again while backing off.
constexpr int kCrashLoopAfter = 2;

}  // namespace

Backoff initial_backoff(const RestartRule& rule) {
  return {rule.backoff, 0};
}

RestartDecision decide_restart(const RestartRule& rule, const Backoff& backoff, bool succeeded,
                               bool forced, Duration ran_for) {
  RestartDecision decision;
  decision.backoff = backoff;
  decision.restart = forced || rule.policy == RestartPolicy::Always ||
                     (rule.policy == RestartPolicy::OnFailure && !succeeded);
  if (!decision.restart) return decision;
  if (ran_for >= kBackoffResetFactor * rule.backoff) {
    decision.backoff = initial_backoff(rule);
  } else {
    ++decision.backoff.quick_exits;
  }
  decision.crash_loop = decision.backoff.quick_exits >= kCrashLoopAfter;
  decision.delay = decision.backoff.next_delay;
  decision.backoff.next_delay = std::min(decision.backoff.next_delay * 2, rule.max_backoff);
  return decision;
}

}  // namespace firedrill::local
