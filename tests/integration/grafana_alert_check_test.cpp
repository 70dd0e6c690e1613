// grafana.alert against tests/fixtures/grafana_contract_server.py, which answers the alert list
// of Grafana's unified alerting as Grafana's HTTP API does and can show one state at the
// baseline and another at later polls.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/rfc3339.hpp"
#include "tests/integration/contract_check_fixture.hpp"
#include "tests/integration/contract_server.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using validators::Observation;
using validators::Verdict;
using WallClock = std::chrono::system_clock;

constexpr char kToken[] = "glsa_contractServiceAccountToken_0123abcd";

// Whole seconds, as the activeAt values written from it have milliseconds only.
const WallClock::time_point kFault =
    std::chrono::floor<std::chrono::seconds>(WallClock::now()) - std::chrono::minutes(1);

std::string at(int seconds_after_fault) {
  return common::format_rfc3339(kFault + std::chrono::seconds(seconds_after_fault));
}

// One instance of the HighErrorRate rule, listed in the answers to the given alert-list
// requests (1 is the baseline's), or in all when none are given.
json instance(const std::string& state, int active_after_fault, std::vector<int> requests = {},
              json labels = {{"service", "checkout"}}) {
  labels["alertname"] = "HighErrorRate";
  labels["grafana_folder"] = "shop";
  labels["__alert_rule_uid__"] = "fe1k2a";
  json a = {{"labels", labels},
            {"annotations", {{"summary", "checkout errors"}}},
            {"state", state},
            {"activeAt", at(active_after_fault)},
            {"value", state.rfind("Alerting", 0) == 0 ? "2.1e-01" : ""}};
  if (!requests.empty()) a["requests"] = requests;
  return a;
}

class GrafanaAlertCheck : public ContractCheckFixture<> {
 protected:
  bool start(json alerts, json extra = json::object()) {
    json scenario = {{"token", kToken}, {"alerts", std::move(alerts)}};
    scenario.update(extra);
    if (!start_server(std::make_unique<ContractServer>("grafana_contract_server.py", scenario),
                      "Grafana contract server")) {
      return false;
    }
    integrations_ = {{"grafana", {{"url", server_->url()}, {"bearerToken", kToken}}}};
    return true;
  }

  // A check of `given` that takes its baseline just before the fault (the first alert-list
  // request), then polls `count` times; each poll's observation.
  std::vector<Observation> polls(json given, int count) {
    given.emplace("name", "HighErrorRate");
    const validators::CheckKind* kind = validators::find_check_kind("grafana.alert");
    EXPECT_NE(kind, nullptr);
    auto check = kind->create(kind_params(kind->schema, std::move(given)));
    validators::CheckContext context;
    context.drill_start = kFault - std::chrono::minutes(5);
    context.last_fault = kFault;
    const clients::Integrations integrations(integrations_);
    context.integrations = &integrations;
    check->note_baseline(context);
    std::vector<Observation> seen;
    for (int i = 0; i < count; ++i) {
      seen.push_back(check->observe(context));
      EXPECT_THAT(seen.back().message + seen.back().evidence.dump(),
                  ::testing::Not(HasSubstr(kToken)));
    }
    return seen;
  }

  Observation drill(json given) { return polls(std::move(given), 1)[0]; }
};

TEST_F(GrafanaAlertCheck, PassesOnAnInstanceThatStartedAlertingAfterTheFault) {
  ASSERT_TRUE(start({instance("Normal", -300, {1}), instance("Alerting", 5, {2})}));
  Observation o = drill(json::object());
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_THAT(o.message, HasSubstr("HighErrorRate is Alerting in Grafana since"));
  EXPECT_THAT(o.message, HasSubstr("5s after the fault; value 2.1e-01"));
  EXPECT_EQ(o.evidence["time_to_state_s"], 5.0);
  json log = server_->control("log");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1]["path"], "/api/prometheus/grafana/api/v1/alerts");
  EXPECT_EQ(log[1]["authorization"], true);
}

TEST_F(GrafanaAlertCheck, FailsWhenTheRuleDoesNotAlert) {
  ASSERT_TRUE(start({instance("Normal", -300), instance("Pending", 3, {2})}));
  Observation o = drill(json::object());
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("state Normal, not Alerting"));
}

TEST_F(GrafanaAlertCheck, AnInstanceAlertingSinceBeforeTheFaultIsNotADetection) {
  ASSERT_TRUE(start({instance("Alerting", -30)}));
  Observation o = drill(json::object());
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("before the fault: pre-existing"));
}

