#include "scenarios/param_validation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/drill_test_support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

// A drill whose only check is `probe: PARAMS`, written on line 10 from column 11.
std::string probe_drill(const std::string& params) {
  return kHead +
         "steps:\n  - validate:\n      eventually: 1m\n      checks:\n        - probe: " + params +
         "\n";
}

TEST(ParamValidation, EveryFieldTypeIsConverted) {
  const std::string params = R"(
            name: disk
            count: 42
            ratio: 0.25
            enabled: true
            every: 1m30s
            tags: [a, b]
            labels: {a: 1, b: two}
            codes: 200
            extra: {nested: [1, "two", true, ~], n: 1.5})";
  auto outcome = parse(probe_drill(params));
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  EXPECT_EQ(outcome.drill->steps.at(0).checks.at(0).params, json::parse(R"({
      "name": "disk", "count": 42, "ratio": 0.25, "enabled": true, "every": 90000000000,
      "tags": ["a", "b"], "labels": {"a": "1", "b": "two"}, "codes": [200],
      "extra": {"nested": [1, "two", true, null], "n": 1.5}})"));
}

TEST(ParamValidation, SingleValuesBecomeListsAndDefaultsAreFilledIn) {
  auto outcome = parse(probe_drill("{tags: solo, codes: [500, 503]}"));
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  EXPECT_EQ(outcome.drill->steps.at(0).checks.at(0).params,
            json::parse(R"({"tags": ["solo"], "codes": [500, 503], "ratio": 0.5})"));
}

TEST(ParamValidation, EachTypeErrorAtItsValue) {
  const std::string params = R"(
            count: many
            ratio: half
            enabled: yes
            every: 10
            tags: {a: 1}
            labels: [a]
            codes: [1, x]
            extra: 5)";
  auto outcome = parse(probe_drill(params));
  EXPECT_THAT(
      error_lines(outcome),
      ElementsAre("11:20: expected a whole number, got `many`",
                  "12:20: expected a number, got `half`",
                  "13:22: expected true or false, got `yes`",
                  "14:20: expected a duration like 30s, got `10`",
                  "15:19: expected a string or a list of strings, got a map",
                  "16:21: expected a map of names to strings, got a list",
                  "17:24: expected a whole number, got `x`", "18:20: expected a map, got `5`"));
}

TEST(ParamValidation, KindWithoutParameters) {
  scenarios::KindCatalog kinds = test_kinds();
  kinds.checks.push_back({"noop", "", {}});
  const std::string drill = kHead +
                            "steps:\n  - validate:\n      eventually: 1m\n      checks:\n"
                            "        - noop:\n        - noop: {}\n        - noop: {x: 1}\n";
  auto outcome = scenarios::parse_drill_text(drill, "drill.yaml", env_of({}), kinds);
  EXPECT_THAT(error_lines(outcome),
              ElementsAre("12:18: unknown key `x` in noop check: it takes no keys"));
}

TEST(ParamValidation, NormalizedDefaults) {
  using scenarios::normalized_default;
  EXPECT_EQ(normalized_default({"t", FieldType::Duration, false, "", {}, "1.5s"}),
            json(1'500'000'000));
  EXPECT_EQ(normalized_default({"t", FieldType::Duration, false, "", {}, 7}), json(7));
  EXPECT_EQ(normalized_default({"s", FieldType::StringList, false, "", {}, "2xx"}), json({"2xx"}));
  EXPECT_EQ(normalized_default({"c", FieldType::IntegerList, false, "", {}, 200}), json({200}));
  EXPECT_EQ(normalized_default({"n", FieldType::Integer, false, "", {}, 3}), json(3));
  EXPECT_TRUE(normalized_default({"n", FieldType::String, false, "", {}, {}}).is_null());
}

}  // namespace
}  // namespace firedrill::testing
