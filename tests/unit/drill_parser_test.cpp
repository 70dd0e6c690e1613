#include "scenarios/drill_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "scenarios/thresholds.hpp"
#include "tests/unit/drill_test_support.hpp"

namespace firedrill::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using scenarios::StepType;
using scenarios::ThresholdOp;
using scenarios::Window;
using ::testing::ElementsAre;

const std::string kCompleteDrill = R"(apiVersion: firedrill/v1
kind: Drill
metadata:
  name: checkout-smoke
  description: proves the smoke path
  labels: {team: shop, tier: 1}
target:
  url: http://127.0.0.1:8080/api
  protocol: h2
  tls: {insecure: true, sni: checkout.local}
  headers: {Authorization: "Bearer ${env:TOKEN}", X-Team: shop}
integrations:
  prometheus: {url: "http://127.0.0.1:9090", timeout: 5, verify: true}
  kubernetes:
load:
  baseline:
    requests:
      - {path: /predict, weight: 9}
      - method: POST
        path: predict?x=1
        headers: {x-team: checkout}
        body: '{"x": 1}'
    rate: 500/s
    connections: 64
    streams: 10
    threads: 2
    timeout: 2s
    connectTimeout: 1s
    warmup: 5s
    maxQueue: 5000
    seed: 7
  spike:
    stages:
      - {duration: 30s, target: 1000/s}
      - {duration: 1m, target: 0}
  closed:
    requests: [{url: "http://127.0.0.1:8080/health"}]
    connections: 4
steps:
  - load: baseline
    duration: 10m
    background: true
  - wait: 1m30s
  - name: break it
    chaos:
      exec: {inject: "touch /tmp/x", revert: "rm -f /tmp/x"}
    for: 1m
  - validate:
      eventually: 3m
      interval: 5s
      checks:
        - http: {url: "http://127.0.0.1:8080/health", status: 200, maxLatency: 250ms}
        - exec: {command: "true"}
  - validate:
      consistently: 2m
      checks:
        - probe: {}
  - load: spike
    duration: 90s
thresholds:
  http.latency.p99: "< 500ms"
  http.errors.rate:
    - "<= 1%"
    - {threshold: "< 0.05", profile: spike, abortOnFail: true}
  http.rps: ">= 900/s"
  http.service_time.p99.9: "< 1.5s"
  http.requests: "> 1000"
)";

TEST(DrillParser, CompleteDrillHeaderAndTarget) {
  auto outcome = parse(kCompleteDrill, {{"TOKEN", "s3cret"}});
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const scenarios::Drill& d = *outcome.drill;
  EXPECT_EQ(d.file, "drill.yaml");
  EXPECT_EQ(d.metadata.name, "checkout-smoke");
  EXPECT_EQ(d.metadata.description, "proves the smoke path");
  EXPECT_EQ(d.metadata.labels,
            (std::map<std::string, std::string>{{"team", "shop"}, {"tier", "1"}}));
  EXPECT_EQ(d.target.url, "http://127.0.0.1:8080/api");
  EXPECT_EQ(d.target.protocol, loadgen::Protocol::H2);
  EXPECT_TRUE(d.target.tls.insecure);
  EXPECT_EQ(d.target.tls.sni, "checkout.local");
  EXPECT_THAT(d.target.headers, ElementsAre(loadgen::Header{"Authorization", "Bearer s3cret"},
                                            loadgen::Header{"X-Team", "shop"}));
  EXPECT_EQ(d.integrations.block(), json::parse(R"({
      "prometheus": {"url": "http://127.0.0.1:9090", "timeout": 5, "verify": true},
      "kubernetes": {}})"));
}

