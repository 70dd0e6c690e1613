// The Kubernetes API client against the API simulator: authentication (token, client
// certificate, exec plugin, in-cluster), lists and pagination, API Status errors, RBAC messages,
// and credentials kept out of every message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "clients/kube_client.hpp"
#include "common/base64.hpp"
#include "tests/integration/kube_simulator.hpp"

namespace firedrill::testing {
namespace {

using clients::KubeApiError;
using clients::KubeClient;
using clients::KubeListOptions;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

KubeClient client_for(const fs::path& kubeconfig) {
  clients::KubeConfigOptions options;
  options.kubeconfig = kubeconfig.string();
  return KubeClient(clients::load_kube_target(options));
}

json with_configmaps(int n) {
  json seed = shop_seed(1);
  for (int i = 0; i < n; ++i) {
    seed["objects"].push_back({{"apiVersion", "v1"},
                               {"kind", "ConfigMap"},
                               {"metadata",
                                {{"name", "cm-" + std::to_string(i)},
                                 {"namespace", "shop"},
                                 {"labels", {{"tier", i % 2 ? "odd" : "even"}}}}},
                               {"data", {{"i", std::to_string(i)}}}});
  }
  return seed;
}

KubeApiError api_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const KubeApiError& e) {
    return e;
  }
  ADD_FAILURE() << "no KubeApiError";
  return KubeApiError("", 0, "");
}

TEST(KubeClient, TokenListFollowsContinueAcrossPages) {
  KubeSimulator sim(with_configmaps(7));
  KubeClient client = client_for(sim.token_kubeconfig());
  EXPECT_EQ(client.default_namespace(), "shop");
  KubeListOptions options;
  options.page_size = 2;
  auto items = client.list(clients::core_resource("configmaps", "shop"), options);
  ASSERT_EQ(items.size(), 7u);
  EXPECT_EQ(items[6]["data"]["i"], "6");

  int pages = 0;
  bool sent_continue = false;
  for (const auto& r : sim.requests()) {
    if (r["path"] != "/api/v1/namespaces/shop/configmaps") continue;
    ++pages;
    EXPECT_EQ(r["query"]["limit"][0], "2");
    EXPECT_EQ(r["accept"], "application/json");
    sent_continue = sent_continue || r["query"].contains("continue");
  }
  EXPECT_EQ(pages, 4);
  EXPECT_TRUE(sent_continue);
}

TEST(KubeClient, LabelAndFieldSelectorsAreEncoded) {
  KubeSimulator sim(with_configmaps(4));
  KubeClient client = client_for(sim.token_kubeconfig());
  KubeListOptions options;
  options.label_selector = "tier in (odd),!missing";
  options.field_selector = "metadata.name!=cm-1";
  auto items = client.list(clients::core_resource("configmaps", "shop"), options);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["metadata"]["name"], "cm-3");
  auto requests = sim.requests();
  EXPECT_EQ(requests.back()["query"]["labelSelector"][0], "tier in (odd),!missing");
  EXPECT_EQ(requests.back()["query"]["fieldSelector"][0], "metadata.name!=cm-1");

  options = {};
  options.field_selector = "spec.nope=1";
  auto e = api_error([&] { client.list(clients::core_resource("configmaps", "shop"), options); });
  EXPECT_EQ(e.status(), 400);
  EXPECT_THAT(e.what(), HasSubstr("field label not supported: spec.nope"));
}

TEST(KubeClient, ClientCertificateFromKubeconfigData) {
  KubeSimulator sim(shop_seed(1));
  auto config = sim.kubeconfig(
      "    client-certificate-data: " + common::base64_encode(sim.client_cert_pem()) +
      "\n    client-key-data: " + common::base64_encode(sim.client_key_pem()) + "\n");
  KubeClient client = client_for(config);
  auto ns = client.get(clients::core_resource("namespaces", "", "shop"));
  EXPECT_EQ(ns["metadata"]["name"], "shop");
  EXPECT_EQ(sim.requests().back()["user"], "alice");
}

