// A replica's status as reports, checks and metrics see it: states and waiting reasons in the
// words the kubelet uses, and its JSON.
#include "local/replica_status.hpp"

#include <gtest/gtest.h>

namespace firedrill::local {
namespace {

TEST(ReplicaStatus, StatesAsReportsNameThem) {
  EXPECT_EQ(to_string(ReplicaState::Running), "running");
  EXPECT_EQ(to_string(ReplicaState::Waiting), "waiting");
  EXPECT_EQ(to_string(ReplicaState::Stopped), "stopped");
  EXPECT_EQ(to_string(ReplicaState::Exited), "exited");
  EXPECT_EQ(to_string(WaitingReason::None), "");
  EXPECT_EQ(to_string(WaitingReason::CrashLoopBackOff), "CrashLoopBackOff");
  EXPECT_EQ(to_string(WaitingReason::HeldDown), "HeldDown");
}

TEST(ReplicaStatus, Json) {
  ReplicaStatus s;
  s.service = "api";
  s.index = 1;
  s.port = 8081;
  s.state = ReplicaState::Waiting;
  s.waiting_reason = WaitingReason::CrashLoopBackOff;
  s.restarts = 2;
  s.log_file = "/run/api-1.log";
  EXPECT_EQ(s.to_json().dump(),
            R"({"index":1,"logFile":"/run/api-1.log","pid":0,"port":8081,"ready":false,)"
            R"("restarts":2,"service":"api","state":"waiting",)"
            R"("terminations":[],"waitingReason":"CrashLoopBackOff"})");
}

}  // namespace
}  // namespace firedrill::local
