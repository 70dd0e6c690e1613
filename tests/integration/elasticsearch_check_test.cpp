// logs.elasticsearch against tests/fixtures/elasticsearch_contract_server.py, which checks each
// _count request as the Elasticsearch / OpenSearch references document it (the time range in
// epoch milliseconds, the body, basic auth, API keys, SigV4 for Amazon OpenSearch Service).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/aws_environment.hpp"
#include "tests/integration/contract_check_fixture.hpp"
#include "tests/integration/contract_server.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using validators::Observation;
using validators::Verdict;
using WallClock = std::chrono::system_clock;

constexpr char kPassword[] = "es-contract-password";
constexpr char kBasic[] =
    "Basic ZHJpbGw6ZXMtY29udHJhY3QtcGFzc3dvcmQ=";  // drill:es-contract-password
constexpr char kApiKey[] = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";
constexpr char kKeyId[] = "AKIDOPENSEARCH";
constexpr char kSecret[] = "opensearch/contract+secret";

const int64_t kFaultMs =
    (std::chrono::duration_cast<std::chrono::seconds>(WallClock::now().time_since_epoch()).count() -
     600) *
    1000;

json docs() {
  auto doc = [](int64_t seconds_after, const std::string& app, const std::string& message) {
    return json{{"@timestamp", kFaultMs + seconds_after * 1000},
                {"kubernetes.app", app},
                {"message", message}};
  };
  return {{"logs-2026.11.21",
           {doc(-60, "checkout", "OOMKilled before the drill"),
            doc(3, "checkout", "container OOMKilled"), doc(4, "payments", "OOMKilled"),
            doc(5, "checkout", "OOMKilled again"), doc(6, "checkout", "GET / 200")}},
          {"metrics-2026.11.21", json::array({doc(3, "checkout", "OOMKilled in metrics")})}};
}

class ElasticsearchCheck : public ContractCheckFixture<> {
 protected:
  bool start(json scenario, json settings) {
    scenario["docs"] = docs();
    if (!start_server(
            std::make_unique<ContractServer>("elasticsearch_contract_server.py", scenario),
            "Elasticsearch contract server")) {
      return false;
    }
    settings["url"] = server_->url();
    integrations_ = {{"elasticsearch", settings}, {"aws", {{"region", "eu-west-1"}}}};
    return true;
  }

  Observation observe(json given) {
    const WallClock::time_point fault{std::chrono::milliseconds(kFaultMs)};
    return observe_check("logs.elasticsearch", std::move(given), fault - std::chrono::minutes(5),
                         fault, {kPassword, kApiKey, kSecret});
  }

  AwsEnvironment env_;
};

const json kCheckoutOoms = {
    {"index", "logs-*"}, {"query", "kubernetes.app:checkout AND OOMKilled"}, {"count", 2}};

TEST_F(ElasticsearchCheck, BasicAuthCountsDocumentsSinceTheFault) {
  ASSERT_TRUE(start({{"auth", "basic"}, {"authorization", kBasic}},
                    {{"basicAuth", {{"username", "drill"}, {"password", kPassword}}}}));
  Observation o = observe(kCheckoutOoms);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["count"], 2);
  json sent = server_->control("log").at(0)["query"]["bool"]["filter"][0]["range"]["@timestamp"];
  EXPECT_EQ(sent["gte"], kFaultMs);
}

TEST_F(ElasticsearchCheck, FailsWhenOnlyOlderDocumentsMatch) {
  ASSERT_TRUE(start({{"auth", "basic"}, {"authorization", kBasic}},
                    {{"basicAuth", {{"username", "drill"}, {"password", kPassword}}}}));
  Observation o = observe({{"index", "logs-*"}, {"query", "before"}});
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("0 documents in logs-*"));
}

TEST_F(ElasticsearchCheck, FailedShardsAreInconclusiveNeverAPass) {
  ASSERT_TRUE(start({{"failed_shards", 1}}, json::object()));
  Observation o = observe(kCheckoutOoms);
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("1 of 5 shards failed"));
}

TEST_F(ElasticsearchCheck, ApiKey) {
  ASSERT_TRUE(start({{"auth", "apikey"}, {"authorization", std::string("ApiKey ") + kApiKey}},
                    {{"apiKey", kApiKey}}));
  EXPECT_EQ(observe(kCheckoutOoms).verdict, Verdict::Pass);
}

TEST_F(ElasticsearchCheck, SigV4ForAmazonOpenSearch) {
  ASSERT_TRUE(start({{"auth", "sigv4"},
                     {"region", "eu-west-1"},
                     {"credentials", json::array({std::string(kKeyId) + ":" + kSecret})}},
                    {{"auth", "sigv4"}}));
  env_.static_keys(kKeyId, kSecret);
  Observation o = observe(kCheckoutOoms);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
}

TEST_F(ElasticsearchCheck, MissingCredentialsAreInconclusive) {
  ASSERT_TRUE(start({{"auth", "basic"}, {"authorization", kBasic}}, json::object()));
  Observation o = observe(kCheckoutOoms);
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("status 401: security_exception"));
}

TEST_F(ElasticsearchCheck, AnUnknownAuthModeNamesTheSetting) {
  ASSERT_TRUE(start(json::object(), {{"auth", "oauth"}}));
  Observation o = observe(kCheckoutOoms);
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("integrations.elasticsearch.auth: \"oauth\" is not sigv4"));
}

}  // namespace
}  // namespace firedrill::testing