TEST(DrillParser, CompleteDrillProfilesBecomeLoadConfigs) {
  auto outcome = parse(kCompleteDrill, {{"TOKEN", "s3cret"}});
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const auto& load = outcome.drill->load;
  ASSERT_EQ(load.size(), 3u);

  const scenarios::LoadProfile& baseline = load.at("baseline");
  EXPECT_EQ(baseline.name, "baseline");
  EXPECT_EQ(baseline.at.line, 16);
  EXPECT_EQ(baseline.at.column, 3);
  const loadgen::LoadConfig& c = baseline.config;
  // h2 on an http:// URL is HTTP/2 cleartext with prior knowledge, as with `firedrill load`.
  EXPECT_EQ(c.protocol, loadgen::Protocol::H2c);
  EXPECT_TRUE(c.tls.insecure);
  ASSERT_EQ(c.requests.size(), 2u);
  EXPECT_EQ(c.requests[0].method, "GET");
  EXPECT_EQ(c.requests[0].url, "http://127.0.0.1:8080/api/predict");
  EXPECT_EQ(c.requests[0].weight, 9u);
  EXPECT_THAT(c.requests[0].headers, ElementsAre(loadgen::Header{"Authorization", "Bearer s3cret"},
                                                 loadgen::Header{"X-Team", "shop"}));
  EXPECT_EQ(c.requests[1].method, "POST");
  EXPECT_EQ(c.requests[1].url, "http://127.0.0.1:8080/api/predict?x=1");
  EXPECT_EQ(c.requests[1].body, R"({"x": 1})");
  EXPECT_EQ(c.requests[1].weight, 1u);
  // A request header replaces the target header of the same name, whatever its case.
  EXPECT_THAT(c.requests[1].headers, ElementsAre(loadgen::Header{"Authorization", "Bearer s3cret"},
                                                 loadgen::Header{"x-team", "checkout"}));
  ASSERT_TRUE(c.open_loop());
  EXPECT_DOUBLE_EQ(*c.start_rate, 500.0);
  EXPECT_TRUE(c.stages.empty());
  EXPECT_EQ(c.connections, 64u);
  EXPECT_EQ(c.streams, 10u);
  EXPECT_EQ(c.threads, 2u);
  EXPECT_EQ(c.timeout, 2s);
  EXPECT_EQ(c.connect_timeout, 1s);
  EXPECT_EQ(c.warmup, 5s);
  EXPECT_EQ(c.max_queue, 5000u);
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.duration, 0s);
  EXPECT_EQ(c.max_requests, 0u);

  const loadgen::LoadConfig& spike = load.at("spike").config;
  ASSERT_EQ(spike.requests.size(), 1u);
  EXPECT_EQ(spike.requests[0].url, "http://127.0.0.1:8080/api");
  EXPECT_EQ(spike.requests[0].method, "GET");
  ASSERT_TRUE(spike.open_loop());
  EXPECT_DOUBLE_EQ(*spike.start_rate, 0.0);
  ASSERT_EQ(spike.stages.size(), 2u);
  EXPECT_EQ(spike.stages[0].duration, 30s);
  EXPECT_DOUBLE_EQ(spike.stages[0].target_rps, 1000.0);
  EXPECT_EQ(spike.stages[1].duration, 1min);
  EXPECT_DOUBLE_EQ(spike.stages[1].target_rps, 0.0);
  EXPECT_EQ(spike.connections, 10u);
  EXPECT_EQ(spike.timeout, 5s);
  EXPECT_EQ(spike.connect_timeout, 3s);

  const loadgen::LoadConfig& closed = load.at("closed").config;
  EXPECT_FALSE(closed.open_loop());
  EXPECT_EQ(closed.connections, 4u);
  EXPECT_EQ(closed.requests.at(0).url, "http://127.0.0.1:8080/health");
}

TEST(DrillParser, OpenLoopProfilesChooseTheirArrivals) {
  const std::string head = kHead.substr(0, kHead.find("load:"));
  auto outcome = parse(head +
                       "load:\n"
                       "  steady: {rate: 10/s, arrival: poisson}\n"
                       "  ramp: {stages: '10s:100/s', arrival: uniform}\n"
                       "  plain: {rate: 10/s}\n"
                       "steps: [{wait: 1s}]\n");
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const auto& load = outcome.drill->load;
  EXPECT_EQ(load.at("steady").config.arrival, loadgen::Arrival::Poisson);
  EXPECT_EQ(load.at("ramp").config.arrival, loadgen::Arrival::Uniform);
  EXPECT_EQ(load.at("plain").config.arrival, loadgen::Arrival::Uniform);
}

