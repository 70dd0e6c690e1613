// A profile's `workers`: what the drill file may say, and the Indexed Job and command line the
// workers get.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "scenarios/worker_job_load.hpp"
#include "tests/unit/drill_test_support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

const std::string kHeadNoLoad = kHead.substr(0, kHead.find("load:"));

scenarios::ParseOutcome parse_profile(const std::string& profile) {
  return parse(kHeadNoLoad + "load:\n  spread:\n" + profile + "steps: [{wait: 1s}]\n");
}

TEST(WorkerProfile, IsReadWithItsPodSettingsAndRunsNoShardItself) {
  auto outcome = parse_profile(
      "    rate: 2000/s\n    connections: 8\n    workers: 4\n    namespace: load\n"
      "    image: registry.example/firedrill:1.2\n"
      "    resources: {limits: {memory: 256Mi}}\n    nodeSelector: {pool: load}\n"
      "    tolerations: [{key: load, operator: Exists}]\n    startupGrace: 90s\n");
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const scenarios::LoadProfile& p = outcome.drill->load.at("spread");
  ASSERT_TRUE(p.workers);
  EXPECT_EQ(p.workers->count, 4u);
  EXPECT_EQ(p.workers->namespace_name, "load");
  EXPECT_EQ(p.workers->image, "registry.example/firedrill:1.2");
  EXPECT_EQ(p.workers->resources, json::parse(R"({"limits": {"memory": "256Mi"}})"));
  EXPECT_EQ(p.workers->node_selector, json::parse(R"({"pool": "load"})"));
  EXPECT_EQ(p.workers->tolerations.size(), 1u);
  EXPECT_EQ(p.workers->startup_grace, std::chrono::seconds(90));
  EXPECT_EQ(p.config.shard, loadgen::Shard{});
}

TEST(WorkerProfile, WhatWorkersCannotTakeIsAnErrorAtItsPlace) {
  EXPECT_THAT(error_lines(parse_profile("    rate: 10/s\n    workers: 2\n")),
              ElementsAre("8:5: a load with `workers` needs `namespace`: where their Job runs"));
  EXPECT_THAT(error_lines(parse_profile("    rate: 10/s\n    image: x\n")),
              ElementsAre("8:5: `image` only applies with `workers`"));
  EXPECT_THAT(error_lines(parse_profile(
                  "    rate: 10/s\n    connections: 3\n    workers: 4\n    namespace: load\n")),
              ElementsAre("9:5: `workers` splits the load in 4 parts, which need at least 4 "
                          "connections (one each)"));
  const auto headers =
      error_lines(parse_profile("    rate: 10/s\n    workers: 2\n    namespace: load\n"
                                "    requests: [{path: /, headers: {Authorization: Bearer x}}]\n"));
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_THAT(headers[0], ::testing::StartsWith("8:5: headers would be written into the worker "
                                                "Job's pod spec"));
  EXPECT_THAT(error_lines(parse_profile("    rate: 10/s\n    workers: 2\n"
                                        "    namespace: kube-system\n")),
              ::testing::Contains(::testing::StartsWith("9:16: ")));
}

loadgen::LoadConfig spread_config() {
  loadgen::LoadConfig c;
  c.requests = {{"POST", "http://svc.shop:8080/a", {}, "{}", 1},
                {"POST", "http://svc.shop:8080/b", {}, "{}", 1}};
  c.protocol = loadgen::Protocol::H2c;
  c.connections = 8;
  c.streams = 4;
  c.duration = std::chrono::seconds(90);
  c.start_rate = 100.0;
  c.stages = {{std::chrono::seconds(30), 2000}};
  c.arrival = loadgen::Arrival::Poisson;
  c.seed = 7;
  return c;
}

// The value after `flag` in `args`, or "" when it is not there.
std::string after(const std::vector<std::string>& args, const std::string& flag) {
  auto it = std::find(args.begin(), args.end(), flag);
  return it == args.end() || it + 1 == args.end() ? "" : *(it + 1);
}

TEST(WorkerArguments, GiveEachWorkerItsShardOfTheLoadFromOneInstant) {
  const auto at = common::WallClock::time_point(std::chrono::seconds(1'796'000'000));
  const std::vector<std::string> args = scenarios::worker_arguments(spread_config(), 4, at);
  EXPECT_EQ(args.front(), "load");
  EXPECT_EQ(after(args, "--shard"), "$(JOB_COMPLETION_INDEX)/4");
  EXPECT_EQ(after(args, "--start-at"), common::format_rfc3339(at));
  EXPECT_EQ(after(args, "--output"), "-");
  EXPECT_EQ(after(args, "--protocol"), "h2c");
  EXPECT_EQ(after(args, "--connections"), "8");
  EXPECT_EQ(after(args, "--streams"), "4");
  EXPECT_EQ(after(args, "--duration"), "1m30s");
  EXPECT_EQ(after(args, "--rate"), "100/s");
  EXPECT_EQ(after(args, "--stages"), "30s:2000/s");
  EXPECT_EQ(after(args, "--arrival"), "poisson");
  EXPECT_EQ(after(args, "--seed"), "7");
  EXPECT_EQ(after(args, "--method"), "POST");
  EXPECT_EQ(after(args, "--body"), "{}");
  EXPECT_THAT(std::vector<std::string>(args.end() - 2, args.end()),
              ElementsAre("http://svc.shop:8080/a", "http://svc.shop:8080/b"));
}

TEST(WorkerJob, IsIndexedNeverRetriedAndRestricted) {
  scenarios::WorkerSpec spec;
  spec.count = 4;
  spec.namespace_name = "load";
  spec.node_selector = {{"pool", "load"}};
  const json labels = {{"firedrill.io/run", "r-1"}};
  const json job = scenarios::worker_job("firedrill-load-x", spec, {"load", "URL"}, labels,
                                         std::chrono::seconds(150));
  const json& s = job.at("spec");
  EXPECT_EQ(job.at("metadata").at("namespace"), "load");
  EXPECT_EQ(job.at("metadata").at("labels"), labels);
  EXPECT_EQ(s.at("completionMode"), "Indexed");
  EXPECT_EQ(s.at("completions"), 4);
  EXPECT_EQ(s.at("parallelism"), 4);
  EXPECT_EQ(s.at("backoffLimit"), 0);
  EXPECT_EQ(s.at("activeDeadlineSeconds"), 150);
  const json& pod = s.at("template").at("spec");
  EXPECT_EQ(s.at("template").at("metadata").at("labels").at("firedrill.io/run"), "r-1");
  EXPECT_EQ(pod.at("restartPolicy"), "Never");
  EXPECT_EQ(pod.at("automountServiceAccountToken"), false);
  EXPECT_EQ(pod.at("securityContext").at("runAsNonRoot"), true);
  EXPECT_EQ(pod.at("nodeSelector"), spec.node_selector);
  const json& container = pod.at("containers").at(0);
  EXPECT_EQ(container.at("image"), "firedrill:latest");
  EXPECT_EQ(container.at("args"), json::array({"load", "URL"}));
  EXPECT_EQ(container.at("securityContext").at("readOnlyRootFilesystem"), true);
}

}  // namespace
}  // namespace firedrill::testing
