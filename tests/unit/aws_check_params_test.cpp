// The AWS checks' parameters: bad ones are refused with the parameter's name and what is valid.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/check_param_error.hpp"
#include "tests/unit/kind_params.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(AwsCheckParams, AlarmNeedsExactlyOneOfNameAndPrefix) {
  EXPECT_THAT(check_param_error("cloudwatch.alarm", json::object()), HasSubstr("name or prefix"));
  EXPECT_THAT(check_param_error("cloudwatch.alarm", {{"name", "a"}, {"prefix", "b"}}),
              HasSubstr("give exactly one"));
  EXPECT_THAT(check_param_error("cloudwatch.alarm", {{"name", std::string(256, 'x')}}),
              HasSubstr("name: alarm names are at most 255"));
  EXPECT_EQ(check_param_error("cloudwatch.alarm", {{"prefix", "checkout-"}, {"state", "OK"}}),
            "accepted");
}

TEST(AwsCheckParams, MetricPeriodStatisticAndValue) {
  json base = {
      {"namespace", "ContainerInsights"}, {"metric", "pod_cpu_utilization"}, {"value", "> 80"}};
  EXPECT_EQ(check_param_error("cloudwatch.metric", base), "accepted");
  json p = base;
  p["period"] = ns(std::chrono::seconds(90));
  EXPECT_THAT(check_param_error("cloudwatch.metric", p),
              HasSubstr("period: must be 1s, 5s, 10s, 20s, 30s or a multiple of 1m"));
  p = base;
  p["period"] = ns(std::chrono::seconds(10));
  p["statistic"] = "p99.9";
  EXPECT_EQ(check_param_error("cloudwatch.metric", p), "accepted");
  p["statistic"] = "Median";
  EXPECT_THAT(check_param_error("cloudwatch.metric", p), HasSubstr("statistic: \"Median\" is not"));
  p = base;
  p["value"] = "about 80";
  EXPECT_THAT(check_param_error("cloudwatch.metric", p),
              HasSubstr("value: \"about 80\" is not a comparison"));
}

TEST(AwsCheckParams, LogsFilterAndInsightsModesDoNotMix) {
  const std::string group = "/aws/containerinsights/prod/application";
  EXPECT_EQ(
      check_param_error("logs.cloudwatch", {{"group", group}, {"pattern", "ERROR"}, {"count", 5}}),
      "accepted");
  EXPECT_THAT(check_param_error("logs.cloudwatch", {{"group", group}, {"count", 0}}),
              HasSubstr("count: must be at least 1"));
  EXPECT_THAT(
      check_param_error("logs.cloudwatch",
                        {{"group", group}, {"query", "stats count(*)"}, {"pattern", "ERROR"}}),
      HasSubstr("query: a Logs Insights query replaces pattern"));
  EXPECT_THAT(check_param_error("logs.cloudwatch", {{"group", group}, {"rows", "> 1"}}),
              HasSubstr("give a query too"));
  EXPECT_THAT(
      check_param_error("logs.cloudwatch",
                        {{"group", group}, {"query", "stats count(*) as n"}, {"field", "n"}}),
      HasSubstr("field and value: give both"));
  EXPECT_THAT(
      check_param_error("logs.cloudwatch",
                        {{"group", group}, {"query", "stats count(*) as n"}, {"rows", "many"}}),
      HasSubstr("rows: \"many\" is not a comparison"));
  EXPECT_EQ(
      check_param_error(
          "logs.cloudwatch",
          {{"group", group}, {"query", "stats count(*) as n"}, {"field", "n"}, {"value", ">= 5"}}),
      "accepted");
}

}  // namespace
}  // namespace firedrill::testing
