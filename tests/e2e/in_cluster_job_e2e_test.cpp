// docker/k8s as a user applies it: `kubectl apply -k` of its Namespace, ServiceAccount, the Role
// `firedrill rbac` made for its drill, the drill's ConfigMap and the Job, on the Kubernetes
// simulator whose kubelet runs the firedrill image as a local process. The Job's firedrill runs
// in-cluster (the pod's service-account token, held to the Role by the simulator's RBAC), reads
// its drill from the ConfigMap volume, writes its reports to the emptyDir and pushes its verdict
// to a real Pushgateway. With one rule taken out of the Role, the Job fails and its log names
// the verb and resource it lacked.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "tests/integration/kube_simulator.hpp"
#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kInClusterGateway = "http://prometheus-pushgateway.monitoring.svc:9091";

class InClusterJob : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<KubeSimulator>(
        shop_seed(3), std::string(),
        std::vector<std::string>{"--run-image",
                                 std::string("firedrill:latest=") + FIREDRILL_BINARY});
    gateway_port_ = free_port();
    gateway_ =
        std::make_unique<Process>(pushgateway_argv(gateway_port_), dir_.path() / "pushgateway.log");
    ASSERT_TRUE(wait_for_port(gateway_port_)) << read_text(dir_.path() / "pushgateway.log");
    // docker/k8s as it is in the repository, but for the Pushgateway's address here.
    fs::copy(fs::path(FIREDRILL_SOURCE_DIR) / "docker" / "k8s", k8s(), fs::copy_options::recursive);
    std::string job = read_text(k8s() / "job.yaml");
    const size_t at = job.find(kInClusterGateway);
    ASSERT_NE(at, std::string::npos) << job;
    job.replace(at, std::string(kInClusterGateway).size(), gateway_url());
    std::ofstream(k8s() / "job.yaml") << job;
  }

  fs::path k8s() const { return dir_.path() / "k8s"; }
  std::string gateway_url() const { return "http://127.0.0.1:" + std::to_string(gateway_port_); }

  CommandResult kubectl(const std::vector<std::string>& args) const {
    return run_kubectl(sim_->token_kubeconfig(), args);
  }

  // Applies docker/k8s, waits for its Job to reach `condition` and returns the drill's log.
  std::string apply_and_wait(const std::string& condition) const {
    // The simulator serves no OpenAPI document for kubectl's client-side validation.
    CommandResult applied = kubectl({"apply", "--validate=false", "-k", k8s().string()});
    EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    CommandResult waited = kubectl({"wait", "-n", "firedrill", "--for=condition=" + condition,
                                    "--timeout=180s", "job/firedrill"});
    CommandResult log = kubectl({"logs", "-n", "firedrill", "job/firedrill"});
    EXPECT_EQ(waited.exit_code, 0) << waited.err << "\n" << log.out << "\n" << sim_->log();
    return log.out;
  }

  TempDir dir_;
  std::unique_ptr<KubeSimulator> sim_;
  uint16_t gateway_port_ = 0;
  std::unique_ptr<Process> gateway_;
};

TEST_F(InClusterJob, TheDockerJobWithItsGeneratedRoleRunsTheDrillToPassed) {
  const std::string log = apply_and_wait("complete");
  EXPECT_THAT(log, HasSubstr("PASSED"));
  // The fault really ran: one of the three pods of shop/web was killed and replaced.
  EXPECT_EQ(sim_->objects("pods", "shop").size(), 3u);
  bool killed = false;
  for (const auto& event : sim_->objects("events", "shop")) {
    killed = killed || event.value("reason", "") == "Killing";
  }
  EXPECT_TRUE(killed);
  const std::string metrics = http_get(gateway_url() + "/metrics");
  EXPECT_TRUE(std::regex_search(
      metrics,
      std::regex(R"re(firedrill_drill_exit_code\{[^}]*drill="in-cluster-pod-kill"[^}]*\} 0)re")))
      << metrics;
}

TEST_F(InClusterJob, WithOneRuleTakenOutOfTheRoleTheJobFailsNamingIt) {
  std::string rbac = read_text(k8s() / "rbac.yaml");
  const std::string rule =
      "  - apiGroups: [\"apps\"]\n    resources: [\"deployments\"]\n    verbs: [\"get\"]\n";
  const size_t at = rbac.find(rule);
  ASSERT_NE(at, std::string::npos) << rbac;
  rbac.erase(at, rule.size());
  std::ofstream(k8s() / "rbac.yaml") << rbac;

  // The refused check is retried to the end of its window: a shorter one keeps the test short.
  std::string drill = read_text(k8s() / "drill.yaml");
  const size_t window = drill.find("eventually: 2m");
  ASSERT_NE(window, std::string::npos) << drill;
  drill.replace(window, 14, "eventually: 10s");
  std::ofstream(k8s() / "drill.yaml") << drill;

  const std::string log = apply_and_wait("failed");
  EXPECT_THAT(log, Not(HasSubstr("PASSED")));
  EXPECT_THAT(log, HasSubstr("cannot get resource \"deployments\" in API group \"apps\""));
  EXPECT_THAT(log, HasSubstr("verbs [get] on resources [deployments]"));
  const std::string metrics = http_get(gateway_url() + "/metrics");
  // The drill could not run as written: an infrastructure error (3), pushed as the verdict.
  EXPECT_TRUE(std::regex_search(
      metrics,
      std::regex(R"re(firedrill_drill_exit_code\{[^}]*drill="in-cluster-pod-kill"[^}]*\} 3)re")))
      << metrics;
}

}  // namespace
}  // namespace firedrill::testing
