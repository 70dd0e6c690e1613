// The AWS checks and their client against tests/fixtures/aws_contract_server.py, which holds
// every request and every answer of its own to botocore's service models (member names, types,
// enums, ranges, required members), and checks besides what the models cannot say (SigV4
// recomputed, X-Amz-Target, content type and time units). Each test ends by asking the server
// whether any request, or any answer it gave, broke the contract.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <thread>

#include "clients/aws_client.hpp"
#include "common/http_client.hpp"
#include "tests/integration/aws_environment.hpp"
#include "tests/integration/contract_check_fixture.hpp"
#include "tests/integration/contract_server.hpp"
#include "tests/integration/support.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using validators::Observation;
using validators::Verdict;
using WallClock = std::chrono::system_clock;

constexpr char kKeyId[] = "AKIDCONTRACTSTATIC";
constexpr char kSecret[] = "contract/Static+Secret0123456789";
constexpr char kWebToken[] = "eyJhbGciOiJSUzI1NiJ9.contract-web-identity.sig";
constexpr char kContainerToken[] = "contract-container-authorization";

// The fault, an hour ago on a whole minute, so that metric periods align with it.
const int64_t kFault =
    (std::chrono::duration_cast<std::chrono::seconds>(WallClock::now().time_since_epoch()).count() /
     60 * 60) -
    3600;

// The AWS contract server, and the calls it answered of one operation.
class AwsContractServer : public ContractServer {
 public:
  explicit AwsContractServer(const json& scenario)
      : ContractServer(
            "aws_contract_server.py", scenario,
            {"--region", "us-east-1", "--credentials", std::string(kKeyId) + ":" + kSecret}) {}
  std::vector<json> calls(const std::string& operation) const {
    std::vector<json> out;
    for (const json& entry : control("log")) {
      if (entry["operation"] == operation) out.push_back(entry);
    }
    return out;
  }
};

class AwsChecks : public ContractCheckFixture<AwsContractServer> {
 protected:
  // Starts the server for `scenario`; false (and a failure) when it does not run.
  bool start(json scenario) {
    scenario["web_identity_token"] = kWebToken;
    scenario["container_token"] = kContainerToken;
    if (!start_server(std::make_unique<AwsContractServer>(scenario), "AWS contract server")) {
      return false;
    }
    integrations_ = {
        {"aws",
         {{"region", "us-east-1"},
          {"endpoints",
           {{"monitoring", server_->url()}, {"logs", server_->url()}, {"sts", server_->url()}}}}}};
    return true;
  }

  Observation observe(const std::string& kind_name, json given) {
    return observe_check(
        kind_name, std::move(given), WallClock::time_point(std::chrono::seconds(kFault - 600)),
        WallClock::time_point(std::chrono::seconds(kFault)),
        {kSecret, kWebToken, kContainerToken, "contract-secret-", "contract-token-"});
  }

  AwsEnvironment env_;
};

json metric_alarm(const std::string& name, const std::string& state, int64_t since,
                  const std::string& type = "MetricAlarm") {
  return {{"AlarmName", name},
          {"type", type},
          {"StateValue", state},
          {"StateReason", "Threshold Crossed: 1 datapoint [2.0] was greater than 0.0"},
          {"StateTransitionedTimestamp", since}};
}

json transition(const std::string& name, int64_t at, const std::string& from,
                const std::string& to) {
  return {{"AlarmName", name},
          {"Timestamp", at + 0.25},
          {"old", from},
          {"new", to},
          {"reason", "Threshold Crossed: restarts went " + from + " -> " + to}};
}

// --- cloudwatch.alarm ----------------------------------------------------------------------

TEST_F(AwsChecks, AlarmPassesOnATransitionToAlarmAfterTheFault) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"alarms", {metric_alarm("checkout-restarts", "ALARM", kFault + 30)}},
                     {"history",
                      {transition("checkout-restarts", kFault - 900, "ALARM", "OK"),
                       transition("checkout-restarts", kFault + 30, "OK", "ALARM")}}}));
  Observation o = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_THAT(o.message, HasSubstr("OK -> ALARM"));
  EXPECT_THAT(o.evidence["state_reason"].get<std::string>(), HasSubstr("restarts went OK"));
  EXPECT_NEAR(o.evidence["time_to_state_s"].get<double>(), 30.25, 0.01);
  json history = server_->calls("DescribeAlarmHistory").at(0)["body"];
  EXPECT_EQ(history["StartDate"], kFault);
  EXPECT_EQ(history["HistoryItemType"], "StateUpdate");
}

