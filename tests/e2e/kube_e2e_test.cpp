// The Kubernetes example drills (scenarios/examples/k8s) run by the firedrill binary against the
// API simulator, reached through ${env:KUBECONFIG} as a user would: drills that must pass, one
// that must fail, refusals, dry runs, interrupts and a crash followed by `firedrill revert`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <memory>

#include "tests/integration/kube_simulator.hpp"
#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string kExamples = std::string(FIREDRILL_SOURCE_DIR) + "/scenarios/examples/k8s/";

// Web pods that request 900m CPU: two fit on a node, so a scale-out beyond four waits for one.
json scale_out_seed(int min_replicas, int max_replicas) {
  json seed = shop_seed(3);
  seed["objects"][4]["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] =
      "900m";
  seed["objects"].push_back(web_autoscaler(min_replicas, max_replicas));
  seed["simulation"] = {
      {"utilizationPerRequestPerSecond", 5},
      {"nodeGroups",
       json::array({{{"name", "ng-1"}, {"maxSize", 3}, {"labels", {{"node-group", "ng-1"}}}}})}};
  return seed;
}

class KubeDrill : public ::testing::Test {
 protected:
  void start(json seed) {
    sim_ = std::make_unique<KubeSimulator>(std::move(seed));
    ASSERT_TRUE(KubeSimulator::eventually([&] { return ready_pods("app=web") >= 3; }))
        << sim_->log();
    env("KUBECONFIG", sim_->served_kubeconfig("client-cert").string());
    env("NAMESPACE", "shop");
    env("APP", "web");
  }
  void TearDown() override {
    for (const auto& name : set_) unsetenv(name.c_str());
  }
  void env(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);
    set_.push_back(name);
  }
  fs::path out_dir() const { return dir_.path() / "out"; }

  CommandResult run(const std::string& example, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", "-q", "--out-dir", out_dir().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(kExamples + example);
    CommandResult r = run_firedrill(args, /*with_output=*/false);
    if (fs::exists(out_dir() / "result.json")) {
      r.json = json::parse(read_text(out_dir() / "result.json"));
    }
    return r;
  }

  int ready_pods(const std::string& selector) const {
    auto [key, value] =
        std::pair(selector.substr(0, selector.find('=')), selector.substr(selector.find('=') + 1));
    int n = 0;
    for (const auto& p : sim_->objects("pods", "shop")) {
      if (p["metadata"]["labels"].value(key, "") != value) continue;
      for (const auto& c : p["status"].value("conditions", json::array())) {
        n += c["type"] == "Ready" && c["status"] == "True";
      }
    }
    return n;
  }
  // Requests that could have changed the cluster.
  int mutations() const {
    int n = 0;
    for (const auto& r : sim_->requests()) n += r["method"] != "GET";
    return n;
  }
  json web() const {
    for (const auto& d : sim_->objects("deployments", "shop")) {
      if (d["metadata"]["name"] == "web") return d;
    }
    return nullptr;
  }
  std::string image() const {
    json d = web();
    return d.is_null() ? std::string()
                       : d["spec"]["template"]["spec"]["containers"][0]["image"].get<std::string>();
  }
  int replicas() const {
    json d = web();
    return d.is_null() ? -1 : d["spec"].value("replicas", 1);
  }
  // The bad-image example run in the background with its fault held for 10 minutes, returned
  // once the bad image is rolled out (null, with a failure, when it never is).
  std::unique_ptr<Process> bad_image_mid_fault() {
    env("FAULT_DURATION", "10m");
    auto firedrill = std::make_unique<Process>(
        std::vector<std::string>{FIREDRILL_BINARY, "run", "-q", "--out-dir", out_dir().string(),
                                 kExamples + "bad-image.yaml"},
        dir_.path() / "run.log");
    if (!KubeSimulator::eventually([&] { return image() != "nginx:1.25"; })) {
      ADD_FAILURE() << "the bad image was never rolled out: " << read_text(dir_.path() / "run.log");
      return nullptr;
    }
    return firedrill;
  }
  // Objects firedrill created that are still there.
  int leftovers() const {
    int n = 0;
    for (const auto& p : sim_->objects("pods")) {
      n += p["metadata"].value("labels", json::object()).contains("firedrill.io/run");
    }
    return n;
  }
  static const json* check_of(const json& result, const std::string& kind) {
    for (const auto& c : result["checks"]) {
      if (c["kind"] == kind) return &c;
    }
    return nullptr;
  }

  TempDir dir_;
  std::unique_ptr<KubeSimulator> sim_;
  std::vector<std::string> set_;
};

