// `firedrill cleanup --run ID` against the API simulator: the pods that faults of one run created
// are deleted, and nothing else is; a dry run deletes nothing; RBAC refusals and bad usage are
// explained.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "chaos/fault.hpp"
#include "tests/integration/kube_simulator.hpp"
#include "tests/unit/kind_params.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

json labelled_pod(const std::string& ns, const std::string& name, json labels) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", std::move(labels)}}},
          {"spec",
           {{"containers", json::array({{{"name", "main"},
                                         {"image", "busybox:1.36"},
                                         {"resources", {{"requests", {{"cpu", "10m"}}}}}}})}}}};
}

// The shop of shop_seed, a namespace "other", a pod of run-42 there (outside the drill's
// allowNamespaces), an unlabelled pod in shop, and users "reader" (pods: get, list), "getter"
// (pods: get) and "pods-only" (pods: get, list, delete; no jobs).
json cleanup_seed() {
  json seed = shop_seed(3);
  seed["objects"].push_back(
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "other"}}}});
  seed["objects"].push_back(
      labelled_pod("other", "stress-elsewhere", {{"firedrill.io/run", "run-42"}}));
  seed["objects"].push_back(labelled_pod("shop", "debug", json::object()));
  seed["auth"]["tokens"]["reader-token"] = "reader";
  seed["auth"]["rbac"]["reader"] =
      json::array({{{"verbs", {"get", "list"}}, {"apiGroups", {""}}, {"resources", {"pods"}}}});
  seed["auth"]["tokens"]["getter-token"] = "getter";
  seed["auth"]["rbac"]["getter"] =
      json::array({{{"verbs", {"get"}}, {"apiGroups", {""}}, {"resources", {"pods"}}}});
  seed["auth"]["tokens"]["pods-only-token"] = "pods-only";
  seed["auth"]["rbac"]["pods-only"] = json::array(
      {{{"verbs", {"get", "list", "delete"}}, {"apiGroups", {""}}, {"resources", {"pods"}}}});
  return seed;
}