TEST_F(AwsChecks, AlarmAlreadyInAlarmBeforeTheFaultFails) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"alarms", {metric_alarm("legacy-alarm", "ALARM", kFault - 600)}},
                     {"history", {transition("legacy-alarm", kFault - 600, "OK", "ALARM")}}}));
  Observation o = observe("cloudwatch.alarm", {{"name", "legacy-alarm"}});
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("pre-existing"));
}

TEST_F(AwsChecks, AShortAlarmBetweenPollsIsCaughtAndSoIsTheRecovery) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"alarms", {metric_alarm("flappy", "OK", kFault + 70)}},
                     {"history",
                      {transition("flappy", kFault + 40, "OK", "ALARM"),
                       transition("flappy", kFault + 70, "ALARM", "OK")}}}));
  Observation alarm = observe("cloudwatch.alarm", {{"name", "flappy"}});
  EXPECT_EQ(alarm.verdict, Verdict::Pass) << alarm.message;
  EXPECT_EQ(alarm.evidence["time_to_state_s"], 40.25);
  Observation ok = observe("cloudwatch.alarm", {{"name", "flappy"}, {"state", "OK"}});
  EXPECT_EQ(ok.verdict, Verdict::Pass) << ok.message;
  EXPECT_EQ(ok.evidence["time_to_state_s"], 70.25);
}

TEST_F(AwsChecks, CompositeAlarmsByPrefixAcrossPages) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"page_size", 1},
                     {"alarms",
                      {metric_alarm("checkout-restarts", "OK", kFault - 100),
                       metric_alarm("checkout-any", "ALARM", kFault + 50, "CompositeAlarm"),
                       metric_alarm("other", "ALARM", kFault + 5)}},
                     {"history",
                      {transition("other", kFault + 5, "OK", "ALARM"),
                       transition("checkout-restarts", kFault - 100, "ALARM", "OK"),
                       transition("checkout-any", kFault + 50, "OK", "ALARM")}}}));
  Observation o = observe("cloudwatch.alarm", {{"prefix", "checkout-"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_THAT(o.message, HasSubstr("checkout-any went OK -> ALARM"));
  EXPECT_EQ(o.evidence["alarms"].size(), 2u);
  EXPECT_GE(server_->calls("DescribeAlarms").size(), 2u);
}

TEST_F(AwsChecks, NoSuchAlarmFails) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"alarms", json::array()}}));
  Observation o = observe("cloudwatch.alarm", {{"name", "missing"}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("no CloudWatch alarm missing in us-east-1"));
}

// --- cloudwatch.metric ---------------------------------------------------------------------

json restarts_metric(json points) {
  return {{"Namespace", "ContainerInsights"},
          {"MetricName", "pod_number_of_container_restarts"},
          {"Dimensions", {{"ClusterName", "prod"}, {"Namespace", "shop"}, {"PodName", "checkout"}}},
          {"Stat", "Maximum"},
          {"Period", 60},
          {"points", std::move(points)}};
}

json restarts_check() {
  return {{"namespace", "ContainerInsights"},
          {"metric", "pod_number_of_container_restarts"},
          {"dimensions", {{"ClusterName", "prod"}, {"Namespace", "shop"}, {"PodName", "checkout"}}},
          {"statistic", "Maximum"},
          {"value", "> 0"}};
}

TEST_F(AwsChecks, MetricPassesOnADatapointAfterTheFault) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start(
      {{"page_size", 1},
       {"metrics",
        {restarts_metric(
            {{kFault - 120, 4.0}, {kFault, 0.0}, {kFault + 60, 0.0}, {kFault + 120, 2.0}})}}}));
  Observation o = observe("cloudwatch.metric", restarts_check());
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["datapoint_count"], 3);
  EXPECT_EQ(o.evidence["time_to_match_s"], 120.0);
  EXPECT_GE(server_->calls("GetMetricData").size(), 3u);
}

TEST_F(AwsChecks, MetricFailsWhenOnlyDatapointsBeforeTheFaultMeetTheValue) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start(
      {{"metrics",
        {restarts_metric(
            {{kFault - 120, 4.0}, {kFault - 60, 1.0}, {kFault, 0.0}, {kFault + 60, 0.0}})}}}));
  Observation o = observe("cloudwatch.metric", restarts_check());
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("no datapoint of 2 is > 0"));
}

// --- logs.cloudwatch -----------------------------------------------------------------------

json event(int64_t at_ms, const std::string& stream, const std::string& message) {
  return {{"timestamp", at_ms}, {"logStreamName", stream}, {"message", message}};
}

