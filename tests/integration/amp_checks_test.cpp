// prometheus.alert and prometheus.query against Amazon Managed Service for Prometheus
// (integrations.prometheus.auth: sigv4), played by tests/fixtures/amp_contract_server.py: it
// checks each call as the AMP API reference documents QueryMetrics and ListAlerts, recomputes
// the SigV4 signature for service "aps", and answers Prometheus API documents.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/rfc3339.hpp"
#include "tests/integration/aws_environment.hpp"
#include "tests/integration/contract_check_fixture.hpp"
#include "tests/integration/contract_server.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using validators::Observation;
using validators::Verdict;
using WallClock = std::chrono::system_clock;

constexpr char kKeyId[] = "AKIDAMPCONTRACT";
constexpr char kSecret[] = "amp/contract+Secret0123456789";
constexpr char kWorkspace[] = "ws-b226cc2a-a446-46a9-933a-ac50479a5568";

const WallClock::time_point kFault =
    std::chrono::floor<std::chrono::seconds>(WallClock::now()) - std::chrono::minutes(10);

std::string at(std::chrono::seconds after_fault) {
  return common::format_rfc3339(kFault + after_fault);
}

json alert(const std::string& name, const std::string& state, std::chrono::seconds active) {
  return {{"labels", {{"alertname", name}, {"namespace", "shop"}, {"severity", "page"}}},
          {"annotations", {{"summary", name + " in shop"}}},
          {"state", state},
          {"activeAt", at(active)},
          {"value", "1e+00"}};
}

json restarts(double value) {
  return {
      {"resultType", "vector"},
      {"result", json::array({{{"metric", {{"namespace", "shop"}, {"pod", "checkout-7d9f"}}},
                               {"value", json::array({1700000000.5, std::to_string(value)})}}})}};
}

constexpr char kRestartsQuery[] = "increase(kube_pod_container_status_restarts_total[5m])";

class AmpChecks : public ContractCheckFixture<> {
 protected:
  // The server for `scenario` in `region`; false (and a failure) when it does not run.
  bool start(json scenario, const std::string& region = "us-east-1") {
    scenario["workspace"] = kWorkspace;
    if (!start_server(std::make_unique<ContractServer>(
                          "amp_contract_server.py", scenario,
                          std::vector<std::string>{"--region", region, "--credentials",
                                                   std::string(kKeyId) + ":" + kSecret}),
                      "AMP contract server")) {
      return false;
    }
    integrations_ = {
        {"prometheus",
         {{"url", server_->url("/workspaces/") + kWorkspace + "/"}, {"auth", "sigv4"}}},
        {"aws", {{"region", "us-east-1"}}}};
    return true;
  }

  Observation observe(const std::string& kind_name, json given) {
    return observe_check(kind_name, std::move(given), kFault - std::chrono::minutes(5), kFault,
                         {kSecret, "Signature="});
  }

  AwsEnvironment env_;
};

TEST_F(AmpChecks, AlertPassesOnAnAlertActiveAfterTheFault) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"alerts",
                      {alert("KubePodCrashLooping", "firing", std::chrono::seconds(-900)),
                       alert("KubePodOOMKilled", "firing", std::chrono::seconds(42))}}}));
  Observation o = observe("prometheus.alert",
                          {{"name", "KubePodOOMKilled"}, {"labels", {{"namespace", "shop"}}}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["time_to_active_s"], 42.0);
  // The rule is looked up first (a check on an alert no rule defines fails at once), each call
  // signed.
  json log = server_->control("log");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["operation"], "ListRules");
  EXPECT_EQ(log[1]["operation"], "ListAlerts");
  EXPECT_EQ(log[0]["key"], kKeyId);
  EXPECT_EQ(log[1]["key"], kKeyId);
}

TEST_F(AmpChecks, AlertActiveBeforeTheFaultFails) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(
      start({{"alerts", {alert("KubePodOOMKilled", "firing", std::chrono::seconds(-60))}}}));
  Observation o = observe("prometheus.alert", {{"name", "KubePodOOMKilled"}});
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("pre-existing"));
}

TEST_F(AmpChecks, AlertOnARuleTheWorkspaceDoesNotHaveFailsAtOnce) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"alerts", {alert("KubePodOOMKilled", "firing", std::chrono::seconds(30))}}}));
  Observation o = observe("prometheus.alert", {{"name", "KubePodOOMKiled"}, {"expect", "absent"}});
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_TRUE(o.final);
  EXPECT_THAT(o.message, HasSubstr("no alerting rule named KubePodOOMKiled; did you mean "
                                   "`KubePodOOMKilled`? rules: KubePodOOMKilled"));
}

TEST_F(AmpChecks, QueryPassesWhenASampleMeetsTheValue) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"queries", {{kRestartsQuery, restarts(2)}}}}));
  Observation o = observe("prometheus.query", {{"query", kRestartsQuery}, {"value", "> 0"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  json log = server_->control("log");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["operation"], "QueryMetrics");
  EXPECT_EQ(log[0]["params"]["query"], kRestartsQuery);
}

TEST_F(AmpChecks, QueryFailsWhenNoSampleMeetsTheValue) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"queries", {{kRestartsQuery, restarts(0)}}}}));
  Observation o = observe("prometheus.query", {{"query", kRestartsQuery}, {"value", "> 0"}});
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("is not > 0"));
}

TEST_F(AmpChecks, TheIntegrationsRegionIsTheSigningRegion) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"queries", {{kRestartsQuery, restarts(1)}}}}, "eu-west-1"));
  integrations_["prometheus"]["region"] = "eu-west-1";
  Observation o = observe("prometheus.query", {{"query", kRestartsQuery}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
}

TEST_F(AmpChecks, AccessDeniedIsInconclusiveAndNamesTheAction) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"deny", true}}));
  Observation o = observe("prometheus.query", {{"query", kRestartsQuery}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("status 403"));
  EXPECT_THAT(o.message, HasSubstr("aps:QueryMetrics"));
}

TEST_F(AmpChecks, AMissingRegionIsAClearError) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start(json::object()));
  integrations_.erase("aws");
  Observation o = observe("prometheus.alert", {{"name", "KubePodOOMKilled"}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("no AWS region"));
  EXPECT_THAT(o.message, HasSubstr("integrations.prometheus.region"));
  EXPECT_EQ(server_->control("log"), json::array());
}

TEST_F(AmpChecks, MissingCredentialsAreAClearError) {
  ASSERT_TRUE(start(json::object()));
  Observation o = observe("prometheus.query", {{"query", kRestartsQuery}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("integrations.prometheus.auth: sigv4: no AWS credentials"));
  EXPECT_EQ(server_->control("log"), json::array());
}

TEST_F(AmpChecks, SigV4ExcludesOtherCredentials) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start(json::object()));
  integrations_["prometheus"]["bearerToken"] = "amp-bearer-token";
  // Refused when the drill is validated: no check ever runs with it.
  const std::string refused = refusal();
  EXPECT_THAT(refused, HasSubstr("auth: sigv4 signs each request, so it excludes bearerToken"));
  EXPECT_THAT(refused, Not(HasSubstr("amp-bearer-token")));
}

TEST_F(AmpChecks, AnUnknownAuthModeNamesTheSetting) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start(json::object()));
  integrations_["prometheus"]["auth"] = "iam";
  EXPECT_THAT(refusal(), HasSubstr("integrations.prometheus.auth: \"iam\" is not sigv4"));
}

}  // namespace
}  // namespace firedrill::testing