class KubeCleanup : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<KubeSimulator>(cleanup_seed());
    integrations_ = clients::Integrations(sim_->integrations({"shop"}));
    ASSERT_TRUE(KubeSimulator::eventually([&] { return pod_names("shop").size() >= 4; }))
        << sim_->log();
    run_42_ = stress("run-42", 2);
    run_7_ = stress("run-7", 1);
    drill_ = dir_.path() / "stress.yaml";
    std::ofstream(drill_) << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: stress}\n"
                             "integrations:\n  kubernetes:\n    kubeconfig: "
                          << sim_->token_kubeconfig().string()
                          << "\n    allowNamespaces: [shop, kube-system]\n"
                             "steps:\n  - chaos:\n      kube.stress: {namespace: shop}\n";
  }

  // Creates `replicas` pods with the kube.stress fault as run `run_id` does; their names.
  std::vector<std::string> stress(const std::string& run_id, int replicas) {
    const chaos::FaultKind* kind = chaos::find_fault_kind("kube.stress");
    auto fault = kind->create(
        kind_params(
            kind->schema,
            {{"namespace", "shop"}, {"replicas", replicas}, {"cpu", "10m"}, {"memory", "16Mi"}}),
        nullptr);
    chaos::FaultContext context;
    context.run_id = run_id;
    context.drill_name = "stress";
    context.integrations = &integrations_;
    auto names = fault->capture(context)["pods"].get<std::vector<std::string>>();
    fault->inject(context);
    return names;
  }

  std::set<std::string> pod_names(const std::string& ns) const {
    std::set<std::string> names;
    for (const auto& p : sim_->objects("pods", ns)) {
      if (!p["metadata"].contains("deletionTimestamp")) names.insert(p["metadata"]["name"]);
    }
    return names;
  }
  // `firedrill cleanup --run run-42 --namespace shop` as `user` of cleanup_seed (token USER-token).
  CommandResult cleanup_as(const std::string& user) const {
    const fs::path config = sim_->kubeconfig("    token: " + user + "-token\n", user + "-config");
    return run_firedrill(
        {"cleanup", "--run", "run-42", "--kubeconfig", config.string(), "--namespace", "shop"},
        false);
  }
  // Requests that could have changed the cluster.
  std::vector<json> mutations() const {
    std::vector<json> out;
    for (const auto& r : sim_->requests()) {
      if (r["method"] != "GET") out.push_back(r);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<KubeSimulator> sim_;
  clients::Integrations integrations_;
  std::vector<std::string> run_42_;
  std::vector<std::string> run_7_;
  fs::path drill_;
};

TEST_F(KubeCleanup, DeletesTheObjectsOfTheRunAndNothingElse) {
  std::size_t writes_before = mutations().size();
  CommandResult r =
      run_firedrill({"cleanup", "--run", "run-42", "--drill", drill_.string()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::set<std::string> shop = pod_names("shop");
  for (const auto& name : run_42_) {
    EXPECT_FALSE(shop.count(name)) << name << " is still there";
    EXPECT_THAT(r.out, HasSubstr("deleted pods \"" + name + "\" in namespace shop (kube.stress)"));
  }
  EXPECT_TRUE(shop.count(run_7_.at(0))) << "a pod of another run was deleted";
  EXPECT_TRUE(shop.count("debug")) << "an unlabelled pod was deleted";
  EXPECT_EQ(std::count_if(shop.begin(), shop.end(),
                          [](const std::string& n) { return n.starts_with("web-"); }),
            3);
  EXPECT_TRUE(pod_names("other").count("stress-elsewhere"))
      << "a namespace outside allowNamespaces was touched";

  auto writes = mutations();
  ASSERT_EQ(writes.size(), writes_before + run_42_.size());
  for (std::size_t i = writes_before; i < writes.size(); ++i) {
    EXPECT_EQ(writes[i]["method"], "DELETE");
    EXPECT_EQ(writes[i]["body"]["kind"], "DeleteOptions");
    EXPECT_EQ(writes[i]["body"]["gracePeriodSeconds"], 0);
  }
  bool listed_by_label = false;
  for (const auto& q : sim_->requests()) {
    listed_by_label = listed_by_label || (q["path"] == "/api/v1/namespaces/shop/pods" &&
                                          q["query"].value("labelSelector", json::array()) ==
                                              json::array({"firedrill.io/run=run-42"}));
    EXPECT_NE(q["path"], "/api/v1/namespaces/kube-system/pods") << "kube-system was searched";
  }
  EXPECT_TRUE(listed_by_label);
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kSimToken)));

  CommandResult again =
      run_firedrill({"cleanup", "--run", "run-42", "--drill", drill_.string()}, false);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("nothing of run run-42 is left"));
}

TEST_F(KubeCleanup, DryRunListsAndDeletesNothing) {
  std::size_t writes_before = mutations().size();
  CommandResult r =
      run_firedrill({"cleanup", "--run", "run-42", "--drill", drill_.string(), "--dry-run"}, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& name : run_42_) {
    EXPECT_THAT(r.out,
                HasSubstr("would delete pods \"" + name + "\" in namespace shop (kube.stress)"));
  }
  EXPECT_THAT(r.out, Not(HasSubstr(run_7_.at(0))));
  EXPECT_EQ(mutations().size(), writes_before);
  std::set<std::string> shop = pod_names("shop");
  for (const auto& name : run_42_) EXPECT_TRUE(shop.count(name));
}

TEST_F(KubeCleanup, NamespacesFromTheCommandLineWithoutADrill) {
  CommandResult r = run_firedrill({"cleanup", "--run", "run-42", "--kubeconfig",
                                   sim_->token_kubeconfig().string(), "-n", "shop,other"},
                                  false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(pod_names("other").count("stress-elsewhere"));
  for (const auto& name : run_42_) EXPECT_FALSE(pod_names("shop").count(name));
  EXPECT_TRUE(pod_names("shop").count(run_7_.at(0)));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kSimToken)));
}

