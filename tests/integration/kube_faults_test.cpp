// Each Kubernetes fault against the API simulator: capture, inject, the consequence the
// simulated cluster shows, and revert putting it back; dry runs and the safety rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "chaos/fault.hpp"
#include "common/errors.hpp"
#include "tests/integration/kube_simulator.hpp"
#include "tests/unit/kind_params.hpp"

namespace firedrill::testing {
namespace {

using chaos::FaultContext;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class KubeFaultTest : public ::testing::Test {
 protected:
  void start(json seed, json allow = {"shop"}, int max_pods = 5) {
    sim_ = std::make_unique<KubeSimulator>(std::move(seed));
    integrations_ = clients::Integrations(sim_->integrations(std::move(allow), max_pods));
    context_.run_id = "run-42";
    context_.drill_name = "kube drill";
    context_.integrations = &integrations_;
    ASSERT_TRUE(KubeSimulator::eventually([&] { return ready_pods("app=web") >= 3; }))
        << sim_->log();
  }

  std::unique_ptr<chaos::Fault> make(const std::string& kind, json params,
                                     const json& captured = nullptr) {
    const chaos::FaultKind* k = chaos::find_fault_kind(kind);
    EXPECT_NE(k, nullptr) << kind;
    return k->create(kind_params(k->schema, std::move(params)), captured);
  }

  std::vector<json> pods(const std::string& label) const {
    auto eq = label.find('=');
    std::string key = label.substr(0, eq), value = label.substr(eq + 1);
    std::vector<json> out;
    for (auto& p : sim_->objects("pods", "shop")) {
      if (p["metadata"].value("labels", json::object()).value(key, "") == value &&
          !p["metadata"].contains("deletionTimestamp")) {
        out.push_back(p);
      }
    }
    return out;
  }
  int ready_pods(const std::string& label) const {
    int n = 0;
    for (const auto& p : pods(label)) {
      for (const auto& c : p["status"].value("conditions", json::array())) {
        n += c["type"] == "Ready" && c["status"] == "True";
      }
    }
    return n;
  }
  json deployment() const { return sim_->objects("deployments", "shop").at(0); }
  // Requests that change something (anything but GET).
  int mutations() const {
    int n = 0;
    for (const auto& r : sim_->requests()) n += r["method"] != "GET";
    return n;
  }

  std::unique_ptr<KubeSimulator> sim_;
  clients::Integrations integrations_;
  FaultContext context_;
};

TEST_F(KubeFaultTest, PodKillDeletesAndTheDeploymentReplacesThePod) {
  start(shop_seed(3));
  std::set<std::string> before;
  for (const auto& p : pods("app=web")) before.insert(p["metadata"]["name"]);
  auto fault = make("kube.pod-kill", {{"namespace", "shop"}, {"selector", "app=web"}});
  EXPECT_EQ(fault->capture(context_)["matching_pods"].size(), 3u);
  fault->inject(context_);
  json del;
  for (const auto& r : sim_->requests()) {
    if (r["method"] == "DELETE") del = r;
  }
  ASSERT_FALSE(del.is_null());
  EXPECT_EQ(del["body"]["kind"], "DeleteOptions");
  EXPECT_EQ(del["body"]["gracePeriodSeconds"], 0);
  std::string killed =
      del["path"].get<std::string>().substr(del["path"].get<std::string>().rfind('/') + 1);
  EXPECT_TRUE(before.count(killed));
  ASSERT_TRUE(KubeSimulator::eventually([&] {
    auto now = pods("app=web");
    return now.size() == 3 && ready_pods("app=web") == 3 &&
           std::none_of(now.begin(), now.end(),
                        [&](const json& p) { return p["metadata"]["name"] == killed; });
  }));
  bool killing = false;
  for (const auto& e : sim_->objects("events", "shop")) {
    killing = killing || (e["reason"] == "Killing" && e["involvedObject"]["name"] == killed);
  }
  EXPECT_TRUE(killing);
  fault->revert(context_);
}

TEST_F(KubeFaultTest, PodKillRespectsMaxPods) {
  start(shop_seed(3), {"shop"}, 2);
  auto fault =
      make("kube.pod-kill", {{"namespace", "shop"}, {"selector", "app=web"}, {"percent", 100}});
  try {
    fault->capture(context_);
    FAIL() << "no FaultError";
  } catch (const chaos::FaultError& e) {
    EXPECT_THAT(e.what(), HasSubstr("more than integrations.kubernetes.maxPods (2)"));
  }
  EXPECT_EQ(mutations(), 0);
}

TEST_F(KubeFaultTest, KubeSystemAndUnlistedNamespacesAreRefused) {
  start(shop_seed(3), {"shop", "kube-system"});
  try {
    make("kube.pod-kill", {{"namespace", "kube-system"}, {"selector", "k8s-app=kube-dns"}});
    FAIL() << "no ValueError";
  } catch (const common::ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("namespace: kube-system is refused"));
  }
  auto fault = make("kube.scale", {{"namespace", "payments"}, {"name", "web"}, {"replicas", 1}});
  try {
    fault->capture(context_);
    FAIL() << "no FaultError";
  } catch (const chaos::FaultError& e) {
    EXPECT_THAT(e.what(), HasSubstr("namespace: payments is refused"));
    EXPECT_THAT(e.what(), HasSubstr("it lists shop, kube-system"));
  }
  EXPECT_EQ(mutations(), 0);
}

TEST_F(KubeFaultTest, DryRunsChangeNothing) {
  start(shop_seed(3));
  context_.dry_run = true;
  std::vector<std::string> notes;
  context_.note = [&notes](const std::string& line) { notes.push_back(line); };
  std::vector<std::pair<std::string, json>> faults = {
      {"kube.pod-kill", {{"namespace", "shop"}, {"selector", "app=web"}}},
      {"kube.bad-image", {{"namespace", "shop"}, {"name", "web"}}},
      {"kube.scale", {{"namespace", "shop"}, {"name", "web"}, {"replicas", 1}}},
      {"kube.oom", {{"namespace", "shop"}, {"selector", "app=web"}}},
      {"kube.node-drain", {{"namespace", "shop"}, {"node", "node-a"}}},
      {"kube.stress", {{"namespace", "shop"}, {"replicas", 2}}},
  };
  for (auto& [kind, params] : faults) {
    auto fault = make(kind, params);
    fault->capture(context_);
    notes.clear();
    fault->inject(context_);
    fault->revert(context_);
    ASSERT_FALSE(notes.empty()) << kind;
    EXPECT_THAT(notes[0], StartsWith("would ")) << kind;
  }
  EXPECT_EQ(mutations(), 0);
  EXPECT_EQ(pods("app=web").size(), 3u);
}

TEST_F(KubeFaultTest, BadImageBacksOffAndRevertRestoresTheRollout) {
  start(shop_seed(3));
  auto fault = make("kube.bad-image", {{"namespace", "shop"}, {"name", "web"}});
  json captured = fault->capture(context_);
  EXPECT_EQ(captured["container"], "web");
  EXPECT_EQ(captured["original_image"], "nginx:1.25");
  fault->inject(context_);
  json patch;
  for (const auto& r : sim_->requests()) {
    if (r["method"] == "PATCH") patch = r;
  }
  EXPECT_EQ(patch["contentType"], "application/strategic-merge-patch+json");
  EXPECT_EQ(patch["body"]["spec"]["template"]["spec"]["containers"][0]["name"], "web");
  EXPECT_EQ(deployment()["metadata"]["annotations"]["firedrill.io/run"], "run-42");
  ASSERT_TRUE(KubeSimulator::eventually([&] {
    for (const auto& p : pods("app=web")) {
      for (const auto& cs : p["status"].value("containerStatuses", json::array())) {
        if (cs["state"].value("waiting", json::object()).value("reason", "") ==
            "ImagePullBackOff") {
          return true;
        }
      }
    }
    return false;
  }));
  EXPECT_EQ(ready_pods("app=web"), 3);  // the rollout holds: old pods keep serving

  // Revert from a fresh fault, as `firedrill revert JOURNAL` does after a crash.
  auto reverting = make("kube.bad-image", {{"namespace", "shop"}, {"name", "web"}}, captured);
  reverting->revert(context_);
  json d = deployment();
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.25");
  EXPECT_FALSE(d["metadata"].value("annotations", json::object()).contains("firedrill.io/run"));
  EXPECT_EQ(d["status"].value("updatedReplicas", 0), 3);
  EXPECT_EQ(d["status"].value("availableReplicas", 0), 3);
  EXPECT_EQ(d["status"].value("replicas", 0), 3);
}

TEST_F(KubeFaultTest, ScaleAndRevert) {
  start(shop_seed(3));
  auto fault = make("kube.scale", {{"namespace", "shop"}, {"name", "web"}, {"replicas", 1}});
  EXPECT_EQ(fault->capture(context_)["original_replicas"], 3);
  fault->inject(context_);
  EXPECT_TRUE(KubeSimulator::eventually([&] { return pods("app=web").size() == 1; }));
  fault->revert(context_);
  EXPECT_EQ(deployment()["spec"]["replicas"], 3);
  EXPECT_TRUE(KubeSimulator::eventually([&] { return ready_pods("app=web") == 3; }));
  bool scale_patch = false;
  for (const auto& r : sim_->requests()) {
    scale_patch =
        scale_patch || (r["method"] == "PATCH" &&
                        r["path"] == "/apis/apps/v1/namespaces/shop/deployments/web/scale" &&
                        r["contentType"] == "application/merge-patch+json");
  }
  EXPECT_TRUE(scale_patch);
}

TEST_F(KubeFaultTest, OomHogLandsOnTheTargetNodeAndIsOomKilled) {
  start(shop_seed(3));
  auto fault = make("kube.oom", {{"namespace", "shop"}, {"selector", "app=web"}});
  json captured = fault->capture(context_);
  fault->inject(context_);
  std::string name = captured["pod"];
  json hog;
  ASSERT_TRUE(KubeSimulator::eventually([&] {
    for (const auto& p : pods("firedrill.io/fault=kube.oom")) {
      const auto& statuses = p["status"].value("containerStatuses", json::array());
      if (!statuses.empty() && statuses[0]["restartCount"].get<int>() >= 1) {
        hog = p;
        return true;
      }
    }
    return false;
  }));
  EXPECT_EQ(hog["metadata"]["name"], name);
  EXPECT_EQ(hog["spec"]["nodeName"], captured["node"]);
  EXPECT_EQ(hog["metadata"]["labels"]["firedrill.io/run"], "run-42");
  EXPECT_EQ(hog["metadata"]["labels"]["firedrill.io/drill"], "kube-drill");
  EXPECT_EQ(hog["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"],
            "OOMKilled");
  fault->revert(context_);
  EXPECT_TRUE(pods("firedrill.io/fault=kube.oom").empty());
}

TEST_F(KubeFaultTest, NodeDrainEvictsThroughTheEvictionApiAndRevertUncordons) {
  start(shop_seed(3));
  auto fault = make("kube.node-drain", {{"namespace", "shop"}, {"node", "node-a"}});
  json captured = fault->capture(context_);
  EXPECT_EQ(captured["was_unschedulable"], false);
  fault->inject(context_);
  auto node_a = [&] {
    for (const auto& n : sim_->objects("nodes")) {
      if (n["metadata"]["name"] == "node-a") return n;
    }
    return json();
  };
  EXPECT_EQ(node_a()["spec"].value("unschedulable", false), true);
  ASSERT_TRUE(KubeSimulator::eventually([&] {
    auto now = pods("app=web");
    return ready_pods("app=web") == 3 && std::all_of(now.begin(), now.end(), [](const json& p) {
             return p["spec"]["nodeName"] == "node-b";
           });
  }));
  int evictions = 0;
  for (const auto& r : sim_->requests()) {
    if (r["method"] == "POST" && r["path"].get<std::string>().ends_with("/eviction")) {
      ++evictions;
      EXPECT_EQ(r["body"]["apiVersion"], "policy/v1");
      EXPECT_EQ(r["body"]["kind"], "Eviction");
      EXPECT_EQ(r["status"], 201);
    }
  }
  EXPECT_GE(evictions, 1);
  fault->revert(context_);
  EXPECT_EQ(node_a()["spec"].value("unschedulable", false), false);
}

TEST_F(KubeFaultTest, NodeDrainRespectsAPodDisruptionBudget) {
  json seed = shop_seed(3);
  seed["objects"].push_back(
      {{"apiVersion", "policy/v1"},
       {"kind", "PodDisruptionBudget"},
       {"metadata", {{"name", "web-pdb"}, {"namespace", "shop"}}},
       {"spec", {{"minAvailable", 3}, {"selector", {{"matchLabels", {{"app", "web"}}}}}}}});
  start(seed);
  auto fault = make("kube.node-drain", {{"namespace", "shop"},
                                        {"node", "node-a"},
                                        {"evictionTimeout", ns(std::chrono::seconds(1))}});
  fault->capture(context_);
  try {
    fault->inject(context_);
    FAIL() << "no FaultError";
  } catch (const chaos::FaultError& e) {
    EXPECT_THAT(e.what(), HasSubstr("a PodDisruptionBudget forbids it"));
    EXPECT_THAT(e.what(), HasSubstr("TooManyRequests, HTTP 429"));
  }
  EXPECT_EQ(pods("app=web").size(), 3u);
  fault->revert(context_);
  for (const auto& n : sim_->objects("nodes"))
    EXPECT_FALSE(n["spec"].value("unschedulable", false));
}

TEST_F(KubeFaultTest, StressPodsThatDoNotFitMakeTheAutoscalerAddANode) {
  json seed = shop_seed(3);
  seed["simulation"] = {
      {"nodeGroups", json::array({{{"name", "ng-1"},
                                   {"maxSize", 4},
                                   {"labels", {{"node-group", "ng-1"}}},
                                   {"allocatable", {{"cpu", "2"}, {"memory", "8Gi"}}}}})}};
  start(seed);
  auto fault = make("kube.stress", {{"namespace", "shop"}, {"replicas", 2}, {"cpu", "1950m"}});
  json captured = fault->capture(context_);
  fault->inject(context_);
  ASSERT_TRUE(KubeSimulator::eventually([&] {
    return ready_pods("firedrill.io/fault=kube.stress") == 2;
  })) << sim_->log();
  bool triggered = false;
  for (const auto& e : sim_->objects("events", "shop"))
    triggered = triggered || e["reason"] == "TriggeredScaleUp";
  EXPECT_TRUE(triggered);
  EXPECT_GE(sim_->objects("nodes").size(), 3u);
  fault->revert(context_);
  EXPECT_TRUE(pods("firedrill.io/fault=kube.stress").empty());
}

}  // namespace
}  // namespace firedrill::testing
