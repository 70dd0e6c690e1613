#include "validators/live_check_support.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "common/errors.hpp"

namespace firedrill::validators::live {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(TextExpectation, NothingGivenExpectsNothing) {
  TextExpectation body(json::object(), "body");
  EXPECT_EQ(body.describe(), "");
  std::vector<std::string> failed;
  body.check("anything", failed);
  EXPECT_TRUE(failed.empty());
}

TEST(TextExpectation, ContainsAndMatchesNameTheirSubject) {
  TextExpectation output({{"outputContains", "ok"}, {"outputMatches", "up|ready"}}, "output");
  EXPECT_EQ(output.describe(), ", output contains \"ok\", output matches /up|ready/");
  std::vector<std::string> failed;
  output.check("ok, ready", failed);
  EXPECT_TRUE(failed.empty());
  output.check("down", failed);
  EXPECT_EQ(failed, (std::vector<std::string>{"output does not contain \"ok\"",
                                              "output does not match /up|ready/"}));
}

TEST(TextExpectation, BadRegularExpressionNamesTheParameter) {
  try {
    TextExpectation({{"bodyMatches", "(oops"}}, "body");
    FAIL() << "an unclosed group was accepted";
  } catch (const common::ValueError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("bodyMatches: ", 0), 0u) << e.what();
  }
}

TEST(Conclude, PassesWhenNothingFailed) {
  Observation o;
  conclude(o, {}, "status 200 in 1ms");
  EXPECT_EQ(o.verdict, Verdict::Pass);
  EXPECT_EQ(o.message, "status 200 in 1ms");
  EXPECT_FALSE(o.evidence.contains("failed"));
}

TEST(Conclude, FailsWithEveryFailure) {
  Observation o;
  conclude(o, {"status 500 is not 2xx", "body does not contain \"ok\""}, "unused");
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_EQ(o.message, "status 500 is not 2xx; body does not contain \"ok\"");
  EXPECT_EQ(o.evidence["failed"],
            json::array({"status 500 is not 2xx", "body does not contain \"ok\""}));
}

TEST(Milliseconds, RoundedToTheMicrosecond) {
  EXPECT_DOUBLE_EQ(milliseconds(1234567ns), 1.235);
  EXPECT_DOUBLE_EQ(milliseconds(2s), 2000.0);
}

}  // namespace
}  // namespace firedrill::validators::live