// Grafana restarts activeAt when a pending instance starts alerting: its activeAt after the
// fault does not make it new. Once a poll sees it Normal, its next activation counts.
TEST_F(GrafanaAlertCheck, PendingAtTheBaselineStaysPreExistingUntilItEnds) {
  ASSERT_TRUE(start({instance("Pending", -10, {1}), instance("Alerting", 20, {2}),
                     instance("Normal", 30, {3}), instance("Alerting", 40, {4})}));
  std::vector<Observation> seen = polls(json::object(), 3);
  EXPECT_EQ(seen[0].verdict, Verdict::Fail) << seen[0].message;
  EXPECT_THAT(seen[0].message, HasSubstr("already Pending before the fault"));
  EXPECT_EQ(seen[1].verdict, Verdict::Fail) << seen[1].message;
  EXPECT_EQ(seen[2].verdict, Verdict::Pass) << seen[2].message;
  EXPECT_EQ(seen[2].evidence["time_to_state_s"], 40.0);
}

TEST_F(GrafanaAlertCheck, OnePollSeeingTheInstanceNormalEndsItsOldActivation) {
  ASSERT_TRUE(start({instance("Alerting", -60, {1, 2}), instance("Normal", 10, {3}),
                     instance("Alerting", 25, {4})}));
  std::vector<Observation> seen = polls(json::object(), 3);
  EXPECT_EQ(seen[0].verdict, Verdict::Fail) << seen[0].message;
  EXPECT_EQ(seen[2].verdict, Verdict::Pass) << seen[2].message;
  EXPECT_EQ(seen[2].evidence["time_to_state_s"], 25.0);
}

TEST_F(GrafanaAlertCheck, MatchesLabelsAndTheStateWithoutItsReason) {
  ASSERT_TRUE(start({instance("Alerting (NoData)", 8, {2, 4}, {{"service", "payments"}})}));
  Observation o = drill({{"labels", {{"service", "payments"}}}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_THAT(o.message, HasSubstr("is Alerting (NoData) in Grafana"));
  Observation other = drill({{"labels", {{"service", "checkout"}}}});
  EXPECT_EQ(other.verdict, Verdict::Fail) << other.message;
  EXPECT_THAT(other.message, HasSubstr("Grafana has no HighErrorRate{service=\"checkout\"} alert"));
  EXPECT_EQ(other.evidence["alerts"].size(), 0u) << "internal labels are not asked for";
}

TEST_F(GrafanaAlertCheck, ExpectAbsentFailsOnAnyAlertingInstanceNewOrOld) {
  ASSERT_TRUE(start({instance("Alerting", -200)}));
  EXPECT_EQ(drill({{"expect", "absent"}}).verdict, Verdict::Fail);
}

TEST_F(GrafanaAlertCheck, ExpectAbsentPassesWhenNothingAlerts) {
  ASSERT_TRUE(start({instance("Normal", -200), instance("Pending", 2)}));
  Observation o = drill({{"expect", "absent"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
}

TEST_F(GrafanaAlertCheck, AnUnreadableBaselineMakesANewLookingInstanceInconclusive) {
  ASSERT_TRUE(start({instance("Alerting", 12)}, {{"failRequests", {1}}}));
  Observation o = drill(json::object());
  EXPECT_EQ(o.verdict, Verdict::Inconclusive) << o.message;
  EXPECT_THAT(o.message, HasSubstr("the baseline could not be read"));
  EXPECT_THAT(o.message, HasSubstr("500"));
}

TEST_F(GrafanaAlertCheck, AWrongTokenIsInconclusiveNotAFailure) {
  ASSERT_TRUE(start({instance("Alerting", 5)}));
  integrations_["grafana"]["bearerToken"] = "glsa_wrong";
  Observation o = drill(json::object());
  EXPECT_EQ(o.verdict, Verdict::Inconclusive) << o.message;
  EXPECT_THAT(o.message, HasSubstr("401"));
  EXPECT_THAT(o.message + o.evidence.dump(), ::testing::Not(HasSubstr("glsa_wrong")));
}

TEST_F(GrafanaAlertCheck, AnUnreachableGrafanaIsInconclusive) {
  ASSERT_TRUE(start({}));
  integrations_["grafana"]["url"] = "http://127.0.0.1:1";
  Observation o = drill(json::object());
  EXPECT_EQ(o.verdict, Verdict::Inconclusive) << o.message;
}

}  // namespace
}  // namespace firedrill::testing
