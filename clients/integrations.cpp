#include "clients/integrations.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "common/base64.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using common::ValueError;
using nlohmann::json;

// A string setting; the message never quotes the value, which may be secret.
std::string string_setting(const json& settings, const std::string& where, const char* field) {
  if (!settings.contains(field) || settings.at(field).is_null()) return {};
  const json& value = settings.at(field);
  if (!value.is_string()) throw ValueError(where + "." + field + " must be a string");
  return value.get<std::string>();
}

bool has_line_break(const std::string& s) {
  return s.find_first_of("\r\n") != std::string::npos;
}

bool is_authorization(const std::string& header) {
  static constexpr std::string_view kName = "authorization";
  return header.size() == kName.size() &&
         std::equal(header.begin(), header.end(), kName.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// The settings of integrations.<key>, or null when the drill has none.
const json* settings_of(const json& block, const std::string& key) {
  if (!block.contains(key) || block.at(key).is_null()) return nullptr;
  const json& settings = block.at(key);
  if (!settings.is_object()) {
    throw ValueError("integrations." + key + " must be a map, like {url: ...}");
  }
  return &settings;
}

void read_credentials(const json& settings, const std::string& where, Endpoint& endpoint) {
  if (settings.contains("headers")) {
    const json& headers = settings.at("headers");
    if (!headers.is_object()) throw ValueError(where + ".headers must be a map of strings");
    for (const auto& [header, value] : headers.items()) {
      if (!value.is_string() || has_line_break(header) ||
          has_line_break(value.get<std::string>())) {
        throw ValueError(where + ".headers." + header + " must be a string on one line");
      }
      endpoint.headers.emplace_back(header, value.get<std::string>());
    }
  }
  std::string token = string_setting(settings, where, "bearerToken");
  if (!token.empty()) {
    if (has_line_break(token)) throw ValueError(where + ".bearerToken must be on one line");
    endpoint.headers.emplace_back("Authorization", "Bearer " + token);
  }
  if (settings.contains("basicAuth")) {
    const json& auth = settings.at("basicAuth");
    if (!auth.is_object()) throw ValueError(where + ".basicAuth must be {username, password}");
    std::string user = string_setting(auth, where + ".basicAuth", "username");
    std::string password = string_setting(auth, where + ".basicAuth", "password");
    endpoint.headers.emplace_back("Authorization",
                                  "Basic " + common::base64_encode(user + ":" + password));
  }
}

// auth: sigv4 and its region, for the APIs AWS also runs.
void read_signing(const json& settings, const std::string& where, const std::string& name,
                  const std::string& signing_name, ApiIntegration& api) {
  if (!settings.contains("auth")) return;
  const json& mode = settings.at("auth");
  if (signing_name.empty()) {
    throw ValueError(where + ".auth: " + name +
                     " has no auth modes; give its credentials in bearerToken, basicAuth or "
                     "headers");
  }
  if (!mode.is_string() || mode.get<std::string>() != "sigv4") {
    throw ValueError(where + ".auth: " + common::excerpt(mode.dump(), 24) +
                     " is not sigv4, the one auth mode (AWS Signature Version 4); other "
                     "credentials have their own settings (bearerToken, basicAuth...)");
  }
  for (const auto& [header, value] : api.endpoint.headers) {
    if (is_authorization(header)) {
      throw ValueError(where +
                       ": auth: sigv4 signs each request, so it excludes bearerToken, "
                       "basicAuth and an Authorization header");
    }
  }
  api.sigv4_signing_name = signing_name;
  if (settings.contains("region")) {
    if (!settings.at("region").is_string()) {
      throw ValueError(where + ".region must be a string, like us-east-1");
    }
    api.sigv4_region = settings.at("region").get<std::string>();
  }
}

// `signing_name`: the SigV4 name of the API as AWS runs it, which makes `auth: sigv4` a mode of
// it; empty for the APIs AWS does not run.
std::optional<ApiIntegration> read_api(const json& block, const std::string& key,
                                       const std::string& name, const std::string& signing_name) {
  const json* settings = settings_of(block, key);
  if (!settings) return std::nullopt;
  const std::string where = "integrations." + key;
  ApiIntegration api;
  api.key = key;
  api.endpoint.name = name;
  std::string url = string_setting(*settings, where, "url");
  if (!url.empty()) api.endpoint.base_url = checked_url(url, name + " URL");
  read_credentials(*settings, where, api.endpoint);
  if (settings->contains("insecure")) {
    if (!settings->at("insecure").is_boolean()) {
      throw ValueError(where + ".insecure must be true or false");
    }
    api.endpoint.insecure = settings->at("insecure").get<bool>();
  }
  api.endpoint.ca_file = string_setting(*settings, where, "caFile");
  read_signing(*settings, where, name, signing_name, api);
  return api;
}

// integrations.elasticsearch.apiKey, sent as "Authorization: ApiKey <key>".
void read_api_key(const json& settings, ApiIntegration& api) {
  const std::string key = string_setting(settings, "integrations.elasticsearch", "apiKey");
  if (key.empty()) return;
  if (has_line_break(key))
    throw ValueError("integrations.elasticsearch.apiKey must be on one line");
  if (!api.sigv4_signing_name.empty()) {
    throw ValueError("integrations.elasticsearch: auth: sigv4 and apiKey exclude each other");
  }
  api.endpoint.headers.emplace_back("Authorization", "ApiKey " + key);
}

AwsIntegration read_aws(const json& block) {
  AwsIntegration aws;
  if (!block.contains("aws") || block.at("aws").is_null()) return aws;
  const json& settings = block.at("aws");
  if (!settings.is_object()) {
    throw ValueError("integrations.aws must be a map, like {region: us-east-1}");
  }
  for (const auto& [key, value] : settings.items()) {
    if (key != "region" && key != "profile" && key != "endpoints") {
      throw ValueError("integrations.aws." + key +
                       " is not a setting: region, profile and endpoints are");
    }
  }
  aws.region = string_setting(settings, "integrations.aws", "region");
  aws.profile = string_setting(settings, "integrations.aws", "profile");
  if (!settings.contains("endpoints")) return aws;
  const json& endpoints = settings.at("endpoints");
  if (!endpoints.is_object()) {
    throw ValueError(
        "integrations.aws.endpoints must be a map of service to URL, like {logs: "
        "https://logs.eu-west-1.amazonaws.com}");
  }
  for (const auto& [service, url] : endpoints.items()) {
    const std::string where = "integrations.aws.endpoints." + service;
    if (service != "monitoring" && service != "logs" && service != "sts") {
      throw ValueError(where +
                       " is not a service firedrill calls: monitoring (CloudWatch), logs "
                       "(CloudWatch Logs) and sts are");
    }
    if (!url.is_string()) throw ValueError(where + " must be a URL");
    aws.endpoints[service] = checked_url(url.get<std::string>(), where);
  }
  return aws;
}

void read_kube_connection(const json& settings, KubeConfigOptions& options) {
  const std::string where = "integrations.kubernetes";
  options.kubeconfig = string_setting(settings, where, "kubeconfig");
  options.context = string_setting(settings, where, "context");
  if (settings.contains("inCluster")) {
    if (!settings.at("inCluster").is_boolean()) {
      throw ValueError(where + ".inCluster must be true or false");
    }
    options.in_cluster = settings.at("inCluster").get<bool>();
  }
  std::string sa_dir = string_setting(settings, where, "serviceAccountDir");
  if (!sa_dir.empty()) options.service_account_dir = sa_dir;
  if (options.in_cluster && (!options.kubeconfig.empty() || !options.context.empty())) {
    throw ValueError(where + ": inCluster: true cannot be combined with kubeconfig or context");
  }
}

void read_kube_safety(const json& settings, KubernetesIntegration& kube) {
  if (settings.contains("allowNamespaces")) {
    const json& list = settings.at("allowNamespaces");
    if (!list.is_array()) {
      throw ValueError("integrations.kubernetes.allowNamespaces must be a list of namespaces");
    }
    for (const auto& n : list) {
      if (!n.is_string()) {
        throw ValueError("integrations.kubernetes.allowNamespaces must list namespace names, got " +
                         n.dump());
      }
      kube.allowed_namespaces.push_back(n.get<std::string>());
    }
  }
  if (settings.contains("maxPods")) {
    const json& m = settings.at("maxPods");
    if (!m.is_number_integer() || m.get<int64_t>() < 1 || m.get<int64_t>() > 100000) {
      throw ValueError("integrations.kubernetes.maxPods must be a whole number of at least 1");
    }
    kube.max_pods = static_cast<int>(m.get<int64_t>());
  }
}

KubernetesIntegration read_kubernetes(const json& block) {
  KubernetesIntegration kube;
  if (!block.contains("kubernetes") || block.at("kubernetes").is_null()) return kube;
  const json& settings = block.at("kubernetes");
  if (!settings.is_object()) throw ValueError("integrations.kubernetes must be a map");
  read_kube_connection(settings, kube.connection);
  read_kube_safety(settings, kube);
  return kube;
}

}  // namespace

Integrations::Integrations(const json& block) : block_(block.is_null() ? json::object() : block) {
  if (!block_.is_object()) {
    throw ValueError("integrations must be a map of integrations by name");
  }
  prometheus = read_api(block_, "prometheus", "Prometheus", "aps");
  alertmanager = read_api(block_, "alertmanager", "Alertmanager", "");
  grafana = read_api(block_, "grafana", "Grafana", "");
  loki = read_api(block_, "loki", "Loki", "");
  elasticsearch = read_api(block_, "elasticsearch", "Elasticsearch", "es");
  if (elasticsearch) read_api_key(block_.at("elasticsearch"), *elasticsearch);
  aws = read_aws(block_);
  kubernetes = read_kubernetes(block_);
}

const Integrations& Integrations::none() {
  static const Integrations empty;
  return empty;
}

// The credential caches are the run's own: a copy starts without them.
Integrations::Integrations(const Integrations& other)
    : prometheus(other.prometheus),
      alertmanager(other.alertmanager),
      grafana(other.grafana),
      loki(other.loki),
      elasticsearch(other.elasticsearch),
      aws(other.aws),
      kubernetes(other.kubernetes),
      block_(other.block_) {}

Integrations& Integrations::operator=(const Integrations& other) {
  if (this == &other) return *this;
  Integrations copy(other);
  prometheus = std::move(copy.prometheus);
  alertmanager = std::move(copy.alertmanager);
  grafana = std::move(copy.grafana);
  loki = std::move(copy.loki);
  elasticsearch = std::move(copy.elasticsearch);
  aws = std::move(copy.aws);
  kubernetes = std::move(copy.kubernetes);
  block_ = std::move(copy.block_);
  std::lock_guard lock(credentials_mutex_);
  credentials_.clear();
  return *this;
}

Endpoint Integrations::endpoint(const std::optional<ApiIntegration>& api, const std::string& key,
                                const std::string& name, const std::string& url_override) const {
  const std::string where = "integrations." + key;
  if (!url_override.empty()) {
    Endpoint own;
    own.name = name;
    own.base_url = checked_url(url_override, name + " URL");
    return own;
  }
  if (!api || api->endpoint.base_url.empty()) {
    throw ValueError("no " + name + " URL: add " + where +
                     ".url to the drill, or give the check a url");
  }
  Endpoint endpoint = api->endpoint;
  if (api->sigv4_signing_name.empty()) return endpoint;
  AwsSettings settings = aws_settings(api->sigv4_region, where + ".region");
  try {
    endpoint.aws_signing =
        AwsSigning{aws_credentials(settings), settings.region, api->sigv4_signing_name};
  } catch (const AwsCredentialsError& e) {
    throw ValueError(where + ".auth: sigv4: " + e.what());
  }
  return endpoint;
}

AwsSettings Integrations::aws_settings(const std::string& region,
                                       const std::string& region_setting) const {
  return clients::aws_settings(aws, region, process_environment(), region_setting);
}

std::shared_ptr<AwsCredentialCache> Integrations::aws_credentials(
    const AwsSettings& settings) const {
  auto sts = settings.endpoints.find("sts");
  const std::string key = settings.profile + '\n' + settings.region + '\n' +
                          (sts == settings.endpoints.end() ? "" : sts->second);
  std::lock_guard lock(credentials_mutex_);
  auto& cache = credentials_[key];
  if (!cache) cache = credential_cache_for(settings);
  return cache;
}

std::unique_ptr<KubeClient> Integrations::kube_client() const {
  return std::make_unique<KubeClient>(load_kube_target(kubernetes.connection));
}

}  // namespace firedrill::clients
