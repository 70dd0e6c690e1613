// logs.loki and logs.elasticsearch parameters: bad ones are refused naming the parameter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/check_param_error.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(LogCheckParams, LokiNeedsALogQueryAndAPositiveCount) {
  EXPECT_EQ(
      check_param_error("logs.loki", {{"query", "{app=\"checkout\"} |= \"OOM\""}, {"count", 3}}),
      "accepted");
  EXPECT_THAT(check_param_error("logs.loki", {{"query", "rate({app=\"x\"}[1m])"}}),
              HasSubstr("query: a LogQL log query starts with a stream selector"));
  EXPECT_THAT(check_param_error("logs.loki", {{"query", "{app=\"x\"}"}, {"count", 0}}),
              HasSubstr("count: must be at least 1"));
  EXPECT_THAT(check_param_error("logs.loki", {{"query", "{app=\"x\"}"}, {"tenant", "a\nb"}}),
              HasSubstr("tenant: must be on one line"));
}

TEST(LogCheckParams, ElasticsearchIndexAndCount) {
  EXPECT_EQ(
      check_param_error("logs.elasticsearch", {{"index", "logs-*"}, {"query", "level:error"}}),
      "accepted");
  EXPECT_THAT(check_param_error("logs.elasticsearch", {{"index", "_all"}}),
              HasSubstr("index: an index name or pattern"));
  EXPECT_THAT(check_param_error("logs.elasticsearch", {{"index", "a/b"}}), HasSubstr("index:"));
  EXPECT_THAT(check_param_error("logs.elasticsearch", {{"index", "logs"}, {"count", -1}}),
              HasSubstr("count: must be at least 1"));
  EXPECT_THAT(check_param_error("logs.elasticsearch", {{"index", "logs"}, {"timeField", ""}}),
              HasSubstr("timeField: must not be empty"));
}

}  // namespace
}  // namespace firedrill::testing
