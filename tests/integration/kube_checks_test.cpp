// The Kubernetes checks against the API simulator, each where it must pass and where it must
// fail, with faults providing the consequences.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "chaos/fault.hpp"
#include "tests/integration/kube_simulator.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using validators::Observation;
using validators::Verdict;

class KubeCheckTest : public ::testing::Test {
 protected:
  void start(json seed) {
    sim_ = std::make_unique<KubeSimulator>(std::move(seed));
    integrations_ = clients::Integrations(sim_->integrations());
    fault_context_.run_id = "run-7";
    fault_context_.drill_name = "checks";
    fault_context_.integrations = &integrations_;
    context_.drill_start = std::chrono::system_clock::now();
    context_.integrations = &integrations_;
    ASSERT_TRUE(KubeSimulator::eventually([&] {
      int running = 0;
      for (const auto& p : sim_->objects("pods", "shop")) {
        running += p["status"].value("phase", "") == "Running";
      }
      return running >= 3;
    })) << sim_->log();
  }

  // Marks the fault as happening now, as the Runner does after inject().
  void fault_now() { context_.last_fault = std::chrono::system_clock::now(); }

  std::unique_ptr<chaos::Fault> inject(const std::string& kind, json params) {
    const chaos::FaultKind* k = chaos::find_fault_kind(kind);
    auto fault = k->create(kind_params(k->schema, std::move(params)), nullptr);
    fault->capture(fault_context_);
    fault_now();
    fault->inject(fault_context_);
    return fault;
  }

  std::unique_ptr<validators::Check> check(const std::string& kind, json params) {
    const validators::CheckKind* k = validators::find_check_kind(kind);
    EXPECT_NE(k, nullptr) << kind;
    return k->create(kind_params(k->schema, std::move(params)));
  }

  // Polls like an `eventually` window: the first Pass, or the last observation.
  Observation eventually(validators::Check& c,
                         std::chrono::seconds limit = std::chrono::seconds(15)) {
    Observation o;
    KubeSimulator::eventually(
        [&] {
          o = c.observe(context_);
          return o.verdict == Verdict::Pass;
        },
        limit);
    return o;
  }

  std::unique_ptr<KubeSimulator> sim_;
  clients::Integrations integrations_;
  chaos::FaultContext fault_context_;
  validators::CheckContext context_;
};

json with_hpa(int min, int max) {
  json seed = shop_seed(3);
  seed["simulation"] = {{"load", {{"shop/web", 50}}}};
  seed["objects"].push_back(web_autoscaler(min, max));
  return seed;
}

TEST_F(KubeCheckTest, PodTerminatedOomKilledPassesForTheHogAndFailsForUntouchedPods) {
  start(shop_seed(3));
  auto fault = inject("kube.oom", {{"namespace", "shop"}, {"selector", "app=web"}});
  auto hog = check("kube.pod", {{"namespace", "shop"},
                                {"selector", "firedrill.io/fault=kube.oom"},
                                {"terminated", "OOMKilled"},
                                {"restarts", 1}});
  Observation o = eventually(*hog);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message << o.evidence.dump();
  EXPECT_THAT(o.message, HasSubstr("terminated OOMKilled"));
  EXPECT_TRUE(o.evidence.contains("time_to_terminated_s"));

  auto web = check("kube.pod",
                   {{"namespace", "shop"}, {"selector", "app=web"}, {"terminated", "OOMKilled"}});
  o = web->observe(context_);
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("0 pod(s) with a container terminated OOMKilled"));
  fault->revert(fault_context_);
}

