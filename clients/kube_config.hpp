#pragma once
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/units.hpp"

namespace firedrill::clients {

// users[].user.exec of a kubeconfig: a credential plugin such as `aws eks get-token`.
struct KubeExecPlugin {
  std::string api_version;  // client.authentication.k8s.io/v1 or v1beta1
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  bool provide_cluster_info = false;
  std::string interactive_mode;  // Never | IfAvailable | Always
};

// One API server and how to authenticate to it: a kubeconfig context, resolved, or the pod's
// own service account. The credential fields are secret: nothing shows them.
struct KubeTarget {
  std::string source;  // for messages: "context prod of /home/u/.kube/config", "in-cluster"
  std::string context;
  std::string cluster;
  std::string user;
  std::string server;  // https://host:port, without a trailing slash
  std::string ca_pem;  // empty: the system trust store
  bool insecure = false;
  std::string tls_server_name;
  std::string namespace_name = "default";
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string token;
  std::filesystem::path token_file;  // read again after token_file_refresh (bound tokens rotate)
  common::Duration token_file_refresh = std::chrono::minutes(1);
  std::optional<KubeExecPlugin> exec;
};

// How to find the target, from integrations.kubernetes: {context, kubeconfig, inCluster}.
struct KubeConfigOptions {
  std::string kubeconfig;  // one file, read alone; empty: $KUBECONFIG, else ~/.kube/config
  std::string context;     // empty: current-context
  bool in_cluster = false;
  std::filesystem::path service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

// As kubectl finds its configuration. Throws common::ValueError saying what is missing.
KubeTarget load_kube_target(const KubeConfigOptions& options);

// Several kubeconfig files merged by kubectl's rules: for clusters, users and contexts the first
// file that names an entry wins, and so does the first current-context; a relative path in a
// file is relative to that file's folder; files that do not exist are skipped.
KubeTarget load_kubeconfig(const std::vector<std::filesystem::path>& files,
                           const std::string& context);

// KUBERNETES_SERVICE_HOST/PORT and the service account's token, ca.crt and namespace.
KubeTarget load_in_cluster(const std::filesystem::path& service_account_dir);

}  // namespace firedrill::clients