TEST_F(KubeCleanup, ForbiddenDeleteSaysWhichRbacRuleIsMissing) {
  CommandResult r = cleanup_as("reader");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("user \"u\" needs RBAC: verbs [delete] on resources [pods] in "
                               "namespace shop"));
  EXPECT_THAT(r.err, HasSubstr("some objects of the run may remain"));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("reader-token")));
  for (const auto& name : run_42_) EXPECT_TRUE(pod_names("shop").count(name));
}

TEST_F(KubeCleanup, ForbiddenListSaysWhichRbacRuleIsMissing) {
  CommandResult r = cleanup_as("getter");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("user \"u\" needs RBAC: verbs [list] on resources [pods] in "
                               "namespace shop"));
  EXPECT_THAT(r.out, Not(HasSubstr("nothing of run")));
}

// Without the drill nothing says the run had worker loads: Jobs the caller may not list are left
// unsearched with a warning. With a drill whose workers ran there, they must be searched.
TEST_F(KubeCleanup, JobsItMayNotListAreAWarningUnlessTheDrillHadWorkersThere) {
  CommandResult r = cleanup_as("pods-only");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("load Jobs not searched in shop (give --drill for a run with "
                               "workers)"));
  for (const auto& name : run_42_) EXPECT_FALSE(pod_names("shop").count(name));

  const fs::path with_workers = dir_.path() / "workers.yaml";
  std::ofstream(with_workers) << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: spread}\n"
                                 "integrations:\n  kubernetes:\n    kubeconfig: "
                              << sim_->kubeconfig("    token: pods-only-token\n",
                                                  "pods-only-config")
                              << "\n    allowNamespaces: [shop]\n"
                                 "target: {url: \"http://127.0.0.1:9/\"}\n"
                                 "load:\n  spread: {rate: 10/s, connections: 2, workers: 2, "
                                 "namespace: shop}\n"
                                 "steps:\n  - load: spread\n    duration: 1s\n";
  r = run_firedrill({"cleanup", "--run", "run-7", "--drill", with_workers.string()}, false);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("verbs [list] on resources [jobs]"));
  EXPECT_THAT(r.err, Not(HasSubstr("load Jobs not searched")));
}

TEST_F(KubeCleanup, BadUsageExitsTwoAndChangesNothing) {
  std::size_t writes_before = mutations().size();
  auto usage = [](std::vector<std::string> args) {
    args.insert(args.begin(), "cleanup");
    return run_firedrill(args, false);
  };
  CommandResult no_run = usage({"--drill", drill_.string()});
  EXPECT_EQ(no_run.exit_code, 2);
  EXPECT_THAT(no_run.err, HasSubstr("--run is required"));

  CommandResult nowhere = usage({"--run", "run-42"});
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_THAT(nowhere.err, HasSubstr("no namespace to search: give --drill FILE"));

  CommandResult system = usage(
      {"--run", "run-42", "--kubeconfig", sim_->token_kubeconfig().string(), "-n", "kube-system"});
  EXPECT_EQ(system.exit_code, 2);
  EXPECT_THAT(system.err, HasSubstr("--namespace: kube-system is refused"));

  CommandResult outside = usage({"--run", "run-42", "--drill", drill_.string(), "-n", "other"});
  EXPECT_EQ(outside.exit_code, 2);
  EXPECT_THAT(outside.err, HasSubstr("--namespace: other is refused: "
                                     "integrations.kubernetes.allowNamespaces does not list it"));

  CommandResult no_config =
      usage({"--run", "run-42", "--kubeconfig", (dir_.path() / "missing").string(), "-n", "shop"});
  EXPECT_EQ(no_config.exit_code, 2);
  EXPECT_THAT(no_config.err, HasSubstr("does not exist"));

  CommandResult bad_id = usage({"--run", "///", "-n", "shop"});
  EXPECT_EQ(bad_id.exit_code, 2);
  EXPECT_THAT(bad_id.err, HasSubstr("--run: \"///\" is not a run id"));

  EXPECT_EQ(mutations().size(), writes_before);
}

}  // namespace
}  // namespace firedrill::testing
