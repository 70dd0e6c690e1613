// The local alerting drills run by `firedrill run` to a verdict with real Prometheus and
// Alertmanager, started by the drills' own `services:` blocks: the example in
// scenarios/examples/local/ must pass, and the drills in tests/fixtures/drills/local-must-fail/
// must fail, for the reason each was written for, with every fault reverted and every report
// written. They use fixed loopback ports (their Prometheus configuration names them).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

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

  static fs::path must_fail(const std::string& name) {
    return fs::path(FIREDRILL_SOURCE_DIR) / "tests/fixtures/drills/local-must-fail" /
           (name + ".yaml");
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
  DrillRun r = run(must_fail("never-fires"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  json c = check(r, "prometheus.alert");
  EXPECT_EQ(c["verdict"], "failed");
  EXPECT_THAT(c["message"].get<std::string>(), HasSubstr("did not hold within 8s"));
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, AlertFiringBeforeTheFaultIsNotADetection) {
  DrillRun r = run(must_fail("already-firing"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  EXPECT_EQ(check(r, "prometheus.alert", 0)["verdict"], "passed");
  json after = check(r, "prometheus.alert", 1);
  EXPECT_EQ(after["verdict"], "failed");
  EXPECT_THAT(after["message"].get<std::string>(), HasSubstr("pre-existing"));
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, AlertRoutedNowhereFiresButNeverPages) {
  DrillRun r = run(must_fail("routed-nowhere"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  EXPECT_EQ(check(r, "prometheus.alert")["verdict"], "passed");
  EXPECT_EQ(check(r, "alertmanager.alert")["verdict"], "passed");
  json page = check(r, "receiver.notification");
  EXPECT_EQ(page["verdict"], "failed") << page.dump(2);
  EXPECT_THAT(page["message"].get<std::string>(), HasSubstr("no firing ErrorsRoutedNowhere"));
  expect_reverted_and_reported(r);
}

TEST_F(LocalDrill, ReceiverDownFailsTheNotificationButStillRevertsAndReports) {
  DrillRun r = run(must_fail("receiver-down"));
  EXPECT_EQ(r.command.exit_code, 1) << r.command.out << r.command.err;
  EXPECT_EQ(check(r, "prometheus.alert")["verdict"], "passed");
  EXPECT_EQ(check(r, "receiver.notification")["verdict"], "failed");
  expect_reverted_and_reported(r);
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
