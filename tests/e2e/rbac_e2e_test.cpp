// `firedrill rbac` grants a drill exactly what it calls: the Role it prints for the pod-kill
// example, applied to the API simulator (which enforces Roles and RoleBindings as the RBAC
// authorizer does) for a ServiceAccount's token, lets the drill pass; with one verb taken out,
// the call that needs it is refused and firedrill's error names the verb and the resource. The
// printed YAML is read by PyYAML, not by firedrill.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tests/integration/kube_simulator.hpp"
#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string kPodKill =
    std::string(FIREDRILL_SOURCE_DIR) + "/scenarios/examples/k8s/pod-kill.yaml";
constexpr const char* kServiceAccountToken = "sa-token-3c1d9e7f";

class DrillRbac : public ::testing::Test {
 protected:
  void SetUp() override {
    json seed = shop_seed(3);
    seed["objects"].push_back(
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "firedrill"}}}});
    sim_ = std::make_unique<KubeSimulator>(std::move(seed));
    sim_->sim(
        "tokens", "POST",
        {{"token", kServiceAccountToken}, {"user", "system:serviceaccount:firedrill:firedrill"}});
    setenv("KUBECONFIG",
           sim_->kubeconfig(std::string("    token: ") + kServiceAccountToken + "\n", "sa-config")
               .c_str(),
           1);
    setenv("NAMESPACE", "shop", 1);
    setenv("APP", "web", 1);
  }
  void TearDown() override {
    for (const char* name : {"KUBECONFIG", "NAMESPACE", "APP"}) unsetenv(name);
  }

  // What `firedrill rbac` prints, as PyYAML reads it.
  std::vector<json> manifests() const {
    CommandResult r =
        run_firedrill({"rbac", kPodKill, "--namespace", "firedrill"}, /*with_output=*/false);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const fs::path yaml = dir_.path() / "rbac.yaml";
    std::ofstream(yaml) << r.out;
    return yaml_documents(yaml);
  }

  // As `kubectl apply` of a new object would, with the simulator's unrestricted user.
  void apply(const json& object) const {
    static const std::map<std::string, std::string> kCollections = {
        {"ServiceAccount", "/api/v1/namespaces/NS/serviceaccounts"},
        {"Role", "/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles"},
        {"RoleBinding", "/apis/rbac.authorization.k8s.io/v1/namespaces/NS/rolebindings"},
        {"ClusterRole", "/apis/rbac.authorization.k8s.io/v1/clusterroles"},
        {"ClusterRoleBinding", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"}};
    std::string path = kCollections.at(object.at("kind"));
    if (auto at = path.find("/NS/"); at != std::string::npos) {
      path.replace(at, 4, "/" + object["metadata"].value("namespace", "") + "/");
    }
    common::HttpRequest request;
    request.method = "POST";
    request.url = sim_->server() + path;
    request.ca_pem = sim_->ca_pem();
    request.headers = {{"Authorization", std::string("Bearer ") + kSimToken},
                       {"Content-Type", "application/json"}};
    request.body = object.dump();
    common::HttpResponse response = common::HttpClient().perform(request);
    ASSERT_EQ(response.status, 201) << path << ": " << response.body;
  }

  CommandResult run_drill() const {
    return run_firedrill({"run", "-q", "--out-dir", (dir_.path() / "out").string(), kPodKill},
                         false);
  }

  TempDir dir_;
  std::unique_ptr<KubeSimulator> sim_;
};

TEST_F(DrillRbac, TheRolePrintedIsExactlyWhatThePodKillDrillCalls) {
  std::vector<json> objects = manifests();
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0]["kind"], "ServiceAccount");
  EXPECT_EQ(objects[1]["kind"], "Role");
  EXPECT_EQ(objects[1]["metadata"]["namespace"], "shop");
  // pods: the fault lists and deletes them, kube.rollout lists them; events: kube.events;
  // deployments: kube.rollout reads the Deployment. Nothing else, and no ClusterRole.
  EXPECT_EQ(objects[1]["rules"], json::parse(R"([
      {"apiGroups": [""], "resources": ["events"], "verbs": ["list"]},
      {"apiGroups": [""], "resources": ["pods"], "verbs": ["list", "delete"]},
      {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}])"))
      << objects[1].dump(2);
  EXPECT_EQ(objects[2]["kind"], "RoleBinding");
  EXPECT_EQ(objects[2]["subjects"], json::parse(R"([
      {"kind": "ServiceAccount", "name": "firedrill", "namespace": "firedrill"}])"));
}

