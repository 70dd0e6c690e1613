// logs.loki and logs.elasticsearch parameters: bad ones are refused naming the parameter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/errors.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string error_of(const std::string& kind_name, json given) {
  const validators::CheckKind* kind = validators::find_check_kind(kind_name);
  if (!kind) return "no kind " + kind_name;
  try {
    kind->create(kind_params(kind->schema, std::move(given)));
  } catch (const common::ValueError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(LogCheckParams, LokiNeedsALogQueryAndAPositiveCount) {
  EXPECT_EQ(error_of("logs.loki", {{"query", "{app=\"checkout\"} |= \"OOM\""}, {"count", 3}}),
            "accepted");
  EXPECT_THAT(error_of("logs.loki", {{"query", "rate({app=\"x\"}[1m])"}}),
              HasSubstr("query: a LogQL log query starts with a stream selector"));
  EXPECT_THAT(error_of("logs.loki", {{"query", "{app=\"x\"}"}, {"count", 0}}),
              HasSubstr("count: must be at least 1"));
  EXPECT_THAT(error_of("logs.loki", {{"query", "{app=\"x\"}"}, {"tenant", "a\nb"}}),
              HasSubstr("tenant: must be on one line"));
}

TEST(LogCheckParams, ElasticsearchIndexAndCount) {
  EXPECT_EQ(error_of("logs.elasticsearch", {{"index", "logs-*"}, {"query", "level:error"}}),
            "accepted");
  EXPECT_THAT(error_of("logs.elasticsearch", {{"index", "_all"}}),
              HasSubstr("index: an index name or pattern"));
  EXPECT_THAT(error_of("logs.elasticsearch", {{"index", "a/b"}}), HasSubstr("index:"));
  EXPECT_THAT(error_of("logs.elasticsearch", {{"index", "logs"}, {"count", -1}}),
              HasSubstr("count: must be at least 1"));
  EXPECT_THAT(error_of("logs.elasticsearch", {{"index", "logs"}, {"timeField", ""}}),
              HasSubstr("timeField: must not be empty"));
}

}  // namespace
}  // namespace firedrill::testing
