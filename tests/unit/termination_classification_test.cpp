// Why a replica's process ended, from its wait status, the signal firedrill sent and what its
// memory limit saw: OOMKilled by a cgroup's count or under an address-space limit, Killed by
// firedrill, Error or Completed by the exit; and the words reports and JSON use for each.
#include "local/termination_classification.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

namespace firedrill::local {
namespace {

ProcessExit exited(int code) {
  return {false, 0, code};
}

ProcessExit killed_by(int signal) {
  return {true, signal, 128 + signal};
}

MemoryEvidence cgroup(uint64_t kills_at_start, uint64_t kills_now) {
  return {true, 64 * 1024 * 1024, kills_at_start, kills_now};
}

MemoryEvidence address_space_limit() {
  return {false, 64 * 1024 * 1024, 0, 0};
}

const WallClock::time_point kAt = WallClock::time_point(std::chrono::seconds(1767225600));

TEST(TerminationClassification, ReadsTheWaitStatus) {
  ProcessExit signalled = ProcessExit::from_wait_status(SIGKILL);
  EXPECT_TRUE(signalled.signalled);
  EXPECT_EQ(signalled.signal, SIGKILL);
  EXPECT_EQ(signalled.exit_code, 137);
  ProcessExit normal = ProcessExit::from_wait_status(3 << 8);
  EXPECT_FALSE(normal.signalled);
  EXPECT_EQ(normal.exit_code, 3);
}

TEST(TerminationClassification, ExitCodes) {
  Termination ok = classify_termination(exited(0), 0, std::nullopt, kAt);
  EXPECT_EQ(ok.reason, TerminationReason::Completed);
  EXPECT_EQ(ok.detail, "exit code 0");
  EXPECT_EQ(ok.at, kAt);
  Termination failed = classify_termination(exited(1), 0, std::nullopt, kAt);
  EXPECT_EQ(failed.reason, TerminationReason::Error);
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(failed.signal, 0);
  EXPECT_EQ(failed.detail, "exit code 1");
}

TEST(TerminationClassification, AnExitAfterFiredrillsSignalSaysSo) {
  Termination t = classify_termination(exited(0), SIGTERM, std::nullopt, kAt);
  EXPECT_EQ(t.reason, TerminationReason::Completed);
  EXPECT_EQ(t.detail, "exit code 0 after signal 15 (Terminated) from firedrill");
}

TEST(TerminationClassification, ASignalFiredrillSentIsKilled) {
  Termination t = classify_termination(killed_by(SIGTERM), SIGTERM, std::nullopt, kAt);
  EXPECT_EQ(t.reason, TerminationReason::Killed);
  EXPECT_EQ(t.exit_code, 128 + SIGTERM);
  EXPECT_EQ(t.signal, SIGTERM);
  EXPECT_EQ(t.detail, "killed by signal 15 (Terminated) sent by firedrill");
}

TEST(TerminationClassification, AnotherSignalIsAnError) {
  Termination t = classify_termination(killed_by(SIGSEGV), 0, std::nullopt, kAt);
  EXPECT_EQ(t.reason, TerminationReason::Error);
  EXPECT_EQ(t.detail, "killed by signal 11 (Segmentation fault)");
}

TEST(TerminationClassification, ACgroupOomKillIsOomKilled) {
  Termination t = classify_termination(killed_by(SIGKILL), 0, cgroup(2, 3), kAt);
  EXPECT_EQ(t.reason, TerminationReason::OOMKilled);
  EXPECT_EQ(t.detail, "memory cgroup oom_kill count 2 -> 3");
  EXPECT_EQ(t.exit_code, 137);
}

TEST(TerminationClassification, TheCgroupCountComesBeforeFiredrillsSignal) {
  Termination t = classify_termination(killed_by(SIGKILL), SIGTERM, cgroup(0, 1), kAt);
  EXPECT_EQ(t.reason, TerminationReason::OOMKilled);
}

TEST(TerminationClassification, AShellReporting137CountsAsSigkill) {
  Termination t = classify_termination(exited(137), 0, cgroup(0, 1), kAt);
  EXPECT_EQ(t.reason, TerminationReason::OOMKilled);
}

TEST(TerminationClassification, ASigkillWithoutANewOomKillIsNotOomKilled) {
  EXPECT_EQ(classify_termination(killed_by(SIGKILL), 0, cgroup(1, 1), kAt).reason,
            TerminationReason::Error);
  EXPECT_EQ(classify_termination(killed_by(SIGKILL), SIGKILL, cgroup(1, 1), kAt).reason,
            TerminationReason::Killed);
}

TEST(TerminationClassification, AllocationFailureSignalsUnderAnAddressSpaceLimit) {
  for (int signal : {SIGABRT, SIGSEGV, SIGKILL}) {
    Termination t = classify_termination(killed_by(signal), 0, address_space_limit(), kAt);
    EXPECT_EQ(t.reason, TerminationReason::OOMKilled) << signal;
    EXPECT_NE(t.detail.find("under a 64Mi address-space limit"), std::string::npos) << t.detail;
  }
  EXPECT_EQ(classify_termination(killed_by(SIGTERM), 0, address_space_limit(), kAt).reason,
            TerminationReason::Error);
  EXPECT_EQ(classify_termination(exited(1), 0, address_space_limit(), kAt).reason,
            TerminationReason::Error);
}

TEST(TerminationClassification, FiredrillsSignalComesBeforeTheAddressSpaceGuess) {
  Termination t = classify_termination(killed_by(SIGKILL), SIGKILL, address_space_limit(), kAt);
  EXPECT_EQ(t.reason, TerminationReason::Killed);
}

TEST(TerminationClassification, ALiftedLimitExplainsNothing) {
  MemoryEvidence lifted = address_space_limit();
  lifted.limit.reset();
  EXPECT_EQ(classify_termination(killed_by(SIGABRT), 0, lifted, kAt).reason,
            TerminationReason::Error);
}

TEST(TerminationClassification, ReasonsAsReportsNameThem) {
  EXPECT_EQ(to_string(TerminationReason::OOMKilled), "OOMKilled");
  EXPECT_EQ(to_string(TerminationReason::Error), "Error");
  EXPECT_EQ(to_string(TerminationReason::Completed), "Completed");
  EXPECT_EQ(to_string(TerminationReason::Killed), "Killed");
}

TEST(TerminationClassification, Json) {
  Termination t = classify_termination(killed_by(SIGKILL), 0, cgroup(0, 1), kAt);
  EXPECT_EQ(t.to_json().dump(),
            R"({"at":"2026-01-01T00:00:00.000Z","detail":"memory cgroup oom_kill count 0 -> 1",)"
            R"("exitCode":137,"reason":"OOMKilled","signal":9})");
}

}  // namespace
}  // namespace firedrill::local