TEST_F(KubeCheckTest, PodWaitingImagePullBackOffCountsOnlyPodsOfTheFault) {
  json seed = shop_seed(3);
  json legacy = seed["objects"][4];
  legacy["metadata"]["name"] = "legacy";
  legacy["spec"]["replicas"] = 1;
  legacy["spec"]["selector"]["matchLabels"]["app"] = "legacy";
  legacy["spec"]["template"]["metadata"]["labels"]["app"] = "legacy";
  legacy["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.invalid/old:1";
  seed["objects"].push_back(legacy);
  start(seed);
  auto waiting = [&](const std::string& app) {
    return check(
        "kube.pod",
        {{"namespace", "shop"}, {"selector", "app=" + app}, {"waiting", "ImagePullBackOff"}});
  };
  auto legacy_check = waiting("legacy");
  ASSERT_TRUE(KubeSimulator::eventually([&] {
    for (const auto& p : sim_->objects("pods", "shop")) {
      if (p["metadata"]["labels"]["app"] == "legacy" &&
          p["status"].value("containerStatuses", json::array()).dump().find("ImagePullBackOff") !=
              std::string::npos) {
        return true;
      }
    }
    return false;
  }));
  // The API server keeps whole seconds: let the pod's creation second pass before the fault.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  fault_now();
  Observation old = legacy_check->observe(context_);
  EXPECT_EQ(old.verdict, Verdict::Fail);
  EXPECT_THAT(old.message, HasSubstr("pre-existing"));

  auto fault = inject("kube.bad-image", {{"namespace", "shop"}, {"name", "web"}});
  auto web = waiting("web");
  Observation o = eventually(*web);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  fault->revert(fault_context_);

  auto ready = check("kube.pod", {{"namespace", "shop"}, {"selector", "app=web"}, {"ready", 3}});
  EXPECT_EQ(ready->observe(context_).verdict, Verdict::Pass);
  auto too_many = check("kube.pod", {{"namespace", "shop"}, {"selector", "app=web"}, {"ready", 4}});
  EXPECT_EQ(too_many->observe(context_).verdict, Verdict::Fail);
}

TEST_F(KubeCheckTest, EventsAfterAPodKillPassAndAbsentOnesFail) {
  start(shop_seed(3));
  auto none = check("kube.events", {{"namespace", "shop"}, {"reason", "Killing"}});
  fault_now();
  Observation o = none->observe(context_);
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("0 matching event(s)"));

  inject("kube.pod-kill", {{"namespace", "shop"}, {"selector", "app=web"}});
  auto killing = check("kube.events", {{"namespace", "shop"},
                                       {"reason", "Killing"},
                                       {"kind", "Pod"},
                                       {"message", "^Stopping container web$"}});
  o = eventually(*killing);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["events"][0]["source"], "kubelet");
  auto created = check("kube.events", {{"namespace", "shop"}, {"reason", "SuccessfulCreate"}});
  EXPECT_EQ(eventually(*created).verdict, Verdict::Pass);
  bool selected = false;
  for (const auto& r : sim_->requests()) {
    if (r["path"] == "/api/v1/namespaces/shop/events" && r["query"].contains("fieldSelector")) {
      selected =
          selected || r["query"]["fieldSelector"][0] == "involvedObject.kind=Pod,reason=Killing";
    }
  }
  EXPECT_TRUE(selected);
}

// Event timestamps are whole seconds: an event of the fault's second may be from before it. The
// events listed just before the fault (the check's baseline) tell which.
TEST_F(KubeCheckTest, AnEventOfTheFaultsSecondFromBeforeItIsPreExisting) {
  start(shop_seed(3));
  auto killing = check("kube.events", {{"namespace", "shop"}, {"reason", "Killing"}});
  // A kill, the baseline and the fault all in one second; early in a second, so that they fit.
  std::this_thread::sleep_until(
      std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now()) +
      std::chrono::milliseconds(20));
  const auto kill_second =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  inject("kube.pod-kill", {{"namespace", "shop"}, {"selector", "app=web"}});
  killing->note_baseline(context_);
  fault_now();
  ASSERT_EQ(std::chrono::floor<std::chrono::seconds>(*context_.last_fault), kill_second)
      << "the kill took more than a second";
  Observation o = killing->observe(context_);
  EXPECT_EQ(o.evidence["baseline_events"], 1) << o.evidence.dump();
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("1 older ones: pre-existing"));

  killing->note_baseline(context_);
  inject("kube.pod-kill", {{"namespace", "shop"}, {"selector", "app=web"}});
  o = eventually(*killing);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["events"].size(), 1u) << o.evidence.dump();
}

