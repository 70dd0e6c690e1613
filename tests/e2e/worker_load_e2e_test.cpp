// A load profile with `workers: 4` runs as an Indexed Job on the Kubernetes simulator, whose
// kubelet runs firedrill's own image as local processes: four `firedrill load --shard i/4` pods
// against firedrill's target on loopback. What the target counted is what the merged result
// counts, a threshold no single worker meets is judged on the whole, and a worker killed
// mid-run makes the drill exit 3 naming it, with its fault reverted and the Job deleted.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/rfc3339.hpp"
#include "tests/integration/kube_simulator.hpp"
#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;

constexpr const char* kImage = "firedrill:latest";

class WorkerLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    // A namespace for the workers and a node to schedule them on.
    json seed = {
        {"objects",
         {{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "firedrill"}}}},
          {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "node-a"}}}}}}};
    // A Deployment for a fault to scale, which an aborted drill must restore.
    json web = shop_seed(3)["objects"].back();
    web["metadata"]["namespace"] = "firedrill";
    seed["objects"].push_back(web);
    sim_ = std::make_unique<KubeSimulator>(
        seed, std::string(),
        std::vector<std::string>{"--run-image", std::string(kImage) + "=" + FIREDRILL_BINARY});
  }

  // A drill whose only load is `rate` for `duration` spread over 4 workers, with `thresholds`,
  // reaching the cluster through `kubeconfig` (default: the simulator's unrestricted user).
  // `before_load`: steps that run before the load step.
  fs::path drill(const std::string& rate, const std::string& duration,
                 const std::string& thresholds, fs::path kubeconfig = {},
                 const std::string& before_load = {}) const {
    if (kubeconfig.empty()) kubeconfig = sim_->token_kubeconfig();
    const fs::path file = dir_.path() / "drill.yaml";
    std::ofstream(file) << "apiVersion: firedrill/v1\nkind: Drill\n"
                        << "metadata: {name: spread-load}\n"
                        << "integrations:\n  kubernetes:\n    kubeconfig: " << kubeconfig.string()
                        << "\n    allowNamespaces: [firedrill]\n"
                        << "target: {url: \"" << target_.url("/") << "\"}\n"
                        << "load:\n  spread:\n    rate: " << rate
                        << "\n    connections: 8\n    threads: 1\n    workers: 4\n"
                        << "    namespace: firedrill\n    startupGrace: 3s\n"
                        << "steps:\n"
                        << before_load << "  - load: spread\n    duration: " << duration << "\n"
                        << "thresholds:\n"
                        << thresholds;
    return file;
  }

  // A drill of `rate` for `duration` reaching the cluster as a ServiceAccount bound to exactly
  // the Role `firedrill rbac` prints for it, applied with kubectl.
  fs::path drill_with_generated_role(const std::string& rate, const std::string& duration) const {
    const std::string token = "worker-sa-token-5e2a";
    sim_->sim("tokens", "POST",
              {{"token", token}, {"user", "system:serviceaccount:firedrill:firedrill"}});
    const fs::path file = drill(rate, duration, "  http.requests: \">= 1\"\n",
                                sim_->kubeconfig("    token: " + token + "\n", "sa-config"));
    CommandResult rbac = run_firedrill({"rbac", file.string(), "--namespace", "firedrill"}, false);
    EXPECT_EQ(rbac.exit_code, 0) << rbac.err;
    EXPECT_NE(rbac.out.find("jobs"), std::string::npos) << rbac.out;
    const fs::path manifests = dir_.path() / "rbac.yaml";
    std::ofstream(manifests) << rbac.out;
    // The simulator serves no OpenAPI document for kubectl's client-side validation.
    CommandResult created = run_kubectl(sim_->token_kubeconfig(),
                                        {"create", "--validate=false", "-f", manifests.string()});
    EXPECT_EQ(created.exit_code, 0) << created.err;
    return file;
  }

  CommandResult run(const fs::path& file) const {
    CommandResult r = run_firedrill({"run", "-q", "--out-dir", out().string(), file.string()},
                                    /*with_output=*/false);
    if (fs::exists(out() / "result.json")) r.json = json::parse(read_text(out() / "result.json"));
    return r;
  }
  fs::path out() const { return dir_.path() / "out"; }
  double answered() const {
    return metric(http_get(target_.url("/metrics")),
                  "http_requests_total{code=\"200\",method=\"GET\",path=\"/\"}");
  }
  std::vector<json> worker_pods() const {
    std::vector<json> pods;
    for (const auto& p : sim_->objects("pods", "firedrill")) {
      if (p["metadata"].value("labels", json::object()).contains("firedrill.io/load-job")) {
        pods.push_back(p);
      }
    }
    return pods;
  }

  Target target_{{"--log-sample", "0"}};
  TempDir dir_;
  std::unique_ptr<KubeSimulator> sim_;
};