TEST_F(DrillRbac, WithItsRoleTheDrillPasses) {
  for (const json& object : manifests()) apply(object);
  CommandResult r = run_drill();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(DrillRbac, WithOneVerbTakenOutTheCallThatNeedsItFailsNamingIt) {
  for (json object : manifests()) {
    if (object["kind"] == "Role") {
      for (json& rule : object["rules"]) {
        if (rule["resources"] == json::array({"pods"})) rule["verbs"] = json::array({"list"});
      }
    }
    apply(object);
  }
  CommandResult r = run_drill();
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  const json result = json::parse(read_text(dir_.path() / "out" / "result.json"));
  ASSERT_EQ(result.at("faults").size(), 1u) << result.dump(2);
  const std::string error = result["faults"][0].at("error");
  // The namespace came from ${env:NAMESPACE}, and reports show it so.
  EXPECT_THAT(error, HasSubstr("cannot delete resource \"pods\" in API group \"\" in the "
                               "namespace \"${env:NAMESPACE:-shop}\""));
  EXPECT_THAT(error,
              HasSubstr("verbs [delete] on resources [pods] in namespace ${env:NAMESPACE:-shop}"));
  EXPECT_EQ(sim_->objects("pods", "shop").size(), 3u) << "a pod was deleted without the verb";
}

// A CI role that an EKS access entry maps to a group gets the same Roles; a name Kubernetes
// would refuse is refused before anything is printed.
TEST(Rbac, BindsGroupsTooAndRefusesNamesKubernetesWouldNot) {
  const std::string drill = std::string(FIREDRILL_SOURCE_DIR) + "/docker/k8s/drill.yaml";
  CommandResult r = run_firedrill({"rbac", drill, "--group", "firedrill-ci"}, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  - kind: Group\n    apiGroup: rbac.authorization.k8s.io\n"
                               "    name: \"firedrill-ci\"\n"));
  CommandResult bad = run_firedrill({"rbac", drill, "--namespace", "Fire_Drill"}, false);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--namespace: \"Fire_Drill\" is not a DNS-1123 label"));
  EXPECT_TRUE(bad.out.empty()) << bad.out;
}

// docker/k8s cannot drift from the drill it runs: its rbac.yaml is what `firedrill rbac` prints
// for its drill now, and its Job keeps the settings a drill Job must have.
TEST(DockerJob, ItsRbacIsWhatFiredrillRbacPrintsForItsDrill) {
  const fs::path k8s = fs::path(FIREDRILL_SOURCE_DIR) / "docker" / "k8s";
  CommandResult r = run_firedrill(
      {"rbac", (k8s / "drill.yaml").string(), "--namespace", "firedrill"}, /*with_output=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto without_comments = [](const std::string& text) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (!line.starts_with("#")) out += line + "\n";
    }
    return out;
  };
  EXPECT_EQ(without_comments(read_text(k8s / "rbac.yaml")), without_comments(r.out))
      << "regenerate it: firedrill rbac docker/k8s/drill.yaml --namespace firedrill";
  EXPECT_EQ(run_firedrill({"validate", (k8s / "drill.yaml").string()}, false).exit_code, 0);
}

TEST(DockerJob, TheJobNeverRetriesAndRunsRestricted) {
  const fs::path job = fs::path(FIREDRILL_SOURCE_DIR) / "docker" / "k8s" / "job.yaml";
  const json spec = yaml_documents(job).at(0).at("spec");
  EXPECT_EQ(spec.at("backoffLimit"), 0);
  EXPECT_TRUE(spec.contains("activeDeadlineSeconds"));
  EXPECT_TRUE(spec.contains("ttlSecondsAfterFinished"));
  const json pod = spec.at("template").at("spec");
  EXPECT_EQ(pod.at("serviceAccountName"), "firedrill");
  EXPECT_EQ(pod.at("restartPolicy"), "Never");
  EXPECT_EQ(pod.at("securityContext").at("runAsNonRoot"), true);
  const json container = pod.at("containers").at(0);
  EXPECT_EQ(container.at("securityContext").at("readOnlyRootFilesystem"), true);
  EXPECT_EQ(container.at("securityContext").at("capabilities").at("drop"), json::array({"ALL"}));
  const json args = container.at("args");
  EXPECT_EQ(args.at(0), "run");
  EXPECT_NE(std::find(args.begin(), args.end(), "--pushgateway"), args.end());
}

}  // namespace
}  // namespace firedrill::testing
