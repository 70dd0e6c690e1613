// The restart policy as the kubelet applies it: which ends restart a replica, the backoff that
// doubles up to its maximum, its reset after a long enough run, and when it is a crash loop.
#include "local/restart_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace firedrill::local {
namespace {

using namespace std::chrono_literals;

constexpr RestartRule kRule{RestartPolicy::Always, 1s, 5s};

RestartRule with_policy(RestartPolicy policy) {
  RestartRule rule = kRule;
  rule.policy = policy;
  return rule;
}

// Whether a first end, after a short run, restarts the replica.
bool restarts(RestartPolicy policy, bool succeeded, bool forced = false) {
  const RestartRule rule = with_policy(policy);
  return decide_restart(rule, initial_backoff(rule), succeeded, forced, 100ms).restart;
}

TEST(RestartPolicy, AlwaysRestartsWhateverTheExit) {
  EXPECT_TRUE(restarts(RestartPolicy::Always, true));
  EXPECT_TRUE(restarts(RestartPolicy::Always, false));
  EXPECT_EQ(decide_restart(kRule, initial_backoff(kRule), true, false, 100ms).delay, 1s);
}

TEST(RestartPolicy, OnFailureRestartsOnlyAFailure) {
  EXPECT_TRUE(restarts(RestartPolicy::OnFailure, false));
  EXPECT_FALSE(restarts(RestartPolicy::OnFailure, true));
}

TEST(RestartPolicy, NeverRestartsUnlessForced) {
  EXPECT_FALSE(restarts(RestartPolicy::Never, false));
  EXPECT_FALSE(restarts(RestartPolicy::Never, true));
  EXPECT_TRUE(restarts(RestartPolicy::Never, true, /*forced=*/true));
}

TEST(RestartPolicy, NoRestartLeavesTheBackoffAsItWas) {
  const Backoff before{4s, 3};
  RestartDecision d =
      decide_restart(with_policy(RestartPolicy::Never), before, false, false, 100ms);
  EXPECT_EQ(d.backoff.next_delay, 4s);
  EXPECT_EQ(d.backoff.quick_exits, 3);
  EXPECT_FALSE(d.crash_loop);
}

TEST(RestartPolicy, TheDelayDoublesUpToTheMaximum) {
  Backoff backoff = initial_backoff(kRule);
  std::vector<Duration> delays;
  for (int i = 0; i < 5; ++i) {
    RestartDecision d = decide_restart(kRule, backoff, false, false, 100ms);
    delays.push_back(d.delay);
    backoff = d.backoff;
  }
  EXPECT_EQ(delays, (std::vector<Duration>{1s, 2s, 4s, 5s, 5s}));
}

TEST(RestartPolicy, ASecondQuickExitIsACrashLoop) {
  RestartDecision first = decide_restart(kRule, initial_backoff(kRule), false, false, 100ms);
  EXPECT_FALSE(first.crash_loop);
  EXPECT_EQ(first.backoff.quick_exits, 1);
  RestartDecision second = decide_restart(kRule, first.backoff, false, false, 100ms);
  EXPECT_TRUE(second.crash_loop);
  EXPECT_EQ(second.backoff.quick_exits, 2);
}

TEST(RestartPolicy, ARunOfTenBaseDelaysStartsTheBackoffOver) {
  const Backoff looping{4s, 3};
  RestartDecision after_long_run = decide_restart(kRule, looping, false, false, 10s);
  EXPECT_EQ(after_long_run.delay, 1s);
  EXPECT_EQ(after_long_run.backoff.quick_exits, 0);
  EXPECT_EQ(after_long_run.backoff.next_delay, 2s);
  EXPECT_FALSE(after_long_run.crash_loop);

  RestartDecision after_short_run = decide_restart(kRule, looping, false, false, 9s);
  EXPECT_EQ(after_short_run.delay, 4s);
  EXPECT_EQ(after_short_run.backoff.quick_exits, 4);
  EXPECT_TRUE(after_short_run.crash_loop);
}

}  // namespace
}  // namespace firedrill::local
