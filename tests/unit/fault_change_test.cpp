#include "target/fault_change.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/errors.hpp"

namespace firedrill::target {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string error_of(std::string_view body) {
  try {
    parse_fault_change(body);
  } catch (const common::ValueError& e) {
    return e.what();
  }
  ADD_FAILURE() << body << " was accepted";
  return "";
}

TEST(FaultChange, AbsentFieldsStayUnsetAndNullEndsAFault) {
  FaultChange change = parse_fault_change(R"({"error_rate": 0.25, "crash_after": null})");
  ASSERT_TRUE(change.error_rate.has_value());
  EXPECT_EQ(change.error_rate->value(), 0.25);
  ASSERT_TRUE(change.crash_after.has_value());
  EXPECT_FALSE(change.crash_after->has_value());
  EXPECT_FALSE(change.extra_latency.has_value());
  EXPECT_FALSE(change.leak_mb_per_s.has_value());
}

TEST(FaultChange, DurationsAreStringsWithUnitsOrMilliseconds) {
  EXPECT_EQ(parse_fault_change(R"({"extra_latency": "1.5s"})").extra_latency->value(), 1500ms);
  EXPECT_EQ(parse_fault_change(R"({"extra_latency": 250})").extra_latency->value(), 250ms);
  EXPECT_EQ(parse_fault_change(R"({"extra_latency": "0"})").extra_latency->value(), 0ms);
  EXPECT_EQ(parse_fault_change(R"({"crash_after": "2m"})").crash_after->value(), 2min);
  EXPECT_EQ(parse_fault_change(R"({"leak_mb_per_s": 64})").leak_mb_per_s->value(), 64.0);
}

TEST(FaultChange, EachBadValueNamesItsFieldAndTheValidRange) {
  EXPECT_THAT(error_of("nope"), HasSubstr("not valid JSON"));
  EXPECT_THAT(error_of("3"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(error_of("{}"), HasSubstr("sets no fault"));
  EXPECT_THAT(error_of(R"({"error_rate": -0.1})"),
              HasSubstr("error_rate must be a number from 0 to 1"));
  EXPECT_THAT(error_of(R"({"error_rate": true})"), HasSubstr("error_rate"));
  EXPECT_THAT(error_of(R"({"extra_latency": "5"})"),
              HasSubstr("extra_latency: \"5\" is not a duration"));
  EXPECT_THAT(error_of(R"({"extra_latency": "11m"})"), HasSubstr("0 to 10m"));
  EXPECT_THAT(error_of(R"({"leak_mb_per_s": 20000})"), HasSubstr("from 0 to 10240"));
  EXPECT_THAT(error_of(R"({"crash_after": 0})"), HasSubstr("more than 0"));
  EXPECT_THAT(error_of(R"({"crash_after": "25h"})"), HasSubstr("up to 24h"));
  EXPECT_THAT(error_of(R"({"latency": "1s"})"), HasSubstr("unknown field \"latency\""));
}

}  // namespace
}  // namespace firedrill::target
