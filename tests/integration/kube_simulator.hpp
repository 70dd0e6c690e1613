#pragma once
// The Kubernetes API simulator (tests/fixtures/kube_api_simulator.py) as the integration tests
// start it: a throw-away CA, a server certificate, a client certificate for user "alice", a seed
// of cluster objects, and kubeconfig files that reach it.
#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/http_client.hpp"
#include "tests/integration/support.hpp"

namespace firedrill::testing {

inline constexpr const char* kSimToken = "sim-token-9f8e7d6c5b4a";

class KubeSimulator {
 public:
  // `certificate_name`: the server presents a certificate for that DNS name only, not for
  // 127.0.0.1 (for tls-server-name). `extra_args` go to the simulator's command line (e.g.
  // --run-image, for a kubelet that runs firedrill's own pods as local processes).
  explicit KubeSimulator(nlohmann::json seed, const std::string& certificate_name = {},
                         const std::vector<std::string>& extra_args = {})
      : certificate_name_(certificate_name), certs_(dir_.path()) {
    if (!seed.contains("auth")) seed["auth"] = nlohmann::json::object();
    seed["auth"]["tokens"][kSimToken] = "alice";
    make_certificate("alice", "/CN=alice/O=drillers", "extendedKeyUsage=clientAuth\n");
    fs::path cert = certs_.server_cert, key = certs_.server_key;
    if (!certificate_name.empty()) {
      make_certificate(
          "named", "/CN=" + certificate_name,
          "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:" + certificate_name + "\n");
      cert = dir_.path() / "named.pem";
      key = dir_.path() / "named.key";
    }
    fs::path seed_file = dir_.path() / "seed.json";
    std::ofstream(seed_file) << seed.dump(2);
    fs::path port_file = dir_.path() / "port";
    std::vector<std::string> argv = {
        FIREDRILL_PYTHON,
        std::string(FIREDRILL_SOURCE_DIR) + "/tests/fixtures/kube_api_simulator.py",
        "--seed",
        seed_file.string(),
        "--cert",
        cert.string(),
        "--key",
        key.string(),
        "--client-ca",
        certs_.ca_cert.string(),
        "--port-file",
        port_file.string(),
        "--kubeconfig-dir",
        dir_.path().string(),
        "--client-cert",
        (dir_.path() / "alice.pem").string(),
        "--client-key",
        (dir_.path() / "alice.key").string()};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<Process>(argv, dir_.path() / "simulator.log");
    for (int i = 0; i < 250 && port_ == 0; ++i) {
      std::string text = read_text(port_file);
      if (!text.empty() && text.back() == '\n') port_ = static_cast<uint16_t>(std::stoi(text));
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (port_ == 0) {
      throw std::runtime_error("the simulator did not start: " +
                               read_text(dir_.path() / "simulator.log"));
    }
  }

  std::string server() const { return "https://127.0.0.1:" + std::to_string(port_); }
  const fs::path& dir() const { return dir_.path(); }
  std::string ca_pem() const { return read_text(certs_.ca_cert); }
  std::string client_cert_pem() const { return read_text(dir_.path() / "alice.pem"); }
  std::string client_key_pem() const { return read_text(dir_.path() / "alice.key"); }
  std::string log() const { return read_text(dir_.path() / "simulator.log"); }

  // The kubeconfigs the simulator serves: user alice by client certificate, and an exec plugin.
  fs::path served_kubeconfig(const std::string& which) const {
    return dir_.path() / (which + ".kubeconfig");
  }

  // A kubeconfig whose only context uses `user_yaml` (the body of users[0].user);
  // `cluster_yaml` adds lines to clusters[0].cluster.
  fs::path kubeconfig(const std::string& user_yaml, const std::string& name = "config",
                      const std::string& cluster_yaml = {}) const {
    fs::path path = dir_.path() / name;
    std::ofstream(path) << "apiVersion: v1\nkind: Config\ncurrent-context: sim\n"
                           "clusters:\n- name: sim\n  cluster:\n    server: "
                        << server() << "\n    certificate-authority: " << certs_.ca_cert.string()
                        << "\n"
                        << cluster_yaml
                        << "contexts:\n- name: sim\n  context:\n    cluster: sim\n"
                           "    user: u\n    namespace: shop\n"
                           "users:\n- name: u\n  user:\n"
                        << user_yaml;
    return path;
  }
  fs::path token_kubeconfig(const std::string& token = kSimToken) const {
    return kubeconfig("    token: " + token + "\n", "token-config");
  }

  // integrations: {kubernetes: {...}} with the token kubeconfig.
  nlohmann::json integrations(nlohmann::json allow = {"shop"}, int max_pods = 5) const {
    return {{"kubernetes",
             {{"kubeconfig", token_kubeconfig().string()},
              {"allowNamespaces", allow},
              {"maxPods", max_pods}}}};
  }

  nlohmann::json sim(const std::string& path, const std::string& method = "GET",
                     const nlohmann::json& body = nullptr) const {
    common::HttpClient http;
    common::HttpRequest r;
    r.method = method;
    r.url = server() + "/_sim/" + path;
    r.ca_pem = ca_pem();
    r.tls_server_name = certificate_name_;
    if (!body.is_null()) r.body = body.dump();
    auto response = http.perform(r);
    if (!response.ok() || response.status != 200) {
      throw std::runtime_error("simulator /_sim/" + path + ": " + response.error +
                               std::to_string(response.status));
    }
    return nlohmann::json::parse(response.body);
  }
  nlohmann::json state() const { return sim("state"); }
  // One request to the simulated Service in front of workload `name`; its HTTP status.
  long hit_service(const std::string& ns, const std::string& name, const std::string& path) const {
    common::HttpClient http;
    common::HttpRequest r;
    r.url = server() + "/_sim/service/" + ns + "/" + name + path;
    r.ca_pem = ca_pem();
    r.tls_server_name = certificate_name_;
    return http.perform(r).status;
  }
  nlohmann::json requests() const { return sim("requests"); }

  // The objects of one resource in the simulator's state, optionally of one namespace.
  std::vector<nlohmann::json> objects(const std::string& plural, const std::string& ns = {}) const {
    std::vector<nlohmann::json> out;
    auto s = state();
    if (!s.contains(plural)) return out;
    for (const auto& o : s[plural]) {
      if (ns.empty() || o["metadata"].value("namespace", "") == ns) out.push_back(o);
    }
    return out;
  }

  // Polls (every 50 ms, up to `limit`) until `done` holds.
  static bool eventually(const std::function<bool()>& done,
                         std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
  }

 private:
  // NAME.pem and NAME.key, signed by the test CA, with `extensions` (openssl x509 -extfile).
  void make_certificate(const std::string& name, const std::string& subject,
                        const std::string& extensions) {
    const fs::path& d = dir_.path();
    std::ofstream(d / (name + ".ext"))
        << "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
        << extensions;
    std::string base = (d / name).string();
    std::string cmd = "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" +
                      base + ".key' -out '" + base + ".csr' -subj '" + subject +
                      "' 2>/dev/null && openssl x509 -req -in '" + base + ".csr' -CA '" +
                      certs_.ca_cert.string() + "' -CAkey '" + (d / "ca.key").string() +
                      "' -CAcreateserial -out '" + base + ".pem' -days 2 -extfile '" + base +
                      ".ext' 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl: " + name);
  }