TEST(DrillParser, CompleteDrillSteps) {
  auto outcome = parse(kCompleteDrill, {{"TOKEN", "s3cret"}});
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const auto& steps = outcome.drill->steps;
  ASSERT_EQ(steps.size(), 6u);

  EXPECT_EQ(steps[0].type, StepType::Load);
  EXPECT_EQ(steps[0].name, "load baseline");
  EXPECT_EQ(steps[0].profile, "baseline");
  EXPECT_EQ(steps[0].duration, 10min);
  EXPECT_TRUE(steps[0].background);
  EXPECT_EQ(steps[0].at.line, 40);
  EXPECT_EQ(steps[0].at.column, 5);

  EXPECT_EQ(steps[1].type, StepType::Wait);
  EXPECT_EQ(steps[1].name, "wait 1m30s");
  EXPECT_EQ(steps[1].duration, 90s);

  EXPECT_EQ(steps[2].type, StepType::Chaos);
  EXPECT_EQ(steps[2].name, "break it");
  EXPECT_EQ(steps[2].fault.kind, "exec");
  EXPECT_EQ(
      steps[2].fault.params,
      json({{"inject", "touch /tmp/x"}, {"revert", "rm -f /tmp/x"}, {"timeout", 30'000'000'000}}));
  EXPECT_EQ(steps[2].fault.for_duration, std::optional<common::Duration>(1min));
  EXPECT_EQ(steps[2].fault.at.line, 46);
  EXPECT_EQ(steps[2].fault.at.column, 7);

  EXPECT_EQ(steps[3].type, StepType::Validate);
  EXPECT_EQ(steps[3].name, "validate #4");
  EXPECT_EQ(steps[3].window, Window::Eventually);
  EXPECT_EQ(steps[3].window_length, 3min);
  EXPECT_EQ(steps[3].interval, 5s);
  ASSERT_EQ(steps[3].checks.size(), 2u);
  EXPECT_EQ(steps[3].checks[0].kind, "http");
  EXPECT_EQ(steps[3].checks[0].params, json({{"url", "http://127.0.0.1:8080/health"},
                                             {"status", {"200"}},
                                             {"maxLatency", 250'000'000},
                                             {"method", "GET"},
                                             {"timeout", 5'000'000'000},
                                             {"insecure", false}}));
  EXPECT_EQ(steps[3].checks[0].at.line, 52);
  EXPECT_EQ(steps[3].checks[0].at.column, 11);
  EXPECT_EQ(steps[3].checks[1].kind, "exec");
  EXPECT_EQ(steps[3].checks[1].params, json({{"command", "true"}, {"exitCode", 0}}));

  EXPECT_EQ(steps[4].window, Window::Consistently);
  EXPECT_EQ(steps[4].window_length, 2min);
  EXPECT_EQ(steps[4].interval, 2s);
  ASSERT_EQ(steps[4].checks.size(), 1u);
  EXPECT_EQ(steps[4].checks[0].params, json({{"ratio", 0.5}, {"tags", {"default-tag"}}}));

  EXPECT_EQ(steps[5].type, StepType::Load);
  EXPECT_EQ(steps[5].profile, "spike");
  EXPECT_EQ(steps[5].duration, 90s);
  EXPECT_FALSE(steps[5].background);
}

TEST(DrillParser, CompleteDrillThresholdsInBaseUnits) {
  auto outcome = parse(kCompleteDrill, {{"TOKEN", "s3cret"}});
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const auto& t = outcome.drill->thresholds;
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].metric, "http.latency.p99");
  EXPECT_EQ(t[0].expression, "< 500ms");
  EXPECT_EQ(t[0].op, ThresholdOp::Less);
  EXPECT_DOUBLE_EQ(t[0].value, 0.5);
  EXPECT_EQ(t[0].at.line, 61);
  EXPECT_EQ(t[0].at.column, 21);
  EXPECT_EQ(t[1].metric, "http.errors.rate");
  EXPECT_EQ(t[1].op, ThresholdOp::LessEqual);
  EXPECT_DOUBLE_EQ(t[1].value, 0.01);
  EXPECT_EQ(t[1].profile, "");
  EXPECT_FALSE(t[1].abort_on_fail);
  EXPECT_EQ(t[2].metric, "http.errors.rate");
  EXPECT_DOUBLE_EQ(t[2].value, 0.05);
  EXPECT_EQ(t[2].profile, "spike");
  EXPECT_TRUE(t[2].abort_on_fail);
  EXPECT_EQ(t[3].metric, "http.rps");
  EXPECT_EQ(t[3].op, ThresholdOp::GreaterEqual);
  EXPECT_DOUBLE_EQ(t[3].value, 900.0);
  EXPECT_EQ(t[4].metric, "http.service_time.p99.9");
  EXPECT_DOUBLE_EQ(t[4].value, 1.5);
  EXPECT_EQ(t[5].metric, "http.requests");
  EXPECT_EQ(t[5].op, ThresholdOp::Greater);
  EXPECT_DOUBLE_EQ(t[5].value, 1000.0);
}

TEST(DrillParser, ThresholdExpressions) {
  using scenarios::parse_threshold_expression;
  auto latency = parse_threshold_expression("http.latency.avg", "<=250us");
  ASSERT_TRUE(latency);
  EXPECT_EQ(latency->op, ThresholdOp::LessEqual);
  EXPECT_DOUBLE_EQ(latency->value, 0.00025);
  EXPECT_DOUBLE_EQ(parse_threshold_expression("http.errors.rate", " < 0.5 %")->value, 0.005);
  EXPECT_DOUBLE_EQ(parse_threshold_expression("http.rps", "> 600/m")->value, 10.0);
  EXPECT_DOUBLE_EQ(parse_threshold_expression("http.dropped", "<= 0")->value, 0.0);
  EXPECT_FALSE(parse_threshold_expression("http.latency.p99", "< 500"));  // no unit
  EXPECT_FALSE(parse_threshold_expression("http.latency.p99", "500ms"));  // no operator
  EXPECT_FALSE(parse_threshold_expression("http.latency.p99", "== 500ms"));
  EXPECT_FALSE(parse_threshold_expression("http.errors.rate", "< 2"));  // a ratio is <= 1
  EXPECT_FALSE(parse_threshold_expression("http.errors.rate", "< 101%"));
  EXPECT_FALSE(parse_threshold_expression("http.requests", "> -1"));
  EXPECT_FALSE(parse_threshold_expression("http.requests", "> lots"));
}

struct ErrorCase {
  const char* name;
  std::string text;
  std::string expected;  // "LINE:COL: message", the only error
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.name;
}

class DrillErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(DrillErrors, ExactLocationAndMessage) {
  auto outcome = parse(GetParam().text);
  EXPECT_FALSE(outcome.drill);
  EXPECT_THAT(error_lines(outcome), ElementsAre(GetParam().expected));
}

const std::string kValidateHead = kHead +
                                  "steps:\n"
                                  "  - validate:\n"
                                  "      eventually: 1m\n"
                                  "      checks:\n";  // the next line is line 10

INSTANTIATE_TEST_SUITE_P(
    EachErrorClass, DrillErrors,
    ::testing::Values(
        ErrorCase{"UnknownTopLevelKey", kHead + "steps: [{wait: 1s}]\nstpes: []\n",
                  "7:1: unknown key `stpes` in the drill; did you mean `steps`?"},
        ErrorCase{"WrongApiVersion",
                  "apiVersion: firedrill/v2\nkind: Drill\nmetadata: {name: t}\nsteps: [{wait: "
                  "1s}]\n",
                  "1:13: expected apiVersion `firedrill/v1` (the only version this firedrill "
                  "reads), got `firedrill/v2`"},
        ErrorCase{"WrongKind",
                  "apiVersion: firedrill/v1\nkind: Scenario\nmetadata: {name: t}\nsteps: [{wait: "
                  "1s}]\n",
                  "2:7: expected kind `Drill`, got `Scenario`"},
        ErrorCase{"MissingRequiredKeyAtParentMap",
                  "apiVersion: firedrill/v1\nkind: Drill\nmetadata:\n  description: no name\n"
                  "steps: [{wait: 1s}]\n",
                  "4:3: missing required key `name` in metadata"},
        ErrorCase{"MissingSteps", kHead, "1:1: missing required key `steps` in the drill"},
        ErrorCase{"NoSteps", kHead + "steps: []\n", "6:8: give at least one step"},
        ErrorCase{"WrongTypeOfSection", kHead + "steps: {wait: 1s}\n",
                  "6:8: expected a list of steps, got a map"},
        ErrorCase{"BadDuration", kHead + "steps:\n  - wait: abc\n",
                  "7:11: expected a duration like 30s, got `abc`"},
        ErrorCase{"DurationWithoutUnit", kHead + "steps:\n  - wait: 30\n",
                  "7:11: expected a duration like 30s, got `30`"},
        ErrorCase{"BadRate",
                  "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: t}\n"
                  "target: {url: 'http://127.0.0.1:8080'}\nload:\n  base:\n    rate: fast\n"
                  "steps: [{wait: 1s}]\n",
                  "7:11: expected a rate like 500/s, got `fast`"},
        ErrorCase{"BadStages",
                  "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: t}\n"
                  "target: {url: 'http://127.0.0.1:8080'}\nload:\n  base:\n    stages: "
                  "30s:10/s,1m\nsteps: [{wait: 1s}]\n",
                  "7:13: stage 2 \"1m\" of \"30s:10/s,1m\": it has no \":RATE\"; write stages as "
                  "DURATION:RATE separated by commas, like 30s:1000/s,2m:5000/s"},
        ErrorCase{"IntegerOutOfRange",
                  "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: t}\n"
                  "target: {url: 'http://127.0.0.1:8080'}\nload:\n  base: {connections: 0}\n"
                  "steps: [{wait: 1s}]\n",
                  "6:23: expected a whole number from 1 to 1000000, got `0`"},
        ErrorCase{"UnknownProfileKey",
                  "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: t}\n"
                  "target: {url: 'http://127.0.0.1:8080'}\nload:\n  base: {conections: 2}\n"
                  "steps: [{wait: 1s}]\n",
                  "6:10: unknown key `conections` in load profile; did you mean `connections`?"},
        ErrorCase{"BadUrl",
                  "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: t}\n"
                  "target: {url: 'ftp://x'}\nsteps: [{wait: 1s}]\n",
                  "4:15: expected an http:// or https:// URL, got `ftp://x`"},
        ErrorCase{"H2cNeedsHttp",
                  "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: t}\n"
                  "target: {url: 'https://x', protocol: h2c}\nsteps: [{wait: 1s}]\n",
                  "4:38: h2c is HTTP/2 without TLS and needs an http:// URL; use h2 for https"},
        ErrorCase{"UnknownCheckKind", kValidateHead + "        - htp: {url: x}\n",
                  "10:11: unknown check kind `htp`; did you mean `http`? (known kinds: `http`, "
                  "`exec` and `probe`)"},
        ErrorCase{"UnknownFaultKind", kHead + "steps:\n  - chaos:\n      kube.oom: {}\n",
                  "8:7: unknown fault kind `kube.oom`; known kinds: `exec`"},
        ErrorCase{"UnknownParamWithSuggestion",
                  kValidateHead + "        - http: {urll: x, url: y}\n",
                  "10:18: unknown key `urll` in http check; did you mean `url`?"},
        ErrorCase{"UnknownParamListsValidKeys",
                  kValidateHead + "        - exec: {command: x, shell: bash}\n",
                  "10:30: unknown key `shell` in exec check; valid keys: `command`, `exitCode` or "
                  "`env`"},
        ErrorCase{"ParamNotAllowed", kValidateHead + "        - http: {url: x, method: PSOT}\n",
                  "10:34: expected `GET`, `POST` or `HEAD`, got `PSOT`; did you mean `POST`?"},
        ErrorCase{"MissingRequiredParam", kValidateHead + "        - exec: {exitCode: 1}\n",
                  "10:17: missing required key `command` in exec check"},
        ErrorCase{"MissingRequiredParamOfEmptyKind", kValidateHead + "        - http:\n",
                  "10:11: missing required key `url` in http check"},
        ErrorCase{"ParamsIndentedWrongly", kValidateHead + "        - http:\n          url: x\n",
                  "11:11: `url` is a parameter of the http check: indent it under `http:`"},
        ErrorCase{"TwoChecksInOneItem",
                  kValidateHead + "        - http: {url: x}\n          exec: {command: y}\n",
                  "11:11: one check per item: `exec` starts another; give it its own list item"},
        ErrorCase{"StepKeyInsideTheFault",
                  kHead + "steps:\n  - chaos:\n      exec: {inject: a, revert: b}\n      for: 1m\n",
                  "9:7: `for` belongs to the step, not to the fault: write it at the level of "
                  "`chaos:`"},
        ErrorCase{"ParamWrongType", kValidateHead + "        - probe: {count: many}\n",
                  "10:26: expected a whole number, got `many`"},
        ErrorCase{"UnknownProfile", kHead + "steps:\n  - load: bse\n    duration: 1m\n",
                  "7:11: unknown load profile `bse`; did you mean `base`? (profiles: `base`)"},
        ErrorCase{"LoadStepWithoutDuration", kHead + "steps:\n  - load: base\n",
                  "7:5: missing required key `duration` in load step"},
        ErrorCase{"TwoStepTypes", kHead + "steps:\n  - wait: 1s\n    load: base\n",
                  "8:5: a step is one of `load`, `wait`, `chaos` or `validate`, and this one is "
                  "already a `wait` step: give `load` its own list item"},
        ErrorCase{"StepKeyOfAnotherType", kHead + "steps:\n  - wait: 1s\n    for: 1m\n",
                  "8:5: `for` does not apply to a wait step, only to chaos steps"},
        ErrorCase{"StepWithoutType", kHead + "steps:\n  - name: nothing\n",
                  "7:5: a step needs one of `load`, `wait`, `chaos` or `validate`"},
        ErrorCase{"TwoWindows",
                  kHead + "steps:\n  - validate:\n      eventually: 1m\n      consistently: 1m\n"
                          "      checks: [{exec: {command: x}}]\n",
                  "9:7: give either `eventually` or `consistently`, not both"},
        ErrorCase{"NoWindow",
                  kHead + "steps:\n  - validate:\n      checks: [{exec: {command: x}}]\n",
                  "8:7: a validate step needs a window: `eventually: DURATION` (pass at the first "
                  "success) or `consistently: DURATION` (fail at the first violation)"},
        ErrorCase{"UnknownMetric",
                  kHead + "steps: [{wait: 1s}]\nthresholds:\n  http.latancy.p99: 1s\n",
                  "8:3: unknown metric `http.latancy.p99` in thresholds; did you mean "
                  "`http.latency.p99`?"},
        ErrorCase{"ThresholdWithoutOperator",
                  kHead + "steps: [{wait: 1s}]\nthresholds:\n  http.latency.p99: \"500ms\"\n",
                  "8:21: expected an operator (<, <=, > or >=) and a duration, like \"< 500ms\", "
                  "got `500ms`"},
        ErrorCase{"ThresholdUnknownProfile",
                  kHead + "steps: [{wait: 1s}]\nthresholds:\n  http.rps:\n    - {threshold: \">= "
                          "1\", profile: bsae}\n",
                  "9:36: unknown load profile `bsae`; did you mean `base`? (profiles: `base`)"},
        ErrorCase{"UnknownIntegration",
                  kHead + "steps: [{wait: 1s}]\nintegrations:\n  promethues: {}\n",
                  "8:3: unknown integration `promethues`; did you mean `prometheus`?"},
        ErrorCase{"DuplicateKey", kHead + "steps: [{wait: 1s}]\nsteps: [{wait: 2s}]\n",
                  "7:1: duplicate key `steps` (first at line 6)"},
        ErrorCase{"AliasContainingItself",
                  kHead + "steps: [{wait: 1s}]\nintegrations:\n  aws: &x {a: *x}\n",
                  "8:8: this value contains itself through a YAML alias"},
        ErrorCase{"MergeOfItself",
                  kHead + "steps: [{wait: 1s}]\nintegrations:\n  aws: &x {<<: *x}\n",
                  "8:8: this value contains itself through a YAML alias"},
        ErrorCase{"YamlSyntaxError", "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: t\n",
                  "4:1: YAML syntax error: end of map flow not found"},
        ErrorCase{"EmptyFile", "# nothing here\n",
                  "1:1: the file holds no drill; a drill starts with apiVersion: firedrill/v1"},
        ErrorCase{"UndefinedVariable", kHead + "steps:\n  - wait: ${env:PAUSE}\n",
                  "7:11: environment variable PAUSE is not set (`${env:PAUSE}`); set it, or give "
                  "a default: ${env:PAUSE:-VALUE}"},
        ErrorCase{"PathWithoutTarget",
                  "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: t}\nload:\n"
                  "  base: {requests: [{path: /x}]}\nsteps: [{wait: 1s}]\n",
                  "5:22: `path` is relative to target.url, and the drill has no target: add "
                  "target.url, or give an absolute `url`"},
        ErrorCase{"ProfileOriginsDiffer",
                  kHead.substr(0, kHead.find("load:")) +
                      "load:\n  base:\n    requests:\n      - {path: /a}\n      - {url: "
                      "'http://127.0.0.2:8080/b'}\nsteps: [{wait: 1s}]\n",
                  "9:9: this request goes to another scheme, host or port than "
                  "`http://127.0.0.1:8080/a`: all requests of a profile share one origin"},
        ErrorCase{"MaxQueueNeedsOpenLoop",
                  kHead.substr(0, kHead.find("load:")) +
                      "load:\n  base: {maxQueue: 10}\nsteps: [{wait: 1s}]\n",
                  "6:10: `maxQueue` only applies to an open-loop profile (with rate or stages)"},
        ErrorCase{"ArrivalNeedsOpenLoop",
                  kHead.substr(0, kHead.find("load:")) +
                      "load:\n  base: {arrival: poisson}\nsteps: [{wait: 1s}]\n",
                  "6:10: `arrival` only applies to an open-loop profile (with rate or stages)"},
        ErrorCase{"UnknownArrival",
                  kHead.substr(0, kHead.find("load:")) +
                      "load:\n  base: {rate: 10/s, arrival: bursty}\nsteps: [{wait: 1s}]\n",
                  "6:31: expected `uniform` or `poisson`, got `bursty`"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

TEST(DrillParser, ReportsEveryErrorSortedByPosition) {
  // Thresholds come before steps in the file but are read after them: the order of the report
  // is the file's.
  const std::string text = R"(apiVersion: firedrill/v1
kind: Drill
metadata: {name: t, colour: red}
thresholds:
  http.rps: "900"
target: {url: 'http://127.0.0.1:8080'}
load:
  base:
    rate: 10/s
    timeout: soon
steps:
  - wait: 5
  - load: base
)";
  auto outcome = parse(text);
  EXPECT_FALSE(outcome.drill);
  EXPECT_THAT(
      error_lines(outcome),
      ElementsAre("3:21: unknown key `colour` in metadata; valid keys: `name`, `description` or "
                  "`labels`",
                  "5:13: expected an operator (<, <=, > or >=) and a rate, like \">= 900\" or "
                  "\">= 900/s\", got `900`",
                  "10:14: expected a duration like 30s, got `soon`",
                  "12:11: expected a duration like 30s, got `5`",
                  "13:5: missing required key `duration` in load step"));
}

// A drill whose integration cannot be used is refused at validation, at the integration's place,
// and the secret beside the mistake is not shown: no check finds out at its first poll.
TEST(DrillParser, AnUnusableIntegrationIsAnErrorAtItsPlace) {
  const std::string text = R"(apiVersion: firedrill/v1
kind: Drill
metadata: {name: t}
integrations:
  prometheus: {url: 'http://127.0.0.1:9090', auth: sigv4, bearerToken: t0ps3cret}
  grafana: {url: 'ftp://grafana:3000'}
  loki: {url: 'http://127.0.0.1:3100'}
  kubernetes: {maxPods: 0}
steps: [{wait: 1s}]
)";
  auto outcome = parse(text);
  EXPECT_FALSE(outcome.drill);
  EXPECT_THAT(error_lines(outcome),
              ElementsAre("5:15: integrations.prometheus: auth: sigv4 signs each request, so it "
                          "excludes bearerToken, basicAuth and an Authorization header",
                          "6:12: Grafana URL \"ftp://grafana:3000\" must start with http:// or "
                          "https://",
                          "8:15: integrations.kubernetes.maxPods must be a whole number of at "
                          "least 1"));
}

TEST(DrillParser, FormatErrorsOneLinePerError) {
  std::vector<scenarios::DrillError> errors = {{{
                                                    "d.yaml",
                                                    3,
                                                    21,
                                                },
                                                "first"},
                                               {{"d.yaml", 12, 1}, "second"},
                                               {{"d.yaml", 0, 0}, "whole"}};
  EXPECT_EQ(scenarios::format_errors(errors),
            "d.yaml:3:21: first\nd.yaml:12:1: second\nd.yaml: whole\n");
}

TEST(DrillParser, EmptyValueIsReportedAtItsKey) {
  // yaml-cpp places an empty value at the next token, here the next line.
  auto outcome = parse(kHead + "steps:\n  - wait:\n    name: x\n");
  EXPECT_THAT(error_lines(outcome), ElementsAre("7:5: expected a duration like 30s, got nothing"));
}

TEST(DrillParser, MergeKeysShareParameters) {
  const std::string text = kHead + R"(x-check: &check {url: "http://127.0.0.1:8080/", status: 2xx}
steps:
  - validate:
      eventually: 1m
      checks:
        - http: {<<: *check, status: "503"}
)";
  auto outcome = parse(text);
  // `x-check` is not a drill key; the merge itself is fine.
  EXPECT_THAT(error_lines(outcome),
              ElementsAre("6:1: unknown key `x-check` in the drill; valid keys: `apiVersion`, "
                          "`kind`, `metadata`, `target`, `integrations`, `services`, `load`, "
                          "`steps` or `thresholds`"));

  const std::string merged = kHead + R"(steps:
  - validate:
      eventually: 1m
      checks:
        - http: &check {url: "http://127.0.0.1:8080/", status: 2xx}
        - http: {<<: *check, status: "503"}
)";
  outcome = parse(merged);
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const auto& checks = outcome.drill->steps.at(0).checks;
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[1].params.at("url"), "http://127.0.0.1:8080/");
  EXPECT_EQ(checks[1].params.at("status"), json({"503"}));
}

TEST(DrillParser, FilesAreRelativeToTheDrillFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("firedrill-parser-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "bodies");
  std::ofstream(dir / "bodies" / "order.json") << "{\"sku\": 42}\n";
  std::ofstream(dir / "drill.yaml")
      << kHead.substr(0, kHead.find("load:"))
      << "load:\n  orders:\n    requests: [{method: POST, path: /orders, bodyFile: "
         "bodies/order.json}]\n    rate: 5/s\n"
         "steps: [{wait: 1s}]\n";
  auto outcome = scenarios::parse_drill_file((dir / "drill.yaml").string(), env_of({}));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  EXPECT_EQ(outcome.drill->load.at("orders").config.requests.at(0).body, "{\"sku\": 42}\n");
}

// A "billion laughs": nine levels of nine aliases name 9^9 strings in a few hundred bytes. The
// reader refuses it at the place its budget runs out, instead of expanding it.
TEST(DrillParser, AnAliasBombIsRefusedWhereItExpands) {
  std::string bomb = "x-lol:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    std::string previous(1, static_cast<char>(level - 1));
    bomb += std::string("  ") + level + ": &" + level + " [";
    for (int i = 0; i < 9; ++i) bomb += (i ? ", *" : "*") + previous;
    bomb += "]\n";
  }
  auto outcome = parse(kHead + bomb +
                       "integrations:\n  prometheus: {url: 'http://127.0.0.1:9090', extra: *i}\n"
                       "steps: [{wait: 1s}]\n");
  EXPECT_FALSE(outcome.drill);
  bool refused = false;
  for (const auto& line : error_lines(outcome)) {
    refused = refused || line.find("expands to more than 250000 values") != std::string::npos;
  }
  EXPECT_TRUE(refused) << scenarios::format_errors(outcome.errors);
  EXPECT_LT(outcome.errors.size(), 10u) << "one error, not one per value";
}

// Keys are looked up, not searched: a map of 100,000 headers reads in linear time.
TEST(DrillParser, AHundredThousandKeysAreRead) {
  std::string headers = "target:\n  url: 'http://127.0.0.1:8080'\n  headers:\n";
  for (int i = 0; i < 100000; ++i) headers += "    X-H" + std::to_string(i) + ": v\n";
  std::string head = kHead.substr(0, kHead.find("target:"));
  auto outcome = parse(head + headers + "load: {base: {rate: 10/s}}\nsteps: [{wait: 1s}]\n");
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors).substr(0, 400);
  EXPECT_EQ(outcome.drill->target.headers.size(), 100000u);
}

