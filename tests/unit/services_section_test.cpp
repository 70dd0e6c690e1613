// The drill file's `services:` block: what it parses to, and each mistake at its file:line:col.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/errors.hpp"
#include "tests/unit/drill_test_support.hpp"

namespace firedrill::testing {
namespace {

using namespace std::chrono_literals;
using local::RestartPolicy;
using ::testing::ElementsAre;

const std::string kSteps = "steps:\n  - wait: 1s\n";

// kHead is 5 lines: `services:` is line 6, the first service line 7.
scenarios::ParseOutcome parse_services(const std::string& block,
                                       std::map<std::string, std::string> env = {}) {
  return parse(kHead + "services:\n" + block + kSteps, std::move(env));
}

TEST(ServicesSection, ParsesEverySetting) {
  auto outcome = parse_services(R"yaml(  target:
    command: [firedrill, target, --listen, "127.0.0.1:$(PORT)"]   # $(PORT) is the replica's
    replicas: 2
    port: 18080
    env: {LOG_LEVEL: info, TOKEN: "${env:TOKEN}"}
    readiness: {path: /healthz, period: 250ms, timeout: 20s}
    restart: {policy: on-failure, backoff: 2s, maxBackoff: 1m}
    memoryLimit: 256Mi
  worker:
    command: python3 worker.py --port "$PORT"
    restart: {policy: never}
    memoryLimit: 1048576
)yaml",
                                {{"TOKEN", "s3cret"}});
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const auto& services = outcome.drill->services;
  ASSERT_EQ(services.size(), 2u);

  const local::ServiceSpec& t = services[0];
  EXPECT_EQ(t.name, "target");
  EXPECT_THAT(t.command, ElementsAre("firedrill", "target", "--listen", "127.0.0.1:$(PORT)"));
  EXPECT_EQ(t.replicas, 2);
  EXPECT_EQ(t.port, 18080);
  EXPECT_EQ(t.env,
            (std::map<std::string, std::string>{{"LOG_LEVEL", "info"}, {"TOKEN", "s3cret"}}));
  ASSERT_TRUE(t.readiness);
  EXPECT_EQ(t.readiness->path, "/healthz");
  EXPECT_EQ(t.readiness->period, 250ms);
  EXPECT_EQ(t.readiness->initial_timeout, 20s);
  EXPECT_EQ(t.restart, RestartPolicy::OnFailure);
  EXPECT_EQ(t.backoff, 2s);
  EXPECT_EQ(t.max_backoff, 1min);
  EXPECT_EQ(t.memory_limit, std::optional<uint64_t>(256u << 20));

  const local::ServiceSpec& w = services[1];
  EXPECT_EQ(w.name, "worker");
  EXPECT_THAT(w.command, ElementsAre("/bin/sh", "-c", "python3 worker.py --port \"$PORT\""));
  EXPECT_EQ(w.replicas, 1);
  EXPECT_EQ(w.port, 0);
  EXPECT_FALSE(w.readiness);
  EXPECT_EQ(w.restart, RestartPolicy::Never);
  EXPECT_EQ(w.backoff, 1s);
  EXPECT_EQ(w.max_backoff, 30s);
  EXPECT_EQ(w.memory_limit, std::optional<uint64_t>(1048576));

  EXPECT_EQ(outcome.drill->service_at.at("target").line, 7);
  EXPECT_EQ(outcome.drill->service_at.at("target").column, 3);
  EXPECT_EQ(outcome.drill->service_at.at("worker").line, 15);
}

TEST(ServicesSection, DefaultsAndAnEmptyReadinessMap) {
  auto outcome = parse_services(
      "  api:\n    command: [sleep, '30']\n    port: 9000\n"
      "    readiness: {}\n    restart: {backoff: 1m}\n");
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const local::ServiceSpec& s = outcome.drill->services.at(0);
  ASSERT_TRUE(s.readiness);
  EXPECT_EQ(s.readiness->path, "/healthz");
  EXPECT_EQ(s.readiness->period, 500ms);
  EXPECT_EQ(s.readiness->initial_timeout, 30s);
  EXPECT_EQ(s.restart, RestartPolicy::Always);
  EXPECT_EQ(s.backoff, 1min);
  EXPECT_EQ(s.max_backoff, 1min);  // the default 30s would be below the backoff
  EXPECT_FALSE(s.memory_limit);
}

TEST(ServicesSection, UnknownKeysSuggestTheNearestOne) {
  auto outcome = parse_services(
      "  api:\n    comand: [sleep, '30']\n    port: 9000\n    readiness: {peroid: 1s}\n"
      "    restart: {polcy: always}\n");
  EXPECT_THAT(error_lines(outcome),
              ElementsAre("8:5: unknown key `comand` in service; did you mean `command`?",
                          "10:17: unknown key `peroid` in readiness; did you mean `period`?",
                          "11:15: unknown key `polcy` in restart; did you mean `policy`?"));
}

TEST(ServicesSection, WrongTypesAndValues) {
  auto outcome = parse_services(R"(  api:
    command: []
    replicas: 0
    port: http
    env: [A]
    readiness: {path: healthz, period: 0s}
    restart: {policy: sometimes, backoff: 2s, maxBackoff: 1s}
    memoryLimit: 256MB
  other:
    command: {program: sleep}
)");
  EXPECT_THAT(
      error_lines(outcome),
      ElementsAre(
          "8:14: the command is empty: name the program, like [firedrill, target]",
          "9:15: expected a whole number from 1 to 1000, got `0`",
          "10:11: expected a whole number from 1 to 65535, got `http`",
          "11:10: expected environment variables as a map of names to strings, got a list",
          "12:23: expected a path that starts with /, like /healthz, got `healthz`",
          "12:40: expected a duration longer than 0, like 30s, got `0s`",
          "13:23: expected `always`, `on-failure` or `never`, got `sometimes`",
          "13:59: maxBackoff must be at least backoff (2s)",
          "14:18: expected a memory size like 256Mi (Ki, Mi, Gi or Ti, binary) or a number of "
          "bytes more than 0, got `256MB`",
          "16:14: expected a command: a list like [firedrill, target] or one shell command, got "
          "a map"));
}

TEST(ServicesSection, PortsAndNames) {
  auto outcome = parse_services(R"(  a:
    command: [sleep, '30']
    port: 18080
    replicas: 3
  b:
    command: [sleep, '30']
    port: 18082
  c:
    command: [sleep, '30']
    readiness: {path: /}
  Web_1:
    command: [sleep, '30']
  d:
    command: [sleep, '30']
    port: 65535
    replicas: 2
  e:
    command: 'true'
)");
  EXPECT_THAT(
      error_lines(outcome),
      ElementsAre("13:11: port 18082 of service `b` overlap ports 18080 to 18082 of service `a` "
                  "(line 9)",
                  "16:5: readiness probes http://127.0.0.1:PORT, so the service needs a `port`",
                  "17:3: service name `Web_1` may hold only lowercase letters, digits and - (it "
                  "names files, directories and cgroups)",
                  "21:11: 2 replicas need ports 65535 to 65536, past the last port, 65535"));
}

TEST(ServicesSection, NotAMapAndMissingCommand) {
  EXPECT_THAT(error_lines(parse_services("  - web\n")),
              ElementsAre("7:3: expected services by name, like {target: {command: [firedrill, "
                          "target]}}, got a list"));
  EXPECT_THAT(error_lines(parse_services("  web: {port: 8080}\n")),
              ElementsAre("7:8: missing required key `command` in service"));
}

}  // namespace
}  // namespace firedrill::testing
