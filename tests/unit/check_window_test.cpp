// The eventually / consistently rules of a validate step, on a clock the test holds: polls are
// handed in with their instants, so first-success and first-violation times are exact.
#include "validators/check_window.hpp"

#include <gtest/gtest.h>

namespace firedrill::validators {
namespace {

using namespace std::chrono_literals;
using Clock = CheckWindow::Clock;

const Clock::time_point kFault = Clock::time_point(100s);

Observation pass(std::string message = "held") {
  return {Verdict::Pass, std::move(message), {}};
}
Observation fail(std::string message = "not yet") {
  return {Verdict::Fail, std::move(message), {}};
}
Observation unsure(std::string message = "unreachable") {
  return {Verdict::Inconclusive, std::move(message), {}};
}

TEST(CheckWindow, EventuallyPassesAtTheFirstPollWhereEveryCheckPasses) {
  CheckWindow w(WindowKind::Eventually, 2, kFault);
  w.record(kFault + 1s, {pass("a at 1s"), fail()});
  EXPECT_FALSE(w.settled());
  w.record(kFault + 2s, {pass("a at 2s"), pass("b at 2s")});
  ASSERT_TRUE(w.settled());
  EXPECT_EQ(w.checks()[0].state, CheckState::Passed);
  EXPECT_EQ(w.checks()[1].state, CheckState::Passed);
  // The evidence is the deciding poll's; the time to detect is each check's own first pass.
  EXPECT_EQ(w.checks()[0].observation.message, "a at 2s");
  EXPECT_EQ(w.checks()[0].time_to_detect, 1s);
  EXPECT_EQ(w.checks()[1].time_to_detect, 2s);
  EXPECT_EQ(w.checks()[0].polls, 2);
}

TEST(CheckWindow, EventuallyDoesNotLatchChecksThatNeverHoldTogether) {
  CheckWindow w(WindowKind::Eventually, 2, kFault);
  w.record(kFault + 1s, {pass(), fail("b no")});
  w.record(kFault + 2s, {fail("a no"), pass()});
  w.record(kFault + 3s, {pass(), fail("b no again")});
  EXPECT_FALSE(w.settled());
  w.close(/*stopped=*/false, 3s);
  // Judged by the latest poll: a held then, b did not.
  EXPECT_EQ(w.checks()[0].state, CheckState::Passed);
  EXPECT_EQ(w.checks()[1].state, CheckState::Failed);
  EXPECT_EQ(w.checks()[1].observation.message, "did not hold within 3s: b no again");
  EXPECT_FALSE(w.checks()[1].time_to_detect) << "a failed check reports no detection";
}

TEST(CheckWindow, EventuallyKeepsTheTimeToDetectFromTheLastFaultOnly) {
  CheckWindow without_fault(WindowKind::Eventually, 1);
  without_fault.record(kFault + 1s, {pass()});
  ASSERT_TRUE(without_fault.settled());
  EXPECT_FALSE(without_fault.checks()[0].time_to_detect);
}

TEST(CheckWindow, EventuallyInconclusiveAtTheDeadlineStaysInconclusive) {
  CheckWindow w(WindowKind::Eventually, 1, kFault);
  w.record(kFault + 1s, {fail()});
  w.record(kFault + 2s, {unsure("Prometheus down")});
  w.close(false, 2s);
  EXPECT_EQ(w.checks()[0].state, CheckState::Inconclusive);
  EXPECT_EQ(w.checks()[0].observation.message, "did not hold within 2s: Prometheus down");
}

TEST(CheckWindow, AFinalObservationEndsTheWindowAtOnce) {
  CheckWindow w(WindowKind::Eventually, 2, kFault);
  Observation missing = fail("no alerting rule named HighErorRate");
  missing.final = true;
  w.record(kFault + 1s, {pass(), missing});
  ASSERT_TRUE(w.settled());
  EXPECT_EQ(w.checks()[1].state, CheckState::Failed);
  EXPECT_EQ(w.checks()[0].state, CheckState::Passed);
  w.record(kFault + 2s, {pass(), pass()});
  EXPECT_EQ(w.checks()[1].state, CheckState::Failed) << "no poll after a settled window counts";
}

TEST(CheckWindow, ConsistentlyFailsAtTheFirstViolation) {
  CheckWindow w(WindowKind::Consistently, 2, kFault);
  w.record(kFault + 1s, {pass(), pass()});
  EXPECT_FALSE(w.settled());
  w.record(kFault + 2s, {pass(), fail("fired")});
  ASSERT_TRUE(w.settled());
  EXPECT_EQ(w.checks()[1].state, CheckState::Failed);
  EXPECT_EQ(w.checks()[1].observation.message, "fired");
  EXPECT_EQ(w.checks()[0].state, CheckState::Pending);
  w.close(false, 10s);
  EXPECT_EQ(w.checks()[0].state, CheckState::Passed) << "the other held at every poll it had";
}

TEST(CheckWindow, ConsistentlyInconclusivePollEndsTheWindowInconclusive) {
  CheckWindow w(WindowKind::Consistently, 1, kFault);
  w.record(kFault + 1s, {unsure()});
  ASSERT_TRUE(w.settled());
  EXPECT_EQ(w.checks()[0].state, CheckState::Inconclusive);
}

TEST(CheckWindow, ConsistentlyPassesAtTheDeadline) {
  CheckWindow w(WindowKind::Consistently, 1, kFault);
  w.record(kFault + 1s, {pass()});
  w.record(kFault + 2s, {pass("still")});
  w.close(false, 2s);
  EXPECT_EQ(w.checks()[0].state, CheckState::Passed);
  EXPECT_EQ(w.checks()[0].observation.message, "still");
  EXPECT_FALSE(w.checks()[0].time_to_detect) << "consistently windows detect nothing";
}

TEST(CheckWindow, StoppingEarlyLeavesPendingChecksInconclusive) {
  CheckWindow w(WindowKind::Eventually, 1, kFault);
  w.record(kFault + 1s, {fail("not yet")});
  w.close(/*stopped=*/true, 30s);
  EXPECT_EQ(w.checks()[0].state, CheckState::Inconclusive);
  EXPECT_EQ(w.checks()[0].observation.message,
            "the drill stopped before the window ended; last poll: not yet");
}

TEST(CheckWindow, AWindowThatEndsDuringASlowPollCountsThatPoll) {
  // The Runner records a poll that started before the deadline even when it ended after it.
  CheckWindow w(WindowKind::Eventually, 1, kFault);
  w.record(kFault + 9s, {pass()});  // started at 9s of a 10s window, answered at 12s
  ASSERT_TRUE(w.settled());
  EXPECT_EQ(w.checks()[0].time_to_detect, 9s) << "timed from the poll's start";
}

TEST(CheckWindow, AWindowClosedBeforeAnyPollIsInconclusive) {
  CheckWindow w(WindowKind::Eventually, 1, kFault);
  w.close(false, 1s);
  EXPECT_EQ(w.checks()[0].state, CheckState::Inconclusive);
}

}  // namespace
}  // namespace firedrill::validators