TEST_F(KubeDrill, EveryExampleValidates) {
  env("KUBECONFIG", "/nonexistent/kubeconfig");
  env("SERVICE_URL", "https://web.shop.example.com");
  for (const char* example :
       {"pod-kill.yaml", "oom.yaml", "bad-image.yaml", "hpa-cluster-autoscaler.yaml"}) {
    CommandResult r = run_firedrill({"validate", kExamples + example}, false);
    EXPECT_EQ(r.exit_code, 0) << example << ": " << r.out << r.err;
  }
}

TEST_F(KubeDrill, PodKillPasses) {
  start(shop_seed(3));
  CommandResult r = run("pod-kill.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << r.json.dump(1);
  EXPECT_EQ(r.json["verdict"], "passed");
  EXPECT_EQ(ready_pods("app=web"), 3);
}

// An event stamped to the second, written while the fault's inject still runs, is the fault's
// doing: the fault's moment is when injecting began. Here inject deletes a pod (the kubelet's
// Killing event) and then takes 1.5 s more, so the event's second is always before the second
// inject returned in.
TEST_F(KubeDrill, AnEventDuringASlowInjectIsSinceTheFault) {
  start(shop_seed(3));
  const std::string pod = sim_->objects("pods", "shop").at(0)["metadata"]["name"];
  const fs::path drill = dir_.path() / "slow-inject.yaml";
  std::ofstream(drill) << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: slow-inject}\n"
                          "integrations:\n  kubernetes:\n    kubeconfig: ${env:KUBECONFIG}\n"
                          "    allowNamespaces: [shop]\n"
                          "steps:\n  - name: kill a pod slowly\n    chaos:\n      exec:\n"
                          "        inject: kubectl delete pod -n shop --wait=false "
                       << pod
                       << " && sleep 1.5\n        revert: 'true'\n"
                          "  - name: seen\n    validate:\n      eventually: 30s\n"
                          "      checks:\n        - kube.events: {namespace: shop, kind: Pod, "
                          "reason: Killing}\n";
  CommandResult r = run_firedrill({"run", "-q", "--out-dir", out_dir().string(), drill.string()},
                                  /*with_output=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << read_text(out_dir() / "result.json");
}

TEST_F(KubeDrill, OomPasses) {
  start(shop_seed(3));
  CommandResult r = run("oom.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << r.json.dump(1);
  EXPECT_EQ(check_of(r.json, "kube.pod")->at("verdict"), "passed");
  EXPECT_EQ(leftovers(), 0) << "the memory hog was not deleted";
}

TEST_F(KubeDrill, BadImagePassesAndTheImageIsRestored) {
  start(shop_seed(3));
  // The pod check polls once a second and sees ImagePullBackOff only while the bad image is
  // rolled out; 6s leaves it several polls even on a loaded machine (2s left one, and CI
  // missed it).
  env("FAULT_DURATION", "6s");
  CommandResult r = run("bad-image.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << r.json.dump(1);
  EXPECT_EQ(image(), "nginx:1.25");
  EXPECT_EQ(ready_pods("app=web"), 3);
}

TEST_F(KubeDrill, HpaAndClusterAutoscalerScaleOutWithTimesReported) {
  start(scale_out_seed(3, 8));
  const int replicas_before = replicas();
  const std::size_t nodes_before = sim_->objects("nodes").size();
  env("SERVICE_URL", sim_->server() + "/_sim/service/shop/web");
  env("SERVICE_TLS_INSECURE", "true");
  env("NODE_SELECTOR", "node-group=ng-1");
  env("LOAD_DURATION", "60s");
  env("SCALE_WINDOW", "50s");
  CommandResult r = run("hpa-cluster-autoscaler.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << r.json.dump(1);
  const json* hpa = check_of(r.json, "kube.hpa");
  const json* nodes = check_of(r.json, "kube.nodes");
  ASSERT_TRUE(hpa && nodes);
  EXPECT_TRUE(hpa->at("evidence").contains("time_to_scale_s")) << hpa->dump();
  EXPECT_TRUE(nodes->at("evidence").contains("time_to_scale_s")) << nodes->dump();
  EXPECT_FALSE(nodes->at("evidence")["scale_up_events"].empty());
  EXPECT_EQ(leftovers(), 0);

  // The load is over: the HPA scales back after its stabilisation window, and the Cluster
  // Autoscaler removes the nodes that became empty.
  EXPECT_TRUE(KubeSimulator::eventually(
      [&] {
        return replicas() == replicas_before && ready_pods("app=web") == replicas_before &&
               sim_->objects("nodes").size() == nodes_before;
      },
      std::chrono::seconds(60)))
      << "replicas " << replicas() << " (" << replicas_before << " before), nodes "
      << sim_->objects("nodes").size() << " (" << nodes_before << " before)";
}

TEST_F(KubeDrill, HpaAtMaxReplicasFailsWithThatEvidence) {
  start(scale_out_seed(3, 3));
  env("SERVICE_URL", sim_->server() + "/_sim/service/shop/web");
  env("SERVICE_TLS_INSECURE", "true");
  env("LOAD_DURATION", "8s");
  env("SCALE_WINDOW", "6s");
  CommandResult r = run("hpa-cluster-autoscaler.yaml");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err << r.json.dump(1);
  const json* hpa = check_of(r.json, "kube.hpa");
  ASSERT_TRUE(hpa);
  EXPECT_EQ(hpa->at("verdict"), "failed");
  EXPECT_THAT(hpa->at("message").get<std::string>(), HasSubstr("ScalingLimited: TooManyReplicas"));
}

TEST_F(KubeDrill, AFaultInKubeSystemIsRefusedAndNothingChanges) {
  start(shop_seed(3));
  env("NAMESPACE", "kube-system");
  CommandResult validate = run_firedrill({"validate", kExamples + "pod-kill.yaml"}, false);
  EXPECT_EQ(validate.exit_code, 2) << validate.out << validate.err;
  // The namespace came from the environment, so it is shown as its reference.
  EXPECT_THAT(validate.err + validate.out,
              HasSubstr("pod-kill.yaml:24:7: kube.pod-kill fault: namespace: "
                        "${env:NAMESPACE:-shop} is refused"));
  CommandResult r = run("pod-kill.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(sim_->requests().size(), 0u) << "the API server was called";
}

TEST_F(KubeDrill, DryRunChangesNothingAndSaysWhatItWouldDo) {
  start(shop_seed(3));
  // The example's chaos step alone: its checks would wait out their windows for an OOM kill that
  // a dry run does not cause.
  fs::path drill = dir_.path() / "oom-dry-run.yaml";
  std::string text = read_text(kExamples + "oom.yaml");
  std::ofstream(drill) << text.substr(0, text.find("  - name: the hog was OOM-killed"));
  std::vector<std::string> args = {
      "run", "-q", "--dry-run", "--out-dir", out_dir().string(), drill.string()};
  CommandResult r = run_firedrill(args, /*with_output=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(mutations(), 0);
  json result = json::parse(read_text(out_dir() / "result.json"));
  bool said = false;
  for (const auto& e : result["timeline"]) {
    said = said ||
           (e["type"] == "dry_run" && e["name"] == "kube.oom" &&
            e["detail"].get<std::string>().starts_with("would create pod ${env:NAMESPACE:-shop}/"));
  }
  EXPECT_TRUE(said) << result["timeline"].dump(1);
}

TEST_F(KubeDrill, ForbiddenSaysWhichRbacRuleIsMissing) {
  json seed = shop_seed(3);
  seed["auth"]["rbac"]["alice"] = json::array(
      {{{"verbs", {"get", "list"}}, {"apiGroups", {"", "apps"}}, {"resources", {"*"}}}});
  start(seed);
  CommandResult r = run("pod-kill.yaml");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.json.dump(), HasSubstr("user \\\"u\\\" needs RBAC: verbs [delete] on "
                                       "resources [pods] in namespace ${env:NAMESPACE:-shop}"));
  EXPECT_EQ(ready_pods("app=web"), 3);
}

TEST_F(KubeDrill, InterruptMidFaultRevertsTheImage) {
  start(shop_seed(3));
  auto firedrill = bad_image_mid_fault();
  ASSERT_TRUE(firedrill);
  firedrill->signal(SIGINT);
  EXPECT_EQ(firedrill->wait(std::chrono::seconds(60)), 3) << read_text(dir_.path() / "run.log");
  EXPECT_EQ(image(), "nginx:1.25");
}

TEST_F(KubeDrill, KillNineMidFaultThenRevertFromTheJournal) {
  start(shop_seed(3));
  {
    auto firedrill = bad_image_mid_fault();
    ASSERT_TRUE(firedrill);
    firedrill->signal(SIGKILL);
    firedrill->wait(std::chrono::seconds(10));
  }
  EXPECT_NE(image(), "nginx:1.25");
  CommandResult r = run_firedrill({"revert", (out_dir() / "journal.jsonl").string()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(image(), "nginx:1.25");
}

}  // namespace
}  // namespace firedrill::testing