json application_logs() {
  const int64_t ms = kFault * 1000;
  return {{"/aws/containerinsights/prod/application",
           {event(ms - 5000, "checkout-1", "OOMKilled before the drill"),
            event(ms + 1000, "checkout-1", "container OOMKilled: memory limit"),
            event(ms + 2000, "payments-1", "OOMKilled elsewhere"),
            event(ms + 3000, "checkout-2", "GET / 200"),
            event(ms + 4000, "checkout-2", "OOMKilled again"),
            event(ms + 5000, "checkout-1", "OOMKilled a third time")}}};
}

TEST_F(AwsChecks, LogsFollowEmptyPagesAndCountEventsSinceTheFault) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"page_size", 1}, {"empty_pages", 2}, {"log_groups", application_logs()}}));
  Observation o = observe("logs.cloudwatch", {{"group", "/aws/containerinsights/prod/application"},
                                              {"pattern", "OOMKilled"},
                                              {"streamPrefix", "checkout-"},
                                              {"count", 3}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["count"], 3);
  EXPECT_EQ(o.evidence["time_to_first_event_s"], 1.0);
  auto calls = server_->calls("FilterLogEvents");
  ASSERT_GE(calls.size(), 5u);  // two empty pages, then three of one event
  EXPECT_EQ(calls[0]["body"]["startTime"], kFault * 1000);
}

TEST_F(AwsChecks, LogsFailWhenTheOnlyMatchesAreOlderThanTheFault) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"log_groups", application_logs()}}));
  Observation o = observe("logs.cloudwatch", {{"group", "/aws/containerinsights/prod/application"},
                                              {"pattern", "before the drill"}});
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("0 events"));
}

json insights_scenario() {
  return {{"log_groups", application_logs()},
          {"insights",
           {{{"query", "filter @message like /OOMKilled/ | stats count(*) as kills"},
             {"running_polls", 2},
             {"rows", {{{"at", kFault + 30}, {"fields", {{"kills", "7"}}}}}}},
            {{"query", "filter @message like /panic/ | stats count(*) as panics"},
             {"rows", {{{"at", kFault - 30}, {"fields", {{"panics", "3"}}}}}}}}}};
}

TEST_F(AwsChecks, InsightsQueryPollsUntilCompleteAndComparesAField) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start(insights_scenario()));
  Observation o = observe("logs.cloudwatch",
                          {{"group", "/aws/containerinsights/prod/application"},
                           {"query", "filter @message like /OOMKilled/ | stats count(*) as kills"},
                           {"field", "kills"},
                           {"value", ">= 5"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_THAT(o.message, HasSubstr("kills = 7"));
  EXPECT_EQ(server_->calls("GetQueryResults").size(), 3u);
  EXPECT_EQ(server_->calls("StartQuery").at(0)["body"]["startTime"], kFault);
}

TEST_F(AwsChecks, InsightsQueryFailsOnRowsOlderThanTheFault) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start(insights_scenario()));
  Observation o = observe("logs.cloudwatch",
                          {{"group", "/aws/containerinsights/prod/application"},
                           {"query", "filter @message like /panic/ | stats count(*) as panics"}});
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("0 rows, not >= 1"));
}

