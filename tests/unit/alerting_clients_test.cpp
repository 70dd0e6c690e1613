// The pieces of the Prometheus and Alertmanager clients and checks that need no server.
#include <gtest/gtest.h>

#include "clients/alertmanager_client.hpp"
#include "clients/integrations.hpp"
#include "common/errors.hpp"
#include "common/rfc3339.hpp"
#include "local/notification_formats.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using namespace std::chrono_literals;
using common::format_rfc3339;
using common::parse_rfc3339;
using nlohmann::json;

TEST(Rfc3339, ParsesWhatPrometheusAndAlertmanagerWrite) {
  auto utc = parse_rfc3339("2018-07-04T18:27:12.60602144Z");
  auto offset = parse_rfc3339("2018-07-04T20:27:12.60602144+02:00");
  ASSERT_TRUE(utc && offset);
  EXPECT_EQ(*utc, *offset);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::nanoseconds>(utc->time_since_epoch()).count(),
            1530728832606021440);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z")->time_since_epoch().count(), 0);
  EXPECT_EQ(format_rfc3339(*utc), "2018-07-04T18:27:12.606Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2024-02-29T23:59:59.999-01:00")),
            "2024-03-01T00:59:59.999Z");
  // CloudWatch alarm messages' StateChangeTime.
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2017-01-12T16:30:42.236+0000")),
            "2017-01-12T16:30:42.236Z");
}

TEST(Rfc3339, RejectsOtherTextAndPlaceholders) {
  EXPECT_FALSE(parse_rfc3339("0001-01-01T00:00:00Z"));  // Go's zero time: "no end"
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("2018-07-04 18:27:12"));
  EXPECT_FALSE(parse_rfc3339("2018-07-04T18:27:12.Z"));
  EXPECT_FALSE(parse_rfc3339("2018-13-04T18:27:12Z"));
  EXPECT_FALSE(parse_rfc3339("2018-07-04T18:27:12Zjunk"));
  EXPECT_FALSE(parse_rfc3339("2018-07-04T18:27:12+02"));
  EXPECT_FALSE(parse_rfc3339("2018-07-04T18:27:12+02:0"));
}

TEST(AlertmanagerQuery, FiltersAreQuotedAndEncoded) {
  clients::AlertmanagerFilter filter;
  filter.active = true;
  filter.silenced = false;
  filter.labels = {{"alertname", "KubePodOOMKilled"}, {"msg", "a \"b\"\\c"}};
  EXPECT_EQ(clients::alertmanager_query(filter),
            "?active=true&silenced=false&filter=alertname%3D%22KubePodOOMKilled%22"
            "&filter=msg%3D%22a%20%5C%22b%5C%22%5C%5Cc%22");
  EXPECT_EQ(clients::alertmanager_query({}), "");
}

// What a check calls for integrations.prometheus (or its own url) of `block`.
clients::Endpoint prometheus_endpoint(const json& block, const std::string& url = "") {
  const clients::Integrations integrations(block);
  return integrations.endpoint(integrations.prometheus, "prometheus", "Prometheus", url);
}