  std::string certificate_name_;
  TempDir dir_;
  TestCertificates certs_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
};

// A namespace "shop" with a Deployment "web" of `replicas` pods on two nodes.
inline nlohmann::json shop_seed(int replicas = 3) {
  using nlohmann::json;
  json container = {{"name", "web"},
                    {"image", "nginx:1.25"},
                    {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "64Mi"}}}}}};
  return {
      {"objects",
       json::array(
           {{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "shop"}}}},
            {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "kube-system"}}}},
            {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "node-a"}}}},
            {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "node-b"}}}},
            {{"apiVersion", "apps/v1"},
             {"kind", "Deployment"},
             {"metadata", {{"name", "web"}, {"namespace", "shop"}}},
             {"spec",
              {{"replicas", replicas},
               {"selector", {{"matchLabels", {{"app", "web"}}}}},
               {"template",
                {{"metadata", {{"labels", {{"app", "web"}}}}},
                 {"spec", {{"containers", json::array({container})}}}}}}}}})}};
}

// A HorizontalPodAutoscaler for the Deployment "web" of shop_seed, aiming at 50% CPU.
inline nlohmann::json web_autoscaler(int min_replicas, int max_replicas) {
  using nlohmann::json;
  return {
      {"apiVersion", "autoscaling/v2"},
      {"kind", "HorizontalPodAutoscaler"},
      {"metadata", {{"name", "web"}, {"namespace", "shop"}}},
      {"spec",
       {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}}},
        {"minReplicas", min_replicas},
        {"maxReplicas", max_replicas},
        {"metrics",
         json::array({{{"type", "Resource"},
                       {"resource",
                        {{"name", "cpu"},
                         {"target", {{"type", "Utilization"}, {"averageUtilization", 50}}}}}}})}}}};
}

}  // namespace firedrill::testing