TEST_F(KubeCheckTest, HpaScalesOutUnderLoad) {
  start(with_hpa(2, 6));
  auto hpa = check("kube.hpa", {{"namespace", "shop"}, {"name", "web"}, {"replicas", 5}});
  // Read just before the fault (3 replicas), first polled only once the HPA has scaled.
  auto rose = check("kube.hpa", {{"namespace", "shop"}, {"name", "web"}, {"increase", 3}});
  rose->note_baseline(context_);
  fault_now();
  EXPECT_EQ(hpa->observe(context_).verdict, Verdict::Fail);
  sim_->sim("load", "POST", {{"namespace", "shop"}, {"name", "web"}, {"utilization", 150}});
  Observation o = eventually(*hpa);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message << o.evidence.dump();
  EXPECT_TRUE(o.evidence.contains("time_to_scale_s"));
  o = rose->observe(context_);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message << o.evidence.dump();
  EXPECT_EQ(o.evidence["baseline_desiredReplicas"], 3);
  auto increase = check("kube.hpa", {{"namespace", "shop"}, {"name", "web"}, {"increase", 1}});
  EXPECT_EQ(increase->observe(context_).verdict, Verdict::Fail);  // its baseline is 6 already
}

TEST_F(KubeCheckTest, HpaAtMaxReplicasFailsWithScalingLimited) {
  start(with_hpa(3, 3));
  fault_now();
  sim_->sim("load", "POST", {{"namespace", "shop"}, {"name", "web"}, {"utilization", 150}});
  auto hpa = check("kube.hpa", {{"namespace", "shop"}, {"name", "web"}, {"replicas", 5}});
  Observation o;
  ASSERT_TRUE(KubeSimulator::eventually([&] {
    o = hpa->observe(context_);
    return o.message.find("ScalingLimited") != std::string::npos;
  })) << o.message;
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("ScalingLimited: TooManyReplicas"));
  EXPECT_THAT(o.message, HasSubstr("maxReplicas 3"));
  EXPECT_FALSE(o.evidence["conditions"].empty());
}

TEST_F(KubeCheckTest, NodesAddedByTheClusterAutoscaler) {
  json seed = shop_seed(3);
  seed["simulation"] = {
      {"nodeGroups",
       json::array({{{"name", "ng-1"}, {"maxSize", 3}, {"labels", {{"node-group", "ng-1"}}}}})}};
  start(seed);
  auto nodes = check("kube.nodes", {{"increase", 1}, {"selector", "node-group=ng-1"}});
  fault_now();
  Observation before = nodes->observe(context_);
  EXPECT_EQ(before.verdict, Verdict::Fail);
  EXPECT_THAT(before.message, HasSubstr("no TriggeredScaleUp event since the fault"));

  auto fault = inject("kube.stress", {{"namespace", "shop"}, {"replicas", 2}, {"cpu", "1950m"}});
  Observation o = eventually(*nodes);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message << o.evidence.dump();
  EXPECT_FALSE(o.evidence["scale_up_events"].empty());
  EXPECT_THAT(o.evidence["cluster_autoscaler_status"].get<std::string>(), HasSubstr("nodeGroups:"));
  EXPECT_TRUE(o.evidence.contains("time_to_scale_s"));
  auto all = check("kube.nodes", {{"ready", 3}});
  EXPECT_EQ(all->observe(context_).verdict, Verdict::Pass);
  fault->revert(fault_context_);
}

TEST_F(KubeCheckTest, RolloutFailsWhileAnImageCannotBePulledAndPassesAfterTheRevert) {
  start(shop_seed(3));
  auto rollout = check("kube.rollout", {{"namespace", "shop"}, {"name", "web"}});
  Observation o = eventually(*rollout);
  ASSERT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["status"]["available"], 3);

  auto fault = inject("kube.bad-image", {{"namespace", "shop"}, {"name", "web"}});
  ASSERT_TRUE(KubeSimulator::eventually([&] {
    o = rollout->observe(context_);
    return o.evidence.dump().find("ImagePullBackOff") != std::string::npos;
  })) << o.message
      << o.evidence.dump();
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("updated"));

  fault->revert(fault_context_);
  o = eventually(*rollout);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_THAT(o.message, HasSubstr("3/3 updated, 3/3 ready, 3/3 available"));

  auto missing = check("kube.rollout", {{"namespace", "shop"}, {"name", "nope"}});
  o = missing->observe(context_);
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("does not exist"));
}