TEST_F(WorkerLoad, FourWorkersMergeToWhatTheTargetCountedAndThresholdsJudgeTheWhole) {
  // 20,000 requests in all, 5,000 a worker: only the merged result holds 15,000.
  CommandResult r = run(drill("2000/s", "10s", "  http.requests: \">= 15000\"\n"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << sim_->log();
  const json& load = r.json.at("loads").at(0).at("result");
  const double merged = load.at("requests").at("succeeded").get<double>();
  EXPECT_EQ(merged, answered());
  EXPECT_NEAR(merged, 20000, 200);
  ASSERT_EQ(load.at("parts").size(), 4u);
  uint64_t in_parts = 0;
  for (const auto& part : load.at("parts")) {
    EXPECT_LT(part.at("completed").get<uint64_t>(), 15000u);
    in_parts += part.at("completed").get<uint64_t>();
  }
  EXPECT_EQ(static_cast<double>(in_parts), merged);
  EXPECT_TRUE(r.json.at("thresholds").at(0).at("passed").get<bool>()) << r.json.at("thresholds");
  // Started together, within what four processes on two cores take to start.
  EXPECT_LT(load.at("start_skew_s").get<double>(), 1.0);
  // The Job and its pods are gone.
  EXPECT_TRUE(KubeSimulator::eventually([&] { return sim_->objects("jobs", "firedrill").empty(); }))
      << sim_->objects("jobs", "firedrill").size();

  // Each worker's result is kept beside the reports, and `firedrill merge` of them is the
  // Runner's merge: counts, status codes, histograms, series and per-part rows.
  std::vector<std::string> merge = {"merge"};
  for (const auto& file : fs::directory_iterator(out() / "workers" / "1-spread")) {
    merge.push_back(file.path().string());
  }
  ASSERT_EQ(merge.size(), 5u);
  merge.insert(merge.end(), {"-o", (dir_.path() / "merged.json").string()});
  CommandResult merged_by_hand = run_firedrill(merge, false);
  ASSERT_EQ(merged_by_hand.exit_code, 0) << merged_by_hand.err;
  json by_hand = json::parse(read_text(dir_.path() / "merged.json"));
  json by_runner = load;
  // The Runner's result states the load as the drill gave it; the workers' as each ran it. The
  // Runner names a part by its pod, in shard order; merge by its file, in the order given.
  by_hand.erase("intended");
  by_runner.erase("intended");
  for (json& part : by_hand["parts"]) {
    part["name"] = fs::path(part["name"].get<std::string>()).stem().string();
  }
  std::sort(by_hand["parts"].begin(), by_hand["parts"].end(),
            [](const json& a, const json& b) { return a["shard"]["index"] < b["shard"]["index"]; });
  for (const auto& [key, value] : by_runner.items()) {
    EXPECT_EQ(by_hand.value(key, json()), value) << key;
  }
  EXPECT_EQ(by_hand.size(), by_runner.size());
}

TEST_F(WorkerLoad, AWorkerKilledMidRunIsAnIncompleteLoadThatExitsThree) {
  const fs::path file =
      drill("400/s", "20s", "  http.requests: \">= 1\"\n", {},
            "  - chaos: {kube.scale: {namespace: firedrill, kind: Deployment, name: web, "
            "replicas: 1}}\n");
  std::unique_ptr<Process> firedrill =
      std::make_unique<Process>(std::vector<std::string>{FIREDRILL_BINARY, "run", "-q", "--out-dir",
                                                         out().string(), file.string()},
                                dir_.path() / "run.log");
  // Kill one worker's process once all four run, as the OOM killer or a lost node would.
  std::string killed;
  ASSERT_TRUE(KubeSimulator::eventually(
      [&] {
        const auto pods = worker_pods();
        if (pods.size() < 4) return false;
        for (const auto& p : pods) {
          if (p["status"].value("phase", "") != "Running") return false;
        }
        killed = pods.front()["metadata"]["name"].get<std::string>();
        return true;
      },
      std::chrono::seconds(30)))
      << sim_->log();
  ASSERT_EQ(sim_->objects("deployments", "firedrill").at(0)["spec"]["replicas"], 1);
  sim_->sim("kill", "POST", {{"namespace", "firedrill"}, {"pod", killed}});
  EXPECT_EQ(firedrill->wait(std::chrono::seconds(60)), 3) << read_text(dir_.path() / "run.log");
  const json result = json::parse(read_text(out() / "result.json"));
  EXPECT_NE(result.dump().find(killed), std::string::npos) << result.dump(2).substr(0, 3000);
  // The fault that was active when the load broke off was reverted.
  EXPECT_EQ(sim_->objects("deployments", "firedrill").at(0)["spec"]["replicas"], 3);
  EXPECT_TRUE(
      KubeSimulator::eventually([&] { return sim_->objects("jobs", "firedrill").empty(); }));
}

// A Runner killed by SIGKILL cannot delete its Job: `firedrill cleanup` finds it by the run's
// label and deletes it with its pods, under the Role `firedrill rbac` printed for the drill.
TEST_F(WorkerLoad, AfterTheRunnerIsKilledCleanupDeletesTheJobAndItsPods) {
  const fs::path file = drill_with_generated_role("200/s", "60s");
  auto firedrill =
      std::make_unique<Process>(std::vector<std::string>{FIREDRILL_BINARY, "run", "-q", "--out-dir",
                                                         out().string(), file.string()},
                                dir_.path() / "run.log");
  ASSERT_TRUE(KubeSimulator::eventually([&] { return worker_pods().size() == 4; },
                                        std::chrono::seconds(30)))
      << read_text(dir_.path() / "run.log") << sim_->log();
  firedrill->signal(SIGKILL);
  firedrill->wait(std::chrono::seconds(10));
  const auto jobs = sim_->objects("jobs", "firedrill");
  ASSERT_EQ(jobs.size(), 1u);
  const std::string run = jobs[0]["metadata"]["labels"].at("firedrill.io/run");
  const std::string job = jobs[0]["metadata"]["name"];

  CommandResult r = run_firedrill({"cleanup", "--run", run, "--drill", file.string()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("deleted jobs.batch \"" + job + "\" in namespace firedrill"),
            std::string::npos)
      << r.out;
  // The Job's pods go with it, not one by one (the workers' Role cannot delete pods).
  EXPECT_EQ(r.out.find("pods \""), std::string::npos) << r.out;
  EXPECT_TRUE(KubeSimulator::eventually(
      [&] { return sim_->objects("jobs", "firedrill").empty() && worker_pods().empty(); },
      std::chrono::seconds(30)));
}

// What `firedrill rbac` prints for a drill with workers is all its Runner needs of the API: the
// simulator enforces the Role for the ServiceAccount's token as the RBAC authorizer does.
TEST_F(WorkerLoad, WithTheRoleFiredrillRbacPrintsTheWorkersRun) {
  CommandResult r = run(drill_with_generated_role("200/s", "2s"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// docker/k8s/load/job.yaml as docker/README.md runs it, kubectl and all: applied with its URL,
// start instant and duration set, its pods' results collected from their logs and merged.
TEST_F(WorkerLoad, TheReadmesIndexedJobSendsTheWholeLoad) {
  const fs::path manifest = fs::path(FIREDRILL_SOURCE_DIR) / "docker" / "k8s" / "load" / "job.yaml";
  json job = yaml_documents(manifest).at(0);
  json& args = job["spec"]["template"]["spec"]["containers"][0]["args"];
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--start-at") {
      args[i + 1] = common::format_rfc3339(common::WallClock::now() + std::chrono::seconds(3));
    }
    if (args[i] == "--duration") args[i + 1] = "2s";
  }
  args[args.size() - 1] = target_.url("/");
  std::ofstream(dir_.path() / "job-here.json") << job.dump();

  auto kubectl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"-n", "firedrill"});
    CommandResult r = run_kubectl(sim_->token_kubeconfig(), args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  kubectl({"create", "--validate=false", "-f", (dir_.path() / "job-here.json").string()});
  kubectl({"wait", "--for=condition=complete", "--timeout=60s", "job/firedrill-load"});
  std::vector<std::string> merge = {"merge"};
  for (int i = 0; i < 4; ++i) {
    std::string pod = kubectl(
        {"get", "pods", "-o", "name", "-l",
         "job-name=firedrill-load,batch.kubernetes.io/job-completion-index=" + std::to_string(i)});
    while (!pod.empty() && pod.back() == '\n') pod.pop_back();
    std::istringstream log(kubectl({"logs", pod}));
    const fs::path shard = dir_.path() / ("shard-" + std::to_string(i) + ".json");
    std::ofstream out(shard);
    for (std::string line; std::getline(log, line);) {
      if (line.starts_with("{")) out << line << "\n";
    }
    merge.push_back(shard.string());
  }
  merge.insert(merge.end(), {"-o", (dir_.path() / "load.json").string()});
  CommandResult merged = run_firedrill(merge, false);
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  const json load = json::parse(read_text(dir_.path() / "load.json"));
  const double succeeded = load.at("requests").at("succeeded").get<double>();
  EXPECT_EQ(succeeded, answered());
  EXPECT_NEAR(succeeded, 4000, 40);
}

}  // namespace
}  // namespace firedrill::testing
