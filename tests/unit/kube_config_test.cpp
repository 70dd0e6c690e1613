// kubeconfig as kubectl reads it, exec credential plugins, in-cluster configuration, and the
// paths the client builds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "clients/integrations.hpp"
#include "clients/kube_client.hpp"
#include "clients/kube_config.hpp"
#include "clients/kube_credentials.hpp"
#include "common/base64.hpp"
#include "common/errors.hpp"

namespace firedrill::clients {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class KubeConfigTest : public ::testing::Test {
 protected:
  KubeConfigTest() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("firedrill-kubeconfig-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  ~KubeConfigTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
  std::string read(const fs::path& p) const {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string value_error(const std::function<void()>& f) const {
    try {
      f();
    } catch (const common::ValueError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no ValueError";
    return "";
  }
  // An exec plugin that counts its runs and answers with `status` (a JSON object).
  fs::path plugin(const std::string& status,
                  const std::string& api_version = "client.authentication.k8s.io/v1beta1") const {
    fs::path p = dir_ / "plugin.sh";
    std::ofstream(p) << "#!/bin/sh\necho run >> '" << (dir_ / "runs").string() << "'\n"
                     << "printf '%s' \"$KUBERNETES_EXEC_INFO\" > '" << (dir_ / "info").string()
                     << "'\necho '{\"apiVersion\":\"" << api_version
                     << "\",\"kind\":\"ExecCredential\",\"status\":" << status << "}'\n";
    chmod(p.c_str(), 0755);
    return p;
  }
  int runs() const {
    std::string text = read(dir_ / "runs");
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }
  KubeTarget exec_target(const fs::path& command) const {
    KubeTarget t;
    t.server = "https://127.0.0.1:6443";
    t.user = "eks-user";
    t.ca_pem = "PEM";
    t.exec = KubeExecPlugin{
        "client.authentication.k8s.io/v1beta1", command.string(), {}, {}, true, "IfAvailable"};
    return t;
  }

  fs::path dir_;
};

const char* kFirst = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443/
    certificate-authority: certs/dev-ca.pem
- name: shared
  cluster: {server: https://first.example}
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
- name: shared
  context: {cluster: shared, user: dev-user}
users:
- name: dev-user
  user:
    token: first-token
)";

const char* kSecond = R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: shared
  cluster: {server: https://second.example}
- name: prod-cluster
  cluster:
    server: https://prod.example
    insecure-skip-tls-verify: true
    tls-server-name: api.prod.internal
contexts:
- name: dev
  context: {cluster: prod-cluster, user: prod-user}
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
users:
- name: prod-user
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
)";

TEST_F(KubeConfigTest, MergesFilesFirstEntryAndFirstCurrentContextWin) {
  auto a = write("a/config", kFirst);
  write("a/certs/dev-ca.pem", "DEV CA");
  auto b = write("b/config", kSecond);
  KubeTarget t = load_kubeconfig({dir_ / "missing", a, b}, "");
  EXPECT_EQ(t.context, "dev");
  EXPECT_EQ(t.server, "https://dev.example:6443");
  EXPECT_EQ(t.ca_pem, "DEV CA");  // a relative path is relative to its own file
  EXPECT_EQ(t.namespace_name, "team-a");
  EXPECT_EQ(t.token, "first-token");
  EXPECT_THAT(t.source, HasSubstr(a.string()));

  KubeTarget shared = load_kubeconfig({a, b}, "shared");
  EXPECT_EQ(shared.server, "https://first.example");
  EXPECT_EQ(shared.namespace_name, "default");

  KubeTarget prod = load_kubeconfig({a, b}, "prod");  // entries only the second file has
  EXPECT_TRUE(prod.insecure);
  EXPECT_EQ(prod.tls_server_name, "api.prod.internal");
  EXPECT_EQ(prod.client_cert_pem, "CERT");
  EXPECT_EQ(prod.client_key_pem, "KEY");

  KubeTarget reversed = load_kubeconfig({b, a}, "");
  EXPECT_EQ(reversed.context, "prod");
}

TEST_F(KubeConfigTest, KubeconfigEnvironmentAndExplicitFile) {
  auto a = write("a/config", kFirst);
  write("a/certs/dev-ca.pem", "DEV CA");
  auto b = write("b/config", kSecond);
  setenv("KUBECONFIG", (b.string() + ":" + a.string()).c_str(), 1);
  KubeConfigOptions options;
  EXPECT_EQ(load_kube_target(options).context, "prod");
  options.context = "dev";
  EXPECT_EQ(load_kube_target(options).server, "https://prod.example");
  options.kubeconfig = a.string();  // read alone, not merged
  EXPECT_EQ(load_kube_target(options).server, "https://dev.example:6443");
  unsetenv("KUBECONFIG");
}

TEST_F(KubeConfigTest, ErrorsSayWhatExistsAndNeverQuoteCredentials) {
  auto a = write("a/config", kFirst);
  write("a/certs/dev-ca.pem", "DEV CA");
  EXPECT_THAT(value_error([&] { load_kubeconfig({a}, "staging"); }),
              HasSubstr("context \"staging\" is not in kubeconfig " + a.string() +
                        " (contexts: dev, shared)"));
  EXPECT_THAT(value_error([&] { load_kubeconfig({dir_ / "none"}, ""); }),
              HasSubstr("no kubeconfig file found"));
  auto bad = write("bad", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://x", insecure-skip-tls-verify: true,
  certificate-authority-data: Q0E=}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {client-certificate-data: "c2VjcmV0LWNlcnQ="}}]
)");
  std::string e = value_error([&] { load_kubeconfig({bad}, ""); });
  EXPECT_THAT(e, HasSubstr("insecure-skip-tls-verify together are not allowed"));
  auto no_key = write("nokey", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://x"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {client-certificate-data: "c2VjcmV0LWNlcnQ=", token: tok-secret}}]
)");
  e = value_error([&] { load_kubeconfig({no_key}, ""); });
  EXPECT_THAT(e, HasSubstr("a client certificate needs its key"));
  EXPECT_THAT(e, Not(HasSubstr("c2VjcmV0LWNlcnQ=")));
  EXPECT_THAT(e, Not(HasSubstr("tok-secret")));
}

TEST_F(KubeConfigTest, ExecPluginSettings) {
  auto config = write("exec", R"(current-context: eks
clusters: [{name: k, cluster: {server: "https://eks.example"}}]
contexts: [{name: eks, context: {cluster: k, user: aws}}]
users:
- name: aws
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, us-east-1, eks, get-token, --cluster-name, prod]
      env: [{name: AWS_PROFILE, value: drills}]
      provideClusterInfo: true
)");
  KubeTarget t = load_kubeconfig({config}, "");
  ASSERT_TRUE(t.exec.has_value());
  EXPECT_EQ(t.exec->command, "aws");
  EXPECT_EQ(t.exec->args.size(), 6u);
  EXPECT_EQ(t.exec->env.at(0), (std::pair<std::string, std::string>{"AWS_PROFILE", "drills"}));
  EXPECT_TRUE(t.exec->provide_cluster_info);
  EXPECT_EQ(t.exec->interactive_mode, "IfAvailable");

