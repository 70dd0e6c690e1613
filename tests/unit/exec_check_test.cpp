#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "common/errors.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;
using testing::kind_params;
using ::testing::Not;
using testing::ns;

std::unique_ptr<Check> make(json given) {
  const CheckKind* kind = find_check_kind("exec");
  EXPECT_NE(kind, nullptr);
  return kind->create(kind_params(kind->schema, std::move(given)));
}

Observation observe(json given) {
  return make(std::move(given))->observe(CheckContext{});
}

TEST(ExecCheck, KindDeclaresItsParameters) {
  const CheckKind* kind = find_check_kind("exec");
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->freshness, "live: every poll observes the present");
  EXPECT_TRUE(kind->schema.find("command")->required);
  EXPECT_EQ(kind->schema.find("exitCode")->default_value, 0);
  EXPECT_EQ(kind->schema.find("timeout")->default_value, "10s");
}

TEST(ExecCheck, PassesOnExitCodeZero) {
  Observation o = observe({{"command", "echo healthy"}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["exit_code"], 0);
  EXPECT_EQ(o.evidence["output"], "healthy\n");
  EXPECT_TRUE(o.evidence["duration_ms"].is_number());
}

TEST(ExecCheck, FailsOnAnotherExitCode) {
  Observation o = observe({{"command", "echo down >&2; exit 3"}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_EQ(o.evidence["exit_code"], 3);
  EXPECT_EQ(o.evidence["output"], "down\n");
  EXPECT_THAT(o.message, HasSubstr("exit code 3, expected exit code 0"));
}

TEST(ExecCheck, ExpectedExitCodeIsAParameter) {
  EXPECT_EQ(observe({{"command", "exit 3"}, {"exitCode", 3}}).verdict, Verdict::Pass);
  EXPECT_EQ(observe({{"command", "exit 0"}, {"exitCode", 3}}).verdict, Verdict::Fail);
}

TEST(ExecCheck, OutputContainsLooksAtStdoutAndStderr) {
  EXPECT_EQ(observe({{"command", "echo ALERT firing >&2"}, {"outputContains", "firing"}}).verdict,
            Verdict::Pass);
  Observation o = observe({{"command", "echo resolved"}, {"outputContains", "firing"}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("output does not contain \"firing\""));
  EXPECT_EQ(o.evidence["failed"].size(), 1u);
}

TEST(ExecCheck, OutputMatches) {
  EXPECT_EQ(
      observe({{"command", "echo 'replicas: 5'"}, {"outputMatches", "replicas: [5-9]"}}).verdict,
      Verdict::Pass);
  Observation o =
      observe({{"command", "echo 'replicas: 2'"}, {"outputMatches", "replicas: [5-9]"}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("does not match /replicas: [5-9]/"));
}

TEST(ExecCheck, TimeoutFailsThePoll) {
  auto start = std::chrono::steady_clock::now();
  Observation o = observe({{"command", "sleep 30"}, {"timeout", ns(200ms)}});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_EQ(o.evidence["timed_out"], true);
  EXPECT_THAT(o.message, HasSubstr("timed out after 200ms"));
}

TEST(ExecCheck, EnvironmentIsUsedButNeverReported) {
  auto check =
      make({{"command", "test ${#TOKEN} -eq 6 && echo token set"}, {"env", {{"TOKEN", "s3cr3t"}}}});
  Observation o = check->observe(CheckContext{});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_THAT(o.evidence.dump(), Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(o.message, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(check->describe(), Not(HasSubstr("s3cr3t")));
}

TEST(ExecCheck, DescribeSaysWhatPasses) {
  auto check = make({{"command", "curl -fsS localhost/health"}, {"outputContains", "ok"}});
  EXPECT_EQ(check->describe(),
            "exec \"curl -fsS localhost/health\" -> exit code 0, output contains \"ok\"");
}

TEST(ExecCheck, BadParametersAreRejected) {
  EXPECT_THROW(make({{"command", ""}}), common::ValueError);
  EXPECT_THROW(make({{"command", "true"}, {"exitCode", 300}}), common::ValueError);
  EXPECT_THROW(make({{"command", "true"}, {"outputMatches", "(oops"}}), common::ValueError);
  EXPECT_THROW(make({{"command", "true"}, {"timeout", 0}}), common::ValueError);
}

}  // namespace
}  // namespace firedrill::validators