TEST(DrillParser, AFileReferenceReadsRegularFilesOnly) {
  auto outcome = parse(kHead.substr(0, kHead.find("target:")) +
                       "target: {url: 'http://127.0.0.1:8080', headers: {X-Token: "
                       "'${file:/dev/zero}'}}\nload: {base: {rate: 10/s}}\nsteps: [{wait: 1s}]\n");
  EXPECT_THAT(error_lines(outcome),
              ElementsAre("4:59: cannot read `${file:/dev/zero}`: /dev/zero: it is a character "
                          "device, not a regular file"));
}

// A key that holds terminal escapes (here OSC 52, which writes the clipboard) is quoted in the
// message, escaped.
TEST(DrillParser, ControlCharactersFromTheFileAreEscapedInMessages) {
  auto outcome = parse(kHead + "\"x\\e]52;c;aGk=\\a\": 1\nsteps: [{wait: 1s}]\n");
  ASSERT_FALSE(outcome.drill);
  const std::string shown = scenarios::format_errors(outcome.errors);
  EXPECT_EQ(shown.find('\x1b'), std::string::npos) << shown;
  EXPECT_EQ(shown.find('\a'), std::string::npos) << shown;
  EXPECT_NE(shown.find("\\u001b]52;c;aGk=\\u0007"), std::string::npos) << shown;
}