TEST(KubeClient, ExecPluginCredentialIsCachedUntilItExpires) {
  KubeSimulator sim(shop_seed(1));
  fs::path plugin = sim.dir() / "get-token";
  fs::path runs = sim.dir() / "runs";
  std::ofstream(plugin)
      << "#!/bin/sh\necho run >> '" << runs.string() << "'\necho \"$KUBERNETES_EXEC_INFO\" > '"
      << (sim.dir() / "info").string()
      << "'\ncat <<EOF\n{\"apiVersion\": \"client.authentication.k8s.io/v1beta1\","
         " \"kind\": \"ExecCredential\", \"status\": {\"token\": \""
      << kSimToken << "\", \"expirationTimestamp\": \"2099-01-01T00:00:00Z\"}}\nEOF\n";
  chmod(plugin.c_str(), 0755);
  auto config = sim.kubeconfig(
      "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: " +
      plugin.string() + "\n      provideClusterInfo: true\n");
  KubeClient client = client_for(config);
  client.get(clients::core_resource("namespaces", "", "shop"));
  client.get(clients::core_resource("nodes", "", "node-a"));
  EXPECT_EQ(read_text(runs), "run\n");
  json info = json::parse(read_text(sim.dir() / "info"));
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["spec"]["interactive"], false);
  EXPECT_EQ(info["spec"]["cluster"]["server"], sim.server());
  EXPECT_EQ(common::base64_decode(
                info["spec"]["cluster"]["certificate-authority-data"].get<std::string>()),
            sim.ca_pem());
}

TEST(KubeClient, RejectedExecCredentialIsFetchedAgainOnce) {
  KubeSimulator sim(shop_seed(1));
  fs::path plugin = sim.dir() / "get-token";
  fs::path runs = sim.dir() / "runs";
  // The first run hands out a token the server does not know; the second a good one.
  std::ofstream(plugin) << "#!/bin/sh\necho run >> '" << runs.string() << "'\n"
                        << "if [ $(wc -l < '" << runs.string()
                        << "') -eq 1 ]; then T=stale; else T=" << kSimToken
                        << "; fi\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                           "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"'$T'\"}}'\n";
  chmod(plugin.c_str(), 0755);
  auto config = sim.kubeconfig(
      "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
      "      interactiveMode: Never\n      command: " +
      plugin.string() + "\n");
  KubeClient client = client_for(config);
  EXPECT_EQ(client.get(clients::core_resource("namespaces", "", "shop"))["metadata"]["name"],
            "shop");
  EXPECT_EQ(read_text(runs), "run\nrun\n");
}

TEST(KubeClient, UnauthorizedSaysWhoWasRejectedWithoutTheToken) {
  KubeSimulator sim(shop_seed(1));
  const std::string secret = "wrong-s3cr3t-token-abc";
  KubeClient client = client_for(sim.token_kubeconfig(secret));
  auto e = api_error([&] { client.get(clients::core_resource("namespaces", "", "shop")); });
  EXPECT_EQ(e.status(), 401);
  EXPECT_EQ(e.reason(), "Unauthorized");
  EXPECT_THAT(e.what(), HasSubstr("bearer token of user \"u\""));
  EXPECT_THAT(e.what(), HasSubstr("context sim of"));
  EXPECT_THAT(e.what(), Not(HasSubstr(secret)));
}

TEST(KubeClient, ForbiddenNamesTheRbacRuleNeeded) {
  json seed = shop_seed(1);
  seed["auth"]["rbac"]["alice"] =
      json::array({{{"verbs", {"get", "list"}}, {"apiGroups", {""}}, {"resources", {"pods"}}}});
  KubeSimulator sim(seed);
  KubeClient client = client_for(sim.token_kubeconfig());
  client.list(clients::core_resource("pods", "shop"), {});
  auto e = api_error([&] { client.remove(clients::core_resource("pods", "shop", "web-1"), 0); });
  EXPECT_EQ(e.status(), 403);
  EXPECT_EQ(e.reason(), "Forbidden");
  EXPECT_THAT(e.what(), HasSubstr("pods \"web-1\" is forbidden: User \"alice\" cannot delete"));
  EXPECT_THAT(e.what(),
              HasSubstr("needs RBAC: verbs [delete] on resources [pods] in namespace shop"));
  EXPECT_THAT(e.what(), Not(HasSubstr(kSimToken)));

  auto patch = api_error([&] {
    client.patch(clients::apps_resource("deployments", "shop", "web"), json::object(),
                 clients::PatchType::StrategicMerge);
  });
  EXPECT_THAT(patch.what(), HasSubstr("verbs [patch] on resources [deployments] in API group apps "
                                      "in namespace shop"));
}