TEST(MonitoringEndpoint, CredentialsBecomeHeaders) {
  json integrations = {{"prometheus",
                        {{"url", "https://prom.example:9090/"},
                         {"basicAuth", {{"username", "Aladdin"}, {"password", "open sesame"}}},
                         {"headers", {{"X-Scope-OrgID", "tenant-1"}}},
                         {"insecure", true}}}};
  auto e = prometheus_endpoint(integrations);
  EXPECT_EQ(e.base_url, "https://prom.example:9090");
  EXPECT_TRUE(e.insecure);
  EXPECT_EQ(e.headers, (common::Headers{{"X-Scope-OrgID", "tenant-1"},
                                        {"Authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}}));
  // A check's own URL gets none of the integration's credentials.
  auto own = prometheus_endpoint(integrations, "http://other:9090");
  EXPECT_EQ(own.base_url, "http://other:9090");
  EXPECT_TRUE(own.headers.empty());
}

TEST(MonitoringEndpoint, SaysWhatIsMissingWithoutShowingSecrets) {
  try {
    const clients::Integrations& none = clients::Integrations::none();
    none.endpoint(none.alertmanager, "alertmanager", "Alertmanager", "");
    FAIL() << "no URL was accepted";
  } catch (const common::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("integrations.alertmanager.url"), std::string::npos);
  }
  json bad = {{"prometheus", {{"url", "ftp://u:hunter2@x"}}}};
  try {
    prometheus_endpoint(bad);
    FAIL() << "an ftp URL was accepted";
  } catch (const common::ValueError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
  json token = {{"prometheus", {{"url", "http://x"}, {"bearerToken", 42}}}};
  EXPECT_THROW(prometheus_endpoint(token), common::ValueError);
}

TEST(NotificationFormats, DeepJsonIsRefusedBeforeParsing) {
  EXPECT_TRUE(local::json_depth_within(R"({"a": [1, {"b": "[[[[["}]})", 3));
  EXPECT_FALSE(local::json_depth_within("[[[[", 3));
  EXPECT_TRUE(local::json_depth_within(R"(["\"[[[[[["])", 1));
}

std::unique_ptr<validators::Check> create(const std::string& kind_name, json params) {
  const validators::CheckKind* kind = validators::find_check_kind(kind_name);
  EXPECT_NE(kind, nullptr) << kind_name;
  return kind->create(kind_params(kind->schema, std::move(params)));
}

TEST(AlertingChecks, AreRegisteredWithTheirFreshness) {
  for (const char* name :
       {"prometheus.alert", "prometheus.query", "alertmanager.alert", "receiver.notification"}) {
    const validators::CheckKind* kind = validators::find_check_kind(name);
    ASSERT_NE(kind, nullptr) << name;
    EXPECT_FALSE(kind->freshness.empty()) << name;
    EXPECT_FALSE(kind->summary.empty()) << name;
  }
}

TEST(AlertingChecks, RejectBadParameters) {
  EXPECT_THROW(create("prometheus.query", {{"query", "up"}, {"value", "about 5"}}),
               common::ValueError);
  EXPECT_THROW(create("prometheus.query", {{"query", "up"}, {"value", "> "}}), common::ValueError);
  EXPECT_THROW(create("prometheus.query", {{"query", ""}}), common::ValueError);
  EXPECT_THROW(
      create("alertmanager.alert", {{"name", "A"}, {"silenced", true}, {"state", "active"}}),
      common::ValueError);
  EXPECT_THROW(create("prometheus.alert", {{"name", ""}}), common::ValueError);
  EXPECT_NO_THROW(create("prometheus.query", {{"query", "up"}, {"value", "!=+Inf"}}));
  EXPECT_NO_THROW(create("alertmanager.alert", {{"name", "A"}, {"silenced", true}}));
}

TEST(AlertingChecks, DescribeWhatTheyExpect) {
  EXPECT_EQ(
      create("prometheus.query", {{"query", "up"}, {"value", "> 0.05"}, {"any", true}})->describe(),
      "Prometheus query \"up\" has a sample > 0.05");
  EXPECT_EQ(create("prometheus.alert",
                   {{"name", "Down"}, {"labels", {{"job", "api"}}}, {"expect", "absent"}})
                ->describe(),
            "Prometheus alert Down{job=\"api\"} is not firing");
  EXPECT_EQ(create("alertmanager.alert", {{"name", "Down"}, {"receiver", "pager"}})->describe(),
            "Alertmanager alert Down is active, routed to pager, since the fault");
  EXPECT_EQ(
      create("receiver.notification", {{"alertname", "Down"}, {"format", "slack"}})->describe(),
      "a firing Down notification (slack) reaches the receiver");
}

}  // namespace
}  // namespace firedrill::testing