// yaml-cpp's LoadAll never returns on these (found by tools/fuzz): each is one malformed
// document, refused at once.
TEST(DrillParser, MalformedFlowThatYamlCppLoopsOnIsRefused) {
  for (const std::string& text : {std::string("\"a\", b]\n"), std::string(",\n"),
                                  kHead + "steps: [{wait: 1s}]\n  \"x\", y]\n"}) {
    auto outcome = parse(text);
    EXPECT_FALSE(outcome.drill) << text;
    EXPECT_FALSE(outcome.errors.empty()) << text;
  }
}

TEST(DrillParser, ASecondDocumentIsAnErrorWhereItStarts) {
  auto outcome = parse(kHead + "steps: [{wait: 1s}]\n---\nkind: Drill\n");
  ASSERT_FALSE(outcome.drill);
  EXPECT_THAT(error_lines(outcome),
              ElementsAre(::testing::HasSubstr(
                  "a drill file holds one YAML document; another one starts")));
}

TEST(DrillParser, ADeviceIsNoDrillFile) {
  auto outcome = scenarios::parse_drill_file("/dev/zero", env_of({}));
  EXPECT_FALSE(outcome.drill);
  EXPECT_EQ(scenarios::format_errors(outcome.errors),
            "/dev/zero: cannot read the drill file: it is a character device, not a regular "
            "file\n");
}

TEST(DrillParser, UnreadableFile) {
  auto outcome = scenarios::parse_drill_file("/nonexistent/drill.yaml", env_of({}));
  EXPECT_FALSE(outcome.drill);
  EXPECT_EQ(scenarios::format_errors(outcome.errors),
            "/nonexistent/drill.yaml: cannot read the drill file: No such file or directory\n");
}

}  // namespace
}  // namespace firedrill::testing
