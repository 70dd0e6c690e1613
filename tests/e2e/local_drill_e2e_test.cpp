// The local alerting drills run by `firedrill run` to a verdict with real Prometheus and
// Alertmanager, started by the drills' own `services:` blocks: the example in
// scenarios/examples/local/ must pass, and the drills in tests/fixtures/drills/local-alerting/
// must fail (or pass) for the reason each was written for, with every fault reverted and every
// report written. Those are the classes of false pass a gate must not have: old alerts re-sent,
// alerts pending before the fault, a restarted Prometheus, checks that never held together, a
// misspelt rule, an alert that came and went between polls; and the false fail of an alert that
// fired and resolved before the check looked. They use fixed loopback ports (their Prometheus
// configuration names them).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

struct DrillRun {
  CommandResult command;
  json result;
  fs::path out;
};

class LocalDrill : public ::testing::Test {
 protected:
  DrillRun run(const fs::path& drill) {
    DrillRun r;
    r.out = dir_.path() / "out";
    r.command = run_firedrill({"run", "-q", "--out-dir", r.out.string(), drill.string()},
                              /*with_output=*/false);
    if (fs::exists(r.out / "result.json")) {
      r.result = json::parse(read_text(r.out / "result.json"));
    }
    return r;
  }

  static fs::path fixture(const std::string& name) {
    return fs::path(FIREDRILL_SOURCE_DIR) / "tests/fixtures/drills/local-alerting" /
           (name + ".yaml");
  }

  static std::string message(const json& check) {
    return check.is_object() ? check.value("message", "") : "(no such check)";
  }

  // The check of that kind in that step; null json when there is none.
  static json check(const DrillRun& r, const std::string& kind, int nth = 0) {
    for (const auto& c : r.result["checks"]) {
      if (c["kind"] == kind && nth-- == 0) return c;
    }
    return nullptr;
  }

  static void expect_reverted_and_reported(const DrillRun& r) {
    ASSERT_FALSE(r.result["faults"].empty()) << r.command.out << r.command.err;
    for (const auto& f : r.result["faults"]) {
      EXPECT_FALSE(f.value("revert_failed", false)) << f.dump();
      EXPECT_TRUE(f.contains("reverted_s")) << "not reverted: " << f.dump();
    }
    for (const char* report : {"result.json", "junit.xml", "report.html"}) {
      EXPECT_TRUE(fs::exists(r.out / report)) << report;
    }
    EXPECT_THAT(r.command.out, HasSubstr("reports: "));
  }

  TempDir dir_;
};

TEST_F(LocalDrill, ExamplePassesEndToEnd) {
  DrillRun r = run(fs::path(FIREDRILL_SOURCE_DIR) / "scenarios/examples/local/drill.yaml");
  EXPECT_EQ(r.command.exit_code, 0) << r.command.out << r.command.err;
  ASSERT_TRUE(r.result.is_object()) << r.command.err;
  EXPECT_EQ(r.result["verdict"], "passed");
  for (const auto& c : r.result["checks"]) {
    EXPECT_EQ(c["verdict"], "passed") << c.dump(2);
  }
  expect_reverted_and_reported(r);
  // Each detection is timed from its own fault, and the page arrived after the alert fired.
  for (const char* alert : {"HighErrorRate", "TargetDown", "ServiceOOMKilled"}) {
    bool notified = false;
    for (const auto& c : r.result["checks"]) {
      if (c["kind"] == "receiver.notification" &&
          c["description"].get<std::string>().find(alert) != std::string::npos) {
        notified = true;
        EXPECT_GT(c["evidence"]["time_to_notify_s"].get<double>(), 0) << c.dump(2);
        EXPECT_GE(c["evidence"]["firing_to_notified_s"].get<double>(), 0) << c.dump(2);
        EXPECT_TRUE(c.contains("time_to_detect_s")) << c.dump(2);
      }
    }
    EXPECT_TRUE(notified) << alert;
  }
  json oom = check(r, "service.status", 1);
  EXPECT_EQ(oom["evidence"]["termination"]["reason"], "OOMKilled") << oom.dump(2);
  EXPECT_THAT(r.command.out, HasSubstr("Verdict: PASSED"));
}