TEST_F(AwsChecks, InsightsQueryStillRunningAtTheTimeoutIsStoppedAndInconclusive) {
  env_.static_keys(kKeyId, kSecret);
  json scenario = insights_scenario();
  scenario["insights"][0]["running_polls"] = 1000;
  ASSERT_TRUE(start(scenario));
  Observation o = observe("logs.cloudwatch",
                          {{"group", "/aws/containerinsights/prod/application"},
                           {"query", "filter @message like /OOMKilled/ | stats count(*) as kills"},
                           {"timeout", ns(1s)}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("still Running after 1s"));
  EXPECT_EQ(server_->calls("StopQuery").size(), 1u);
}

// A log group named by ARN (cross-account observability): FilterLogEvents takes it as
// logGroupIdentifier, StartQuery only in the list logGroupIdentifiers.
const std::string kGroupArn =
    "arn:aws:logs:us-east-1:123456789012:log-group:/aws/containerinsights/prod/application";

TEST_F(AwsChecks, LogsOnALogGroupArnNameItByLogGroupIdentifier) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start({{"log_groups", application_logs()}}));
  Observation o =
      observe("logs.cloudwatch", {{"group", kGroupArn}, {"pattern", "OOMKilled"}, {"count", 4}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  json body = server_->calls("FilterLogEvents").at(0)["body"];
  EXPECT_EQ(body["logGroupIdentifier"], kGroupArn);
  EXPECT_FALSE(body.contains("logGroupName"));
}

json insights_on_the_application_group() {
  json scenario = insights_scenario();
  // Rows only when the query covers this group: an ARN the server did not resolve finds none.
  scenario["insights"][0]["group"] = "/aws/containerinsights/prod/application";
  return scenario;
}

TEST_F(AwsChecks, InsightsQueryOnALogGroupArnSendsItInLogGroupIdentifiers) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start(insights_on_the_application_group()));
  Observation o = observe("logs.cloudwatch",
                          {{"group", kGroupArn},
                           {"query", "filter @message like /OOMKilled/ | stats count(*) as kills"},
                           {"field", "kills"},
                           {"value", ">= 5"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_THAT(o.message, HasSubstr("kills = 7"));
  json body = server_->calls("StartQuery").at(0)["body"];
  EXPECT_EQ(body["logGroupIdentifiers"], json::array({kGroupArn})) << body;
  EXPECT_FALSE(body.contains("logGroupIdentifier")) << body;
  EXPECT_FALSE(body.contains("logGroupName")) << body;
}

TEST_F(AwsChecks, InsightsQueryOnAnArnEndingInAWildcardQueriesTheGroup) {
  // DescribeLogGroups gives a group's arn with ":*" at the end; StartQuery refuses that form.
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(start(insights_on_the_application_group()));
  Observation o = observe(
      "logs.cloudwatch", {{"group", kGroupArn + ":*"},
                          {"query", "filter @message like /OOMKilled/ | stats count(*) as kills"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(server_->calls("StartQuery").at(0)["body"]["logGroupIdentifiers"],
            json::array({kGroupArn}));
}

// --- retries, refresh, refusals ------------------------------------------------------------

json one_alarm_scenario() {
  return {{"alarms", {metric_alarm("checkout-restarts", "ALARM", kFault + 30)}},
          {"history", {transition("checkout-restarts", kFault + 30, "OK", "ALARM")}}};
}

TEST_F(AwsChecks, ThrottlingIsRetriedWithBackoff) {
  env_.static_keys(kKeyId, kSecret);
  json scenario = one_alarm_scenario();
  scenario["faults"] = {{"DescribeAlarms", {"throttle", "throttle"}},
                        {"DescribeAlarmHistory", {"503", "429"}}};
  ASSERT_TRUE(start(scenario));
  Observation o = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(server_->calls("DescribeAlarms").size(), 3u);
  EXPECT_EQ(server_->calls("DescribeAlarmHistory").size(), 3u);
}

TEST_F(AwsChecks, ThrottlingThatOutlastsTheRetriesIsInconclusive) {
  env_.static_keys(kKeyId, kSecret);
  json scenario = one_alarm_scenario();
  scenario["faults"] = {{"DescribeAlarms", {"throttle", "throttle", "throttle", "throttle"}}};
  ASSERT_TRUE(start(scenario));
  Observation o = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("gave up after 4 attempts"));
  EXPECT_THAT(o.message, HasSubstr("Throttling"));
}

TEST_F(AwsChecks, ExpiredTokenFetchesNewContainerCredentialsAndRetriesOnce) {
  ASSERT_TRUE(
      start({{"log_groups", application_logs()}, {"faults", {{"FilterLogEvents", {"expired"}}}}}));
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/credentials"));
  env_.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
           env_.file("token", std::string(kContainerToken) + "\n").string());
  Observation o = observe("logs.cloudwatch", {{"group", "/aws/containerinsights/prod/application"},
                                              {"pattern", "OOMKilled"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(server_->calls("container").size(), 2u);
  auto calls = server_->calls("FilterLogEvents");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["status"], 400);
  EXPECT_EQ(calls[0]["key"], "ASIACONTRACT00000001");
  EXPECT_EQ(calls[1]["status"], 200);
  EXPECT_EQ(calls[1]["key"], "ASIACONTRACT00000002");
}

TEST_F(AwsChecks, ShortLivedCredentialsAreFetchedAgainBeforeTheyExpire) {
  json scenario = one_alarm_scenario();
  scenario["credential_lifetime"] = 120;  // inside the 5 minutes before expiry
  ASSERT_TRUE(start(scenario));
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/credentials"));
  env_.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kContainerToken);
  Observation o = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  // One fetch per call: DescribeAlarms and DescribeAlarmHistory each got fresh credentials.
  EXPECT_EQ(server_->calls("container").size(), 2u);
  EXPECT_EQ(server_->calls("DescribeAlarmHistory").at(0)["key"], "ASIACONTRACT00000002");
}

TEST_F(AwsChecks, AccessDeniedNamesTheActionAndIsInconclusive) {
  env_.static_keys(kKeyId, kSecret);
  ASSERT_TRUE(
      start({{"log_groups", application_logs()}, {"faults", {{"FilterLogEvents", {"denied"}}}}}));
  Observation o =
      observe("logs.cloudwatch", {{"group", "/aws/containerinsights/prod/application"}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("access denied"));
  EXPECT_THAT(o.message, HasSubstr("may not call logs:FilterLogEvents"));
  EXPECT_THAT(o.message, HasSubstr("is not authorized to perform"));
  EXPECT_THAT(o.message, HasSubstr("****ATIC"));
  EXPECT_THAT(o.message, Not(HasSubstr(kKeyId)));
  EXPECT_EQ(server_->calls("FilterLogEvents").size(), 1u);  // a refusal is not retried
}

TEST_F(AwsChecks, MalformedAnswersAreInconclusiveNeverAPass) {
  env_.static_keys(kKeyId, kSecret);
  json scenario = one_alarm_scenario();
  scenario["log_groups"] = application_logs();
  scenario["faults"] = {{"DescribeAlarms", {"malformed"}},
                        {"FilterLogEvents", {"malformed_shape"}}};
  ASSERT_TRUE(start(scenario));
  Observation alarm = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(alarm.verdict, Verdict::Inconclusive);
  EXPECT_THAT(alarm.message, HasSubstr("DescribeAlarms: the answer is not a JSON object"));
  Observation logs =
      observe("logs.cloudwatch", {{"group", "/aws/containerinsights/prod/application"}});
  EXPECT_EQ(logs.verdict, Verdict::Inconclusive);
  EXPECT_THAT(logs.message,
              HasSubstr("FilterLogEvents: the answer is malformed: events is not a list"));
}

// --- credential sources against the server -------------------------------------------------

TEST_F(AwsChecks, ProfileRoleIsAssumedThroughSts) {
  ASSERT_TRUE(start(one_alarm_scenario()));
  env_.file("config",
            "[profile drill]\nrole_arn = arn:aws:iam::123456789012:role/firedrill\n"
            "source_profile = base\nrole_session_name = firedrill-test\nduration_seconds = 900\n");
  env_.file("credentials", std::string("[base]\naws_access_key_id = ") + kKeyId +
                               "\naws_secret_access_key = " + kSecret + "\n");
  env_.set("AWS_PROFILE", "drill");
  Observation o = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(server_->calls("sts").size(), 1u);
  EXPECT_EQ(server_->calls("DescribeAlarms").at(0)["key"], "ASIACONTRACT00000001");
}

TEST_F(AwsChecks, WebIdentityFromTheEnvironment) {
  ASSERT_TRUE(start(one_alarm_scenario()));
  env_.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa-firedrill");
  env_.set("AWS_WEB_IDENTITY_TOKEN_FILE", env_.file("web-token", kWebToken).string());
  Observation o = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(server_->calls("sts").size(), 1u);
}

TEST_F(AwsChecks, RefusedWebIdentityTokenIsAClearError) {
  ASSERT_TRUE(start(one_alarm_scenario()));
  env_.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa-firedrill");
  env_.set("AWS_WEB_IDENTITY_TOKEN_FILE", env_.file("web-token", "not-the-token").string());
  Observation o = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("AssumeRoleWithWebIdentity"));
  EXPECT_THAT(o.message, HasSubstr("InvalidIdentityToken"));
  EXPECT_THAT(o.message, Not(HasSubstr("not-the-token")));
}

TEST_F(AwsChecks, InstanceMetadataV2) {
  ASSERT_TRUE(start(one_alarm_scenario()));
  env_.unset("AWS_EC2_METADATA_DISABLED");
  env_.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_->url());
  Observation o = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(server_->calls("imds token").size(), 1u);
  EXPECT_EQ(server_->calls("imds firedrill-node-role").size(), 1u);
}

TEST_F(AwsChecks, ContainerCredentialsWithAWrongTokenAreRefused) {
  ASSERT_TRUE(start(one_alarm_scenario()));
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/credentials"));
  env_.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-container-token");
  Observation o = observe("cloudwatch.alarm", {{"name", "checkout-restarts"}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("container credentials"));
  EXPECT_THAT(o.message, HasSubstr("status 401"));
  EXPECT_THAT(o.message, Not(HasSubstr("wrong-container-token")));
}

}  // namespace
}  // namespace firedrill::testing
