#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/errors.hpp"
#include "loadgen/engine.hpp"
#include "loadgen/load_rules.hpp"

namespace firedrill::loadgen {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

// A closed loop of 10 connections for 10 s at one http:// URL: valid.
LoadValues valid_closed_loop() {
  LoadValues v;
  v.urls = {"http://127.0.0.1:8080/"};
  v.connections = 10;
  v.duration = seconds(10);
  return v;
}

LoadValues valid_open_loop() {
  LoadValues v = valid_closed_loop();
  v.rate = 100;
  return v;
}

// The flag names of `firedrill load`, enough to see that messages name other fields in the
// caller's terms.
LoadTerms flag_terms() {
  return {[](LoadField f) { return "--" + std::string(field_name(f)); }, "run"};
}

std::string describe(const std::vector<LoadViolation>& violations) {
  std::string text;
  for (const auto& v : violations)
    text += std::string(field_name(v.field)) + ": " + v.message + "\n";
  return text;
}

// The only violation of `values`; fails the test when there is not exactly one.
LoadViolation only_violation(const LoadValues& values, const LoadTerms& terms = {}) {
  std::vector<LoadViolation> violations = check_load(values, terms);
  EXPECT_EQ(violations.size(), 1u) << describe(violations);
  return violations.empty() ? LoadViolation{} : violations.front();
}

// Expects `values` to break exactly one rule, of `field`, saying `message`.
LoadViolation expect_violation(const LoadValues& values, LoadField field, ViolationKind kind,
                               const std::string& message, const LoadTerms& terms = {}) {
  LoadViolation violation = only_violation(values, terms);
  EXPECT_EQ(violation.field, field) << field_name(field);
  EXPECT_EQ(violation.kind, kind) << field_name(field);
  EXPECT_EQ(violation.message, message) << field_name(field);
  return violation;
}

void expect_valid(const LoadValues& values) {
  std::vector<LoadViolation> violations = check_load(values);
  EXPECT_TRUE(violations.empty()) << describe(violations);
}

TEST(LoadRules, ValidClosedAndOpenLoopsPass) {
  expect_valid(valid_closed_loop());
  expect_valid(valid_open_loop());
}

struct CountCase {
  LoadField field;
  std::optional<uint64_t> LoadValues::*member;
  uint64_t minimum;
  uint64_t maximum;
  std::string expected;
};

void PrintTo(const CountCase& c, std::ostream* os) {
  *os << field_name(c.field);
}

class CountLimits : public ::testing::TestWithParam<CountCase> {};

TEST_P(CountLimits, BoundsPassAndOutsideIsAValueViolation) {
  const CountCase& c = GetParam();
  // maxQueue only applies to an open loop.
  LoadValues v = c.field == LoadField::MaxQueue ? valid_open_loop() : valid_closed_loop();
  v.*c.member = c.minimum;
  expect_valid(v);
  v.*c.member = c.maximum;
  expect_valid(v);
  EXPECT_EQ(expected_count(c.field), c.expected);
  std::vector<uint64_t> bad_values = {c.minimum - 1};
  if (c.maximum < UINT64_MAX) bad_values.push_back(c.maximum + 1);
  for (uint64_t bad : bad_values) {
    v.*c.member = bad;
    SCOPED_TRACE(bad);
    expect_violation(v, c.field, ViolationKind::Value, c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryCount, CountLimits,
    ::testing::Values(CountCase{LoadField::Connections, &LoadValues::connections, 1, 1'000'000,
                                "a whole number from 1 to 1000000"},
                      CountCase{LoadField::Streams, &LoadValues::streams, 1, 100'000,
                                "a whole number from 1 to 100000"},
                      CountCase{LoadField::Threads, &LoadValues::threads, 1, 1024,
                                "a whole number from 1 to 1024"},
                      CountCase{LoadField::MaxRequests, &LoadValues::max_requests, 1, UINT64_MAX,
                                "a whole number of at least 1"},
                      CountCase{LoadField::MaxQueue, &LoadValues::max_queue, 1, 100'000'000,
                                "a whole number from 1 to 100000000"}),
    [](const ::testing::TestParamInfo<CountCase>& info) {
      return std::string(field_name(info.param.field));
    });

struct PositiveDurationCase {
  LoadField field;
  std::optional<Duration> LoadValues::*member;
};

class PositiveDurations : public ::testing::TestWithParam<PositiveDurationCase> {};

TEST_P(PositiveDurations, MoreThanZeroPassesZeroOrLessIsAValueViolation) {
  const PositiveDurationCase& c = GetParam();
  LoadValues v = valid_closed_loop();
  v.max_requests = 100;  // so that the run has an end whatever the duration
  v.*c.member = std::chrono::milliseconds(1);
  expect_valid(v);
  for (Duration bad : {Duration(0), Duration(-1)}) {
    v.*c.member = bad;
    expect_violation(v, c.field, ViolationKind::Value, "a duration longer than 0, like 30s");
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryPositiveDuration, PositiveDurations,
    ::testing::Values(PositiveDurationCase{LoadField::Duration, &LoadValues::duration},
                      PositiveDurationCase{LoadField::Timeout, &LoadValues::timeout},
                      PositiveDurationCase{LoadField::ConnectTimeout,
                                           &LoadValues::connect_timeout}),
    [](const ::testing::TestParamInfo<PositiveDurationCase>& info) {
      return std::string(field_name(info.param.field));
    });

TEST(LoadRules, WarmupMayBeZeroButNotNegative) {
  LoadValues v = valid_closed_loop();
  v.warmup = Duration(0);
  expect_valid(v);
  v.warmup = seconds(5);
  expect_valid(v);
  v.warmup = Duration(-1);
  expect_violation(v, LoadField::Warmup, ViolationKind::Value, "a duration of 0 or more, like 30s");
}

TEST(LoadRules, RateMustBeMoreThanZeroWithoutStages) {
  LoadValues v = valid_open_loop();
  v.rate = 0.5;
  expect_valid(v);
  v.rate = 0;
  expect_violation(v, LoadField::Rate, ViolationKind::Value,
                   "a rate more than 0, like 500/s (use --stages to ramp from or to 0)",
                   flag_terms());
}

TEST(LoadRules, StagesMayRampFromZeroButNotFromBelow) {
  LoadValues v = valid_open_loop();
  v.duration.reset();
  v.stages = true;
  v.rate = 0;
  expect_valid(v);
  v.rate = -1;
  expect_violation(v, LoadField::Rate, ViolationKind::Value, "a rate of 0/s or more, like 500/s");
}

TEST(LoadRules, OpenLoopSettingsNeedAnOpenLoop) {
  const std::string message = "only applies to an open-loop profile (with rate or stages)";
  LoadTerms drill_terms{[](LoadField f) { return f == LoadField::Rate ? "rate" : "stages"; },
                        "profile"};
  for (LoadField field : {LoadField::MaxQueue, LoadField::Arrival, LoadField::Pacer}) {
    LoadValues v = valid_open_loop();
    if (field == LoadField::MaxQueue) v.max_queue = 10;
    if (field == LoadField::Arrival) v.arrival = true;
    if (field == LoadField::Pacer) v.pacer = true;
    expect_valid(v);
    v.rate.reset();
    expect_violation(v, field, ViolationKind::Combination, message, drill_terms);
  }
}

TEST(LoadRules, AMaxQueueOutsideAnOpenLoopIsNotJudgedFurther) {
  LoadValues v = valid_closed_loop();
  v.max_queue = 0;
  EXPECT_EQ(only_violation(v).kind, ViolationKind::Combination);
}

TEST(LoadRules, ARequestCountIsForAClosedLoopOnly) {
  LoadValues v = valid_closed_loop();
  v.duration.reset();
  v.max_requests = 1000;
  expect_valid(v);
  v.rate = 100;
  expect_violation(
      v, LoadField::MaxRequests, ViolationKind::Combination,
      "cannot be combined with --start_rate or --stages: an open-loop run is bounded by "
      "--duration or by its stages",
      flag_terms());
}

TEST(LoadRules, AClosedLoopNeedsACountOrADurationUnlessOneIsToCome) {
  LoadValues v = valid_closed_loop();
  v.duration.reset();
  expect_violation(v, LoadField::Duration, ViolationKind::Combination,
                   "must be given (or max_requests): a closed-loop run needs an end");
  v.duration_to_come = true;  // a drill profile: its load step gives the duration
  expect_valid(v);
}

TEST(LoadRules, AtLeastOneRequest) {
  LoadValues v = valid_closed_loop();
  v.urls.clear();
  LoadViolation violation = expect_violation(v, LoadField::Requests, ViolationKind::Combination,
                                             "must hold at least one request");
  EXPECT_FALSE(violation.request.has_value());
}

TEST(LoadRules, AllRequestsShareOneOrigin) {
  LoadValues v = valid_closed_loop();
  v.urls = {"http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b?x=1"};
  expect_valid(v);
  v.urls.push_back("https://127.0.0.1:8080/c");
  LoadViolation violation = expect_violation(
      v, LoadField::Requests, ViolationKind::Combination,
      "goes to another scheme, host or port than `http://127.0.0.1:8080/a`: all requests of a "
      "profile share one origin",
      {{}, "profile"});
  EXPECT_EQ(violation.request, 2u);
}

TEST(LoadRules, UnparseableUrlsAreLeftToTheirReader) {
  LoadValues v = valid_closed_loop();
  v.urls = {"ftp://x/", "http://127.0.0.1:8080/"};
  expect_valid(v);
}

TEST(LoadRules, H2cNeedsAnHttpUrl) {
  LoadValues v = valid_closed_loop();
  v.protocol = Protocol::H2c;
  expect_valid(v);
  v.protocol = Protocol::H2;
  v.urls = {"https://127.0.0.1:8443/"};
  expect_valid(v);
  v.protocol = Protocol::H2c;
  LoadViolation violation = expect_violation(
      v, LoadField::Protocol, ViolationKind::Combination,
      "h2c is HTTP/2 without TLS and needs an http:// URL; use --protocol h2 for https",
      flag_terms());
  EXPECT_EQ(violation.request, 0u);
}

TEST(LoadRules, H2OnHttpMeansH2c) {
  const Origin cleartext = parse_url("http://127.0.0.1/").origin;
  const Origin tls = parse_url("https://127.0.0.1/").origin;
  EXPECT_EQ(effective_protocol(Protocol::H2, cleartext), Protocol::H2c);
  EXPECT_EQ(effective_protocol(Protocol::H2, tls), Protocol::H2);
  EXPECT_EQ(effective_protocol(Protocol::Auto, cleartext), Protocol::Auto);
  EXPECT_EQ(effective_protocol(Protocol::H1, tls), Protocol::H1);
}

TEST(LoadRules, UnreadableFieldsAreNotJudgedButCountAsGiven) {
  LoadValues v = valid_closed_loop();
  v.unreadable = {LoadField::Rate};  // `rate: fast`: its reader said so
  v.max_queue = 10;
  expect_valid(v);  // the rate makes it open loop, so maxQueue applies
  v = valid_closed_loop();
  v.urls.clear();
  v.unreadable = {LoadField::Requests};
  expect_valid(v);  // no "at least one request" over the requests' own errors
}

TEST(LoadRules, ViolationsComeInFieldOrder) {
  LoadValues v = valid_closed_loop();
  v.urls = {"http://a/", "http://b/"};
  v.threads = 0;
  v.connections = 0;
  std::vector<LoadViolation> violations = check_load(v);
  ASSERT_EQ(violations.size(), 3u) << describe(violations);
  EXPECT_EQ(violations[0].field, LoadField::Connections);
  EXPECT_EQ(violations[1].field, LoadField::Threads);
  EXPECT_EQ(violations[2].field, LoadField::Requests);
}

TEST(LoadRules, ValuesOfAnEngineConfig) {
  LoadConfig c;
  c.requests = {{"GET", "http://127.0.0.1:8080/", {}, "", 1}};
  c.threads = 0;  // one per core: not given
  c.duration = seconds(5);
  LoadValues v = values_of(c);
  EXPECT_FALSE(v.threads.has_value());
  EXPECT_FALSE(v.max_requests.has_value());
  EXPECT_FALSE(v.max_queue.has_value());
  EXPECT_FALSE(v.arrival);
  EXPECT_FALSE(v.pacer);
  EXPECT_EQ(v.connections, 1u);
  EXPECT_EQ(v.duration, seconds(5));
  EXPECT_EQ(v.urls, std::vector<std::string>{"http://127.0.0.1:8080/"});
  expect_valid(v);
  c.arrival = Arrival::Poisson;
  EXPECT_TRUE(values_of(c).arrival);
}

TEST(LoadRules, ApplyPutsWhatWasGivenAndKeepsTheRest) {
  LoadConfig c;
  c.connections = 10;
  LoadValues v;
  v.urls = {"http://127.0.0.1:8080/"};
  v.protocol = Protocol::H2;
  v.streams = 4;
  v.stages = true;
  apply(v, c);
  EXPECT_EQ(c.connections, 10u);
  EXPECT_EQ(c.streams, 4u);
  EXPECT_EQ(c.timeout, LoadConfig().timeout);
  ASSERT_TRUE(c.start_rate.has_value());
  EXPECT_EQ(*c.start_rate, 0.0);         // stages ramp from 0
  EXPECT_EQ(c.protocol, Protocol::H2c);  // h2 on http://
  v.rate = 50;
  apply(v, c);
  EXPECT_EQ(*c.start_rate, 50.0);
}

TEST(LoadRules, TheEngineRefusesAConfigThatBreaksThemNamingEachField) {
  LoadConfig c;
  c.requests = {{"GET", "http://127.0.0.1:8080/", {}, "", 1}};
  c.connections = 0;
  c.streams = 0;
  try {
    Engine engine(c);
    FAIL() << "the engine took 0 connections and no end";
  } catch (const common::ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("connections: expected a whole number from 1 to 1000000"));
    EXPECT_THAT(e.what(), HasSubstr("streams: expected a whole number from 1 to 100000"));
    EXPECT_THAT(e.what(), HasSubstr("duration: must be given"));
  }
}

}  // namespace
}  // namespace firedrill::loadgen