TEST_F(LocalDrill, RuleThatNeverFiresFailsWhenTheWindowExpires) {
  DrillRun r = run(fixture("never-fires"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  json c = check(r, "prometheus.alert");
  EXPECT_EQ(c["verdict"], "failed");
  EXPECT_THAT(c["message"].get<std::string>(), HasSubstr("did not hold within 8s"));
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, AlertFiringBeforeTheFaultIsNotADetection) {
  DrillRun r = run(fixture("already-firing"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  EXPECT_EQ(check(r, "prometheus.alert", 0)["verdict"], "passed");
  json after = check(r, "prometheus.alert", 1);
  EXPECT_EQ(after["verdict"], "failed");
  EXPECT_THAT(after["message"].get<std::string>(), HasSubstr("pre-existing"));
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, AlertRoutedNowhereFiresButNeverPages) {
  DrillRun r = run(fixture("routed-nowhere"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  EXPECT_EQ(check(r, "prometheus.alert")["verdict"], "passed");
  EXPECT_EQ(check(r, "alertmanager.alert")["verdict"], "passed");
  json page = check(r, "receiver.notification");
  EXPECT_EQ(page["verdict"], "failed") << page.dump(2);
  EXPECT_THAT(page["message"].get<std::string>(), HasSubstr("no firing ErrorsRoutedNowhere"));
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, ReceiverDownFailsTheNotificationButStillRevertsAndReports) {
  DrillRun r = run(fixture("receiver-down"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  EXPECT_EQ(check(r, "prometheus.alert")["verdict"], "passed");
  EXPECT_EQ(check(r, "receiver.notification")["verdict"], "failed");
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, APageWithTheReceiversCredentialsIsDelivered) {
  DrillRun r = run(fixture("authenticated-pager"));
  EXPECT_EQ(r.command.exit_code, 0) << r.command.out << r.command.err;
  EXPECT_EQ(check(r, "receiver.notification")["verdict"], "passed");
  expect_reverted_and_reported(r);
}

// Alertmanager did page, with the wrong token: every page is rejected, none counts, and the
// failure says why instead of looking like a page that never came.
TEST_F(LocalDrill, APageWithWrongCredentialsIsRejectedAndNeverPasses) {
  DrillRun r = run(fixture("wrong-credentials"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  EXPECT_EQ(check(r, "alertmanager.alert")["verdict"], "passed");
  json page = check(r, "receiver.notification");
  EXPECT_EQ(page["verdict"], "failed") << page.dump(2);
  EXPECT_GE(page["evidence"].value("rejected_since", 0), 1) << page.dump(2);
  EXPECT_THAT(message(page), HasSubstr("requests were rejected (wrong credentials)"));
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, ANotificationReSentAfterTheFaultIsNoDetection) {
  DrillRun r = run(fixture("resent-after-fault"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  json page = check(r, "receiver.notification");
  EXPECT_EQ(page["verdict"], "failed") << page.dump(2);
  // Alertmanager did re-send it after the fault; the check saw that and refused it.
  EXPECT_FALSE(page["evidence"]["pre_existing"].empty()) << page.dump(2);
  EXPECT_THAT(message(page), HasSubstr("already active before"));
  json fired = check(r, "prometheus.alert");
  EXPECT_EQ(fired["verdict"], "failed") << fired.dump(2);
  EXPECT_THAT(message(fired), HasSubstr("pre-existing"));
  EXPECT_TRUE(fired["time_to_detect_s"].is_null()) << "no detection time for an old alert";
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, AnAlertPendingBeforeTheFaultIsPreExistingInEveryLayer) {
  DrillRun r = run(fixture("pending-before-fault"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  for (const char* kind : {"prometheus.alert", "alertmanager.alert", "receiver.notification"}) {
    json c = check(r, kind);
    EXPECT_EQ(c["verdict"], "failed") << c.dump(2);
    EXPECT_TRUE(c["time_to_detect_s"].is_null()) << kind;
  }
  EXPECT_THAT(message(check(r, "alertmanager.alert")), HasSubstr("already pending in Prometheus"));
  EXPECT_THAT(message(check(r, "receiver.notification")),
              HasSubstr("already pending in Prometheus"));
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, APrometheusRestartThatResetsActiveAtIsInconclusiveNeverAPass) {
  DrillRun r = run(fixture("prometheus-restart"));
  EXPECT_EQ(r.command.exit_code, 3) << r.command.out << r.command.err;
  json c = check(r, "prometheus.alert");
  EXPECT_EQ(c["verdict"], "inconclusive") << c.dump(2);
  EXPECT_THAT(message(c), HasSubstr("Prometheus restarted at"));
  EXPECT_THAT(message(c), HasSubstr("whether it is new cannot be told"));
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, AnEventuallyWindowNeedsOnePollWhereEveryCheckHolds) {
  DrillRun r = run(fixture("never-together"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  // The absent check held at the first polls, before the alert fired; the evidence shown is
  // from the last poll, where it did not.
  json absent = check(r, "prometheus.alert", 0);
  EXPECT_EQ(absent["verdict"], "failed") << absent.dump(2);
  EXPECT_THAT(message(absent), HasSubstr("ErrorsPaged is firing"));
  EXPECT_FALSE(absent["evidence"]["alerts"].empty()) << absent.dump(2);
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, ACheckOnAMisspeltRuleFailsAtItsFirstPoll) {
  DrillRun r = run(fixture("misspelt-rule"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  json quiet = check(r, "prometheus.alert", 0);
  EXPECT_EQ(quiet["verdict"], "failed") << quiet.dump(2);
  EXPECT_EQ(quiet["polls"], 1);
  EXPECT_THAT(message(quiet), HasSubstr("no alerting rule named HighErorRate; rules: "));
  EXPECT_THAT(message(quiet), HasSubstr("ErrorsPaged"));
  json fires = check(r, "prometheus.alert", 1);
  EXPECT_EQ(fires["verdict"], "failed") << fires.dump(2);
  EXPECT_EQ(fires["polls"], 1);
  EXPECT_THAT(message(fires), HasSubstr("did you mean `AlwaysFiring`?"));
  // Both windows end at their first poll, neither waits out its 30 s.
  EXPECT_LT(r.result["duration_s"].get<double>(), 30.0);
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, AnAlertThatFiresAndResolvesBetweenPollsFailsAQuietWindow) {
  DrillRun r = run(fixture("blip-between-polls"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  json alert = check(r, "prometheus.alert");
  EXPECT_EQ(alert["verdict"], "failed") << alert.dump(2);
  EXPECT_THAT(message(alert), HasSubstr("between polls"));
  json page = check(r, "receiver.notification");
  EXPECT_EQ(page["verdict"], "failed") << page.dump(2);
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, AnAlertThatFiredAndResolvedBeforeTheCheckLookedStillCounts) {
  DrillRun r = run(fixture("fired-and-resolved"));
  EXPECT_EQ(r.command.exit_code, 0) << r.command.out << r.command.err;
  for (const auto& c : r.result["checks"]) EXPECT_EQ(c["verdict"], "passed") << c.dump(2);
  json fired = check(r, "prometheus.alert");
  EXPECT_GT(fired["evidence"]["time_to_fire_s"].get<double>(), 0) << fired.dump(2);
  EXPECT_LT(fired["evidence"]["time_to_fire_s"].get<double>(), 15) << "before the wait ended";
  EXPECT_EQ(check(r, "prometheus.rule")["evidence"]["rule"]["name"], "ErrorsPaged");
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, AQuietRouteIsProvedByAbsentChecks) {
  DrillRun r = run(fixture("quiet-route"));
  EXPECT_EQ(r.command.exit_code, 0) << r.command.out << r.command.err;
  for (const auto& c : r.result["checks"]) EXPECT_EQ(c["verdict"], "passed") << c.dump(2);
  expect_reverted_and_reported(r);
}

// A service that never gets ready holds the drill for its readiness timeout (60 s here); Ctrl-C
// must end that wait at once, with the reports and nothing left running.
TEST_F(LocalDrill, CtrlCWhileServicesStartAbortsAtOnce) {
  fs::path drill = dir_.path() / "slow.yaml";
  const uint16_t port = free_port();
  std::ofstream(drill) << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: slow}\n"
                       << "services:\n  api:\n    command: [sleep, '300']\n    port: " << port
                       << "\n    readiness: {path: /healthz, timeout: 60s}\n"
                       << "steps:\n  - chaos:\n      process.kill: {service: api}\n";
  fs::path out = dir_.path() / "out";
  Process firedrill({FIREDRILL_BINARY, "run", "-q", "--out-dir", out.string(), drill.string()},
                    dir_.path() / "run.log");
  for (int i = 0; i < 250 && !fs::exists(out / "services"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  firedrill.signal(SIGINT);
  // Well before the readiness timeout would have ended the wait.
  EXPECT_EQ(firedrill.wait(std::chrono::seconds(20)), 3) << read_text(dir_.path() / "run.log");
  json result = json::parse(read_text(out / "result.json"));
  EXPECT_EQ(result["verdict"], "aborted");
  EXPECT_TRUE(result["faults"].empty()) << "no fault may be injected";
  EXPECT_TRUE(fs::exists(out / "report.html"));
}

TEST_F(LocalDrill, AServiceThatCannotStartAbortsBeforeAnythingChanges) {
  fs::path drill = dir_.path() / "broken.yaml";
  std::ofstream(drill) << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: broken}\n"
                       << "services:\n  api:\n    command: [firedrill-no-such-program]\n"
                       << "steps:\n  - chaos:\n      process.kill: {service: api}\n";
  DrillRun r = run(drill);
  EXPECT_EQ(r.command.exit_code, 3) << r.command.out << r.command.err;
  EXPECT_EQ(r.result["verdict"], "aborted");
  EXPECT_THAT(r.result["abort_reason"].get<std::string>(), HasSubstr("firedrill-no-such-program"));
  EXPECT_TRUE(r.result["faults"].empty()) << "no fault may be injected";
  EXPECT_TRUE(fs::exists(r.out / "report.html"));
}

}  // namespace
}  // namespace firedrill::testing
