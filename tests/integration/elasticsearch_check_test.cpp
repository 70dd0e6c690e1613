// logs.elasticsearch against tests/fixtures/elasticsearch_contract_server.py, which answers
// _count as the Elasticsearch reference documents it (the standard analyzer on text fields, the
// query_string syntax, multi-target index names, index_not_found_exception, shard failures, basic
// auth, API keys, SigV4 for Amazon OpenSearch Service), held to that reference by
// tests/contracts/elasticsearch_query_dsl_test.py.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

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
    scenario["mappings"] = {{"*", {{"@timestamp", "date"}}}};
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
  ASSERT_TRUE(start({{"number_of_shards", 5}, {"failed_shards", 1}}, json::object()));
  Observation o = observe(kCheckoutOoms);
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_THAT(o.message, HasSubstr("1 of 5 shards failed"));
}

// Elasticsearch matches the query's words against the tokens the standard analyzer made of the
// message: OOMKilled is the one token oomkilled, so OOM finds nothing and either case finds it.
TEST_F(ElasticsearchCheck, TheQueryMatchesAnalysedWordsNotSubstrings) {
  ASSERT_TRUE(start(json::object(), json::object()));
  Observation oom = observe({{"index", "logs-*"}, {"query", "OOM"}});
  EXPECT_EQ(oom.verdict, Verdict::Fail) << oom.message;
  EXPECT_THAT(oom.message, HasSubstr("0 documents in logs-*"));
  for (const char* query : {"OOMKilled", "oomkilled"}) {
    Observation o = observe({{"index", "logs-*"}, {"query", query}, {"count", 3}});
    EXPECT_EQ(o.verdict, Verdict::Pass) << query << ": " << o.message;
    EXPECT_EQ(o.evidence["count"], 3) << query;
  }
  Observation keyword = observe({{"index", "logs-*"}, {"query", "kubernetes.app.keyword:check*"}});
  EXPECT_EQ(keyword.verdict, Verdict::Pass) << keyword.message;
}

TEST_F(ElasticsearchCheck, AMissingIndexIsInconclusiveAndNamed) {
  ASSERT_TRUE(start(json::object(), json::object()));
  Observation o = observe({{"index", "logs-missing"}, {"query", "OOMKilled"}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive) << o.message;
  EXPECT_THAT(o.message, HasSubstr("Elasticsearch has no index or alias logs-missing"));
  EXPECT_THAT(o.message, HasSubstr("status 404: index_not_found_exception: no such index "
                                   "[logs-missing]"));
}

TEST_F(ElasticsearchCheck, APatternMatchingNoIndexCountsNothing) {
  ASSERT_TRUE(start(json::object(), json::object()));
  Observation o = observe({{"index", "nothing-*"}, {"query", "OOMKilled"}});
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("0 documents in nothing-*"));
}

TEST_F(ElasticsearchCheck, ACommaSeparatedListCountsEveryIndex) {
  ASSERT_TRUE(start(json::object(), json::object()));
  Observation o =
      observe({{"index", "logs-2026.11.21,metrics-*"}, {"query", "OOMKilled"}, {"count", 4}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["count"], 4);
}

// Invalid query_string syntax fails every shard: 400, never a count.
TEST_F(ElasticsearchCheck, AnInvalidQueryStringIsInconclusive) {
  ASSERT_TRUE(start(json::object(), json::object()));
  Observation o = observe({{"index", "logs-*"}, {"query", "kubernetes.app:(checkout"}});
  EXPECT_EQ(o.verdict, Verdict::Inconclusive) << o.message;
  EXPECT_THAT(o.message, HasSubstr("status 400: search_phase_execution_exception"));
  // Not only "all shards failed": what the user must mend.
  EXPECT_THAT(o.message, HasSubstr("Failed to parse query [kubernetes.app:(checkout]"));
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
  EXPECT_THAT(refusal(), HasSubstr("integrations.elasticsearch.auth: \"oauth\" is not sigv4"));
}

// A whole drill (`firedrill run`): its logs.elasticsearch check polls until the log line, stamped
// a moment after the drill starts, is in the time range; as in Elasticsearch, OOMKilled finds it
// and OOM never does.
class ElasticsearchDrill : public ::testing::Test {
 protected:
  CommandResult run_drill(const std::string& query) {
    const int64_t soon =
        std::chrono::duration_cast<std::chrono::milliseconds>(WallClock::now().time_since_epoch())
            .count() +
        1500;
    json scenario = {
        {"docs",
         {{"logs-drill",
           json::array({{{"@timestamp", soon}, {"message", "container checkout OOMKilled"}}})}}},
        {"mappings", {{"*", {{"@timestamp", "date"}}}}}};
    ContractServer server("elasticsearch_contract_server.py", scenario);
    EXPECT_TRUE(server.running()) << server.log();
    const fs::path file = dir_.path() / "drill.yaml";
    std::ofstream(file) << "apiVersion: firedrill/v1\nkind: Drill\n"
                        << "metadata: {name: es-words}\n"
                        << "integrations:\n  elasticsearch: {url: \"" << server.url() << "\"}\n"
                        << "steps:\n  - name: logs\n    validate:\n      eventually: 5s\n"
                        << "      interval: 250ms\n"
                        << "      checks: [{logs.elasticsearch: {index: \"logs-*\", query: \""
                        << query << "\"}}]\n";
    const fs::path out = dir_.path() / "out";
    CommandResult r = run_firedrill({"run", "-q", "--out-dir", out.string(), file.string()}, false);
    if (fs::exists(out / "result.json")) r.json = json::parse(read_text(out / "result.json"));
    EXPECT_EQ(server.control("violations"), json::array()) << "the contract was broken";
    return r;
  }

  TempDir dir_;
};

TEST_F(ElasticsearchDrill, OomFindsNoOomKilledLine) {
  CommandResult r = run_drill("OOM");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  ASSERT_TRUE(r.json.is_object()) << r.out << r.err;
  EXPECT_EQ(r.json.at("verdict"), "failed");
}

TEST_F(ElasticsearchDrill, OomKilledInEitherCaseFindsIt) {
  for (const char* query : {"OOMKilled", "oomkilled"}) {
    CommandResult r = run_drill(query);
    EXPECT_EQ(r.exit_code, 0) << query << ": " << r.out << r.err;
    ASSERT_TRUE(r.json.is_object()) << r.out << r.err;
    EXPECT_EQ(r.json.at("verdict"), "passed") << query;
  }
}

}  // namespace
}  // namespace firedrill::testing