TEST_F(KubeCheckTest, LogsCountOnlyLinesWrittenSinceTheFault) {
  start(shop_seed(3));
  auto logs = check("logs.kube", {{"namespace", "shop"},
                                  {"selector", "app=web"},
                                  {"pattern", "GET /checkout\\b"},
                                  {"count", 2}});
  // Lines written before the fault, even in its own second, do not count.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(sim_->hit_service("shop", "web", "/checkout"), 200);
  fault_now();
  Observation o = logs->observe(context_);
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.message;
  EXPECT_THAT(o.message, HasSubstr("0 line(s) matching"));

  for (int i = 0; i < 2; ++i) ASSERT_EQ(sim_->hit_service("shop", "web", "/checkout"), 200);
  o = eventually(*logs);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message << o.evidence.dump();
  EXPECT_EQ(o.evidence["matches"], 2);
  EXPECT_THAT(o.evidence["samples"][0]["line"].get<std::string>(), HasSubstr("GET /checkout"));
  EXPECT_TRUE(o.evidence.contains("time_to_log_s"));

  bool asked = false;
  for (const auto& r : sim_->requests()) {
    std::string path = r["path"];
    if (!path.ends_with("/log")) continue;
    EXPECT_EQ(r["status"], 200) << r.dump();
    EXPECT_EQ(r["query"]["container"][0], "web");
    EXPECT_EQ(r["query"]["timestamps"][0], "true");
    EXPECT_TRUE(r["query"].contains("sinceTime"));
    asked = true;
  }
  EXPECT_TRUE(asked);

  auto other = check("logs.kube",
                     {{"namespace", "shop"}, {"selector", "app=web"}, {"pattern", "POST /pay"}});
  o = other->observe(context_);
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_EQ(o.evidence["matches"], 0);
}

TEST_F(KubeCheckTest, LogsOfTheOomHogShowStressStarting) {
  start(shop_seed(3));
  auto fault = inject("kube.oom", {{"namespace", "shop"}, {"selector", "app=web"}});
  auto logs = check("logs.kube", {{"namespace", "shop"},
                                  {"selector", "firedrill.io/fault=kube.oom"},
                                  {"container", "memory-hog"},
                                  {"pattern", "dispatching hogs: 0 cpu, 0 io, 1 vm"}});
  Observation o = eventually(*logs);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message << o.evidence.dump();
  fault->revert(fault_context_);
}

TEST_F(KubeCheckTest, CredentialsNeverReachMessagesOrEvidence) {
  start(shop_seed(3));
  const std::string secret = "leaky-s3cr3t-value-123";
  json bad = {
      {"kubernetes",
       {{"kubeconfig", sim_->token_kubeconfig(secret).string()}, {"allowNamespaces", {"shop"}}}}};
  const clients::Integrations leaky(bad);
  context_.integrations = &leaky;
  fault_context_.integrations = &leaky;
  for (const auto& [kind, params] : std::vector<std::pair<std::string, json>>{
           {"kube.pod", {{"namespace", "shop"}, {"selector", "app=web"}, {"ready", 1}}},
           {"kube.events", {{"namespace", "shop"}, {"reason", "Killing"}}},
           {"kube.hpa", {{"namespace", "shop"}, {"name", "web"}, {"replicas", 2}}},
           {"kube.nodes", {{"increase", 1}}},
           {"kube.rollout", {{"namespace", "shop"}, {"name", "web"}}},
           {"logs.kube", {{"namespace", "shop"}, {"selector", "app=web"}, {"pattern", "x"}}}}) {
    Observation o = check(kind, params)->observe(context_);
    EXPECT_EQ(o.verdict, Verdict::Inconclusive) << kind;
    EXPECT_THAT(o.message, HasSubstr("401"));
    EXPECT_THAT(o.message + o.evidence.dump(), Not(HasSubstr(secret))) << kind;
  }
  const chaos::FaultKind* k = chaos::find_fault_kind("kube.pod-kill");
  auto fault =
      k->create(kind_params(k->schema, {{"namespace", "shop"}, {"selector", "app=web"}}), nullptr);
  try {
    fault->capture(fault_context_);
    FAIL() << "no FaultError";
  } catch (const chaos::FaultError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Unauthorized"));
    EXPECT_THAT(e.what(), Not(HasSubstr(secret)));
  }
}

}  // namespace
}  // namespace firedrill::testing
