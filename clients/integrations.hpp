#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clients/aws_client.hpp"
#include "clients/aws_credentials.hpp"
#include "clients/kube_client.hpp"
#include "clients/kube_config.hpp"
#include "clients/monitoring_endpoint.hpp"

namespace firedrill::clients {

// integrations.<api> of an HTTP API that checks read: prometheus, alertmanager, grafana, loki,
// elasticsearch.
struct ApiIntegration {
  std::string key;  // "grafana", for messages: integrations.grafana.url
  // Its URL (empty when the drill gives none: each check must then give its own), credentials
  // as headers, and TLS settings.
  Endpoint endpoint;
  // auth: sigv4, for the APIs AWS also runs (Prometheus as Amazon Managed Service for
  // Prometheus, Elasticsearch as Amazon OpenSearch Service): each request is signed for this
  // SigV4 name ("aps", "es") with the credentials of integrations.aws, in `sigv4_region` or else
  // the AWS region. Empty: no signing.
  std::string sigv4_signing_name;
  std::string sigv4_region;
};

// integrations.kubernetes: which cluster, and how far into it faults may reach.
struct KubernetesIntegration {
  static constexpr int kDefaultMaxPods = 10;
  KubeConfigOptions connection;                 // {context, kubeconfig, inCluster}
  std::vector<std::string> allowed_namespaces;  // allowNamespaces: where faults may act
  int max_pods = kDefaultMaxPods;               // maxPods: the most pods one fault changes
};

// The remote APIs of a drill's integrations block, read and checked once, when the drill is
// validated: a bad setting is an error at its place in the file, not a check's first poll.
// What can change while a run goes on is resolved when it is used: the AWS region and
// credentials (environment, profiles, instance metadata), a kubeconfig's credentials. The local
// parts of the block (receiver, serviceMetrics, pushgateway) are the drill's, not read here.
class Integrations {
 public:
  Integrations() = default;
  // Throws common::ValueError naming the setting and saying what would be valid.
  explicit Integrations(const nlohmann::json& block);
  Integrations(const Integrations& other);
  Integrations& operator=(const Integrations& other);
  // A drill without integrations.
  static const Integrations& none();

  // The block as written (interpolated), for the revert journal and the local parts.
  const nlohmann::json& block() const { return block_; }

  std::optional<ApiIntegration> prometheus;
  std::optional<ApiIntegration> alertmanager;
  std::optional<ApiIntegration> grafana;
  std::optional<ApiIntegration> loki;
  std::optional<ApiIntegration> elasticsearch;
  AwsIntegration aws;
  KubernetesIntegration kubernetes;

  // What a check calls: `api`'s endpoint, or the check's own url (`url_override`, not empty),
  // which gets none of the integration's credentials. `name` is the API's ("Grafana"); `key`
  // its integration's, for when the drill has none. With sigv4 the endpoint gets its signing
  // credentials. Throws common::ValueError saying what to add.
  Endpoint endpoint(const std::optional<ApiIntegration>& api, const std::string& key,
                    const std::string& name, const std::string& url_override) const;

  // The AWS settings in the process environment, in `region` when not empty (a check's own, or
  // that of the integration; `region_setting` names it in messages). Throws common::ValueError.
  AwsSettings aws_settings(const std::string& region,
                           const std::string& region_setting = "the check's region") const;
  // One credential cache per profile, region and STS endpoint, shared by every check of the
  // run, so that a role is assumed once, not at each check's first poll. Throws
  // AwsCredentialsError when a configured source is unusable.
  std::shared_ptr<AwsCredentialCache> aws_credentials(const AwsSettings& settings) const;

  // A new client of integrations.kubernetes (kubeconfig read now). Throws common::ValueError.
  std::unique_ptr<KubeClient> kube_client() const;

 private:
  nlohmann::json block_ = nlohmann::json::object();
  mutable std::mutex credentials_mutex_;
  mutable std::map<std::string, std::shared_ptr<AwsCredentialCache>> credentials_;
};

}  // namespace firedrill::clients