  auto v1 = write("v1", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://x"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/tok}}}]
)");
  EXPECT_THAT(value_error([&] { load_kubeconfig({v1}, ""); }),
              HasSubstr("exec.interactiveMode must be set"));
  auto relative = write("rel", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://x"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/tok,
  interactiveMode: Never}}}]
)");
  EXPECT_EQ(load_kubeconfig({relative}, "").exec->command, (dir_ / "./bin/tok").string());
  // Found by tools/fuzz: a map among the args ended the program instead of being an error.
  auto mapped = write("mapped", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://x"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws,
  args: [eks, {me: x}]}}}]
)");
  EXPECT_THAT(value_error([&] { load_kubeconfig({mapped}, ""); }),
              HasSubstr("exec.args must be a list of strings"));
}

TEST_F(KubeConfigTest, ExecCredentialIsCachedUntilExpirationTimestamp) {
  KubeTarget t =
      exec_target(plugin(R"({"token":"t-1","expirationTimestamp":"2099-01-01T00:00:00Z"})"));
  KubeCredentialSource source(t);
  EXPECT_EQ(source.current().token, "t-1");
  EXPECT_EQ(source.current().token, "t-1");
  EXPECT_EQ(runs(), 1);
  EXPECT_TRUE(source.invalidate());
  source.current();
  EXPECT_EQ(runs(), 2);

  json info = json::parse(read(dir_ / "info"));
  EXPECT_EQ(info["apiVersion"], "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["spec"]["interactive"], false);
  EXPECT_EQ(info["spec"]["cluster"]["server"], "https://127.0.0.1:6443");
  EXPECT_EQ(info["spec"]["cluster"]["certificate-authority-data"], "UEVN");
}

TEST_F(KubeConfigTest, ExpiredExecCredentialRunsThePluginAgain) {
  KubeTarget t =
      exec_target(plugin(R"({"token":"t","expirationTimestamp":"2001-01-01T00:00:00Z"})"));
  KubeCredentialSource source(t);
  source.current();
  source.current();
  EXPECT_EQ(runs(), 2);
}

TEST_F(KubeConfigTest, ExecPluginClientCertificateAndFailures) {
  KubeTarget t = exec_target(plugin(R"({"clientCertificateData":"CERT","clientKeyData":"KEY"})"));
  KubeCredential c = KubeCredentialSource(t).current();
  EXPECT_EQ(c.client_cert_pem, "CERT");
  EXPECT_EQ(c.client_key_pem, "KEY");
  EXPECT_TRUE(c.token.empty());

  t = exec_target(plugin(R"({"token":"leaked-token"})", "client.authentication.k8s.io/v1alpha1"));
  try {
    KubeCredentialSource(t).current();
    FAIL() << "no KubeCredentialError";
  } catch (const KubeCredentialError& e) {
    EXPECT_THAT(e.what(), HasSubstr("apiVersion \"client.authentication.k8s.io/v1alpha1\""));
    EXPECT_THAT(e.what(), Not(HasSubstr("leaked-token")));
  }

  fs::path failing = write("fail.sh",
                           "#!/bin/sh\necho 'token: oops-secret'\n"
                           "echo 'Unable to locate credentials' >&2\nexit 255\n");
  chmod(failing.c_str(), 0755);
  try {
    KubeCredentialSource(exec_target(failing)).current();
    FAIL() << "no KubeCredentialError";
  } catch (const KubeCredentialError& e) {
    EXPECT_THAT(e.what(), HasSubstr("exit code 255"));
    EXPECT_THAT(e.what(), HasSubstr("Unable to locate credentials"));
    EXPECT_THAT(e.what(), Not(HasSubstr("oops-secret")));
  }
}

TEST_F(KubeConfigTest, TokenFileIsReadAgainAfterItsRefreshPeriod) {
  KubeTarget t;
  t.token_file = write("token", "one\n");
  t.token_file_refresh = std::chrono::hours(1);
  KubeCredentialSource cached(t);
  EXPECT_EQ(cached.current().token, "one");
  write("token", "two\n");
  EXPECT_EQ(cached.current().token, "one");
  EXPECT_TRUE(cached.invalidate());
  EXPECT_EQ(cached.current().token, "two");
  t.token_file_refresh = common::Duration::zero();
  KubeCredentialSource fresh(t);
  fresh.current();
  write("token", "three\n");
  EXPECT_EQ(fresh.current().token, "three");
}

TEST_F(KubeConfigTest, InClusterConfiguration) {
  write("sa/token", "sa-token\n");
  write("sa/ca.crt", "CLUSTER CA");
  write("sa/namespace", "shop");
  unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_THAT(value_error([&] { load_in_cluster(dir_ / "sa"); }),
              HasSubstr("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set"));
  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  KubeTarget t = load_in_cluster(dir_ / "sa");
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  EXPECT_EQ(t.server, "https://[fd00::1]:443");
  EXPECT_EQ(t.ca_pem, "CLUSTER CA");
  EXPECT_EQ(t.namespace_name, "shop");
  EXPECT_EQ(t.token_file, dir_ / "sa/token");
  EXPECT_EQ(KubeCredentialSource(t).current().token, "sa-token");
}

// The simulator's kubelet names each pod's service account folder; a drill's serviceAccountDir
// still wins.
TEST_F(KubeConfigTest, TestsMoveTheInClusterFolderByEnvironment) {
  write("pod/token", "pod-token\n");
  write("pod/ca.crt", "SIM CA");
  write("pod/namespace", "load");
  write("given/token", "given-token\n");
  write("given/ca.crt", "GIVEN CA");
  setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
  setenv("FIREDRILL_TEST_SERVICE_ACCOUNT_DIR", (dir_ / "pod").c_str(), 1);
  KubeConfigOptions options;
  options.in_cluster = true;
  const KubeTarget from_env = load_kube_target(options);
  options.service_account_dir = dir_ / "given";
  const KubeTarget given = load_kube_target(options);
  unsetenv("FIREDRILL_TEST_SERVICE_ACCOUNT_DIR");
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  EXPECT_EQ(from_env.ca_pem, "SIM CA");
  EXPECT_EQ(from_env.namespace_name, "load");
  EXPECT_EQ(given.ca_pem, "GIVEN CA");
}

TEST_F(KubeConfigTest, IntegrationSettings) {
  json integrations = {{"kubernetes", {{"context", "prod"}, {"kubeconfig", "/k"}}}};
  KubeConfigOptions o = Integrations(integrations).kubernetes.connection;
  EXPECT_EQ(o.context, "prod");
  EXPECT_EQ(o.kubeconfig, "/k");
  EXPECT_FALSE(o.in_cluster);
  integrations = {{"kubernetes", {{"inCluster", true}, {"context", "prod"}}}};
  EXPECT_THAT(value_error([&] { (void)Integrations(integrations); }),
              HasSubstr("inCluster: true cannot be combined"));
  integrations = {{"kubernetes", {{"inCluster", "yes"}}}};
  EXPECT_THAT(value_error([&] { (void)Integrations(integrations); }),
              HasSubstr("inCluster must be true or false"));
}

TEST(KubeResource, PathsAndNames) {
  EXPECT_EQ(core_resource("pods", "shop", "web-1").path(), "/api/v1/namespaces/shop/pods/web-1");
  EXPECT_EQ(core_resource("nodes").path(), "/api/v1/nodes");
  KubeResource scale = apps_resource("deployments", "shop", "web");
  scale.subresource = "scale";
  EXPECT_EQ(scale.path(), "/apis/apps/v1/namespaces/shop/deployments/web/scale");
  EXPECT_EQ(scale.shown(), "deployments.apps \"web\"/scale in namespace shop");
  EXPECT_EQ(common::base64_decode(common::base64_encode("any\nbytes\x01")), "any\nbytes\x01");
  EXPECT_THROW(common::base64_decode("not*base64"), common::ValueError);
}

}  // namespace
}  // namespace firedrill::clients