TEST(KubeClient, StatusErrorsCarryReasonAndMessage) {
  KubeSimulator sim(shop_seed(1));
  KubeClient client = client_for(sim.token_kubeconfig());
  EXPECT_FALSE(client.get_if_exists(clients::core_resource("pods", "shop", "gone")).has_value());
  auto e = api_error([&] { client.get(clients::apps_resource("deployments", "shop", "nope")); });
  EXPECT_EQ(e.status(), 404);
  EXPECT_THAT(e.what(), HasSubstr("deployments.apps \"nope\" not found (NotFound, HTTP 404)"));
  json bad = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "Bad_Name"}}},
              {"spec", {{"containers", json::array({{{"name", "c"}, {"image", ""}}})}}}};
  auto invalid = api_error([&] { client.create(clients::core_resource("pods", "shop"), bad); });
  EXPECT_EQ(invalid.status(), 422);
  EXPECT_THAT(invalid.what(), HasSubstr("spec.containers[0].image: Required value"));
  EXPECT_FALSE(client.remove(clients::core_resource("pods", "shop", "gone"), 0));
}

TEST(KubeClient, InClusterTokenIsReadAgainAfterRotation) {
  KubeSimulator sim(shop_seed(1));
  fs::path sa = sim.dir() / "serviceaccount";
  fs::create_directories(sa);
  std::ofstream(sa / "token") << kSimToken << "\n";
  std::ofstream(sa / "ca.crt") << sim.ca_pem();
  std::ofstream(sa / "namespace") << "shop";
  std::string port = sim.server().substr(sim.server().rfind(':') + 1);
  setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", port.c_str(), 1);
  KubeClient client(clients::load_in_cluster(sa));
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  EXPECT_EQ(client.default_namespace(), "shop");
  client.get(clients::core_resource("namespaces", "", "shop"));

  // The kubelet rotates the bound token; the old one stops working at once.
  sim.sim("tokens", "POST", {{"token", "rotated-token"}, {"user", "alice"}});
  sim.sim("revoke", "POST", {{"token", kSimToken}});
  std::ofstream(sa / "token") << "rotated-token\n";
  client.get(clients::core_resource("namespaces", "", "shop"));
  EXPECT_EQ(sim.requests().back()["status"], 200);
}

TEST(KubeClient, TlsServerNameChecksTheCertificateForThatNameOnTheServersAddress) {
  KubeSimulator sim(shop_seed(1), "api.sim.test");
  const std::string token_user = "    token: " + std::string(kSimToken) + "\n";
  KubeClient named =
      client_for(sim.kubeconfig(token_user, "named-config", "    tls-server-name: api.sim.test\n"));
  EXPECT_EQ(named.list(clients::core_resource("nodes"), {}).size(), 2u);
  bool seen = false;
  for (const auto& r : sim.requests()) seen = seen || r["path"] == "/api/v1/nodes";
  EXPECT_TRUE(seen);

  KubeClient plain = client_for(sim.kubeconfig(token_user, "plain-config"));
  KubeApiError e = api_error([&] { plain.list(clients::core_resource("nodes"), {}); });
  EXPECT_EQ(e.status(), 0);
  EXPECT_THAT(e.what(), HasSubstr("unreachable"));
  KubeClient other = client_for(
      sim.kubeconfig(token_user, "other-config", "    tls-server-name: other.sim.test\n"));
  EXPECT_EQ(api_error([&] { other.list(clients::core_resource("nodes"), {}); }).status(), 0);
}

TEST(KubeClient, TheServedKubeconfigsAuthenticateByCertificateAndByExecPlugin) {
  KubeSimulator sim(shop_seed(1));
  for (const auto& [which, user] : std::vector<std::pair<std::string, std::string>>{
           {"client-cert", "alice"}, {"exec", "exec-user"}}) {
    KubeClient client = client_for(sim.served_kubeconfig(which));
    EXPECT_EQ(client.list(clients::core_resource("pods", "shop"), {}).size(), 1u) << which;
    EXPECT_EQ(sim.requests().back()["user"], user) << which;
  }
}

}  // namespace
}  // namespace firedrill::testing
