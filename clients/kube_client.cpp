#include "clients/kube_client.hpp"

#include <ctime>

#include "common/errors.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using nlohmann::json;

constexpr auto kRequestTimeout = std::chrono::seconds(30);

std::string qualified_plural(const KubeResource& r) {
  return r.group.empty() ? r.plural : r.plural + "." + r.group;
}

// The RBAC verb the API server checks for this request.
std::string rbac_verb(const std::string& method, const KubeResource& r) {
  if (method == "GET") return r.name.empty() ? "list" : "get";
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return r.name.empty() ? "deletecollection" : "delete";
  return method;
}

// metav1.Time as a query parameter: RFC 3339 in UTC with whole seconds (rounded down, so that
// nothing at or after `t` is left out).
std::string whole_seconds_rfc3339(common::WallClock::time_point t) {
  std::time_t tt = common::WallClock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string rbac_rule(const std::string& method, const KubeResource& r) {
  std::string rule = "verbs [" + rbac_verb(method, r) + "] on resources [" + r.plural +
                     (r.subresource.empty() ? "" : "/" + r.subresource) + "]";
  if (!r.group.empty()) rule += " in API group " + r.group;
  rule += r.namespace_name.empty() ? " cluster-wide (a ClusterRole)"
                                   : " in namespace " + r.namespace_name;
  return rule;
}

}  // namespace

std::string KubeResource::path() const {
  std::string p = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (!namespace_name.empty()) p += "/namespaces/" + url_encode(namespace_name);
  p += "/" + plural;
  if (!name.empty()) p += "/" + url_encode(name);
  if (!subresource.empty()) p += "/" + subresource;
  return p;
}

std::string KubeResource::shown() const {
  std::string s = qualified_plural(*this);
  if (!name.empty()) s += " \"" + name + "\"";
  if (!subresource.empty()) s += "/" + subresource;
  if (!namespace_name.empty()) s += " in namespace " + namespace_name;
  return s;
}

KubeResource core_resource(const std::string& plural, const std::string& ns,
                           const std::string& name) {
  return KubeResource{"", "v1", plural, ns, name, ""};
}

KubeResource apps_resource(const std::string& plural, const std::string& ns,
                           const std::string& name) {
  return KubeResource{"apps", "v1", plural, ns, name, ""};
}

std::string workload_plural(const std::string& kind) {
  return kind == "StatefulSet" ? "statefulsets"
         : kind == "DaemonSet" ? "daemonsets"
                               : "deployments";
}

KubeResource workload_resource(const std::string& kind, const std::string& ns,
                               const std::string& name) {
  return apps_resource(workload_plural(kind), ns, name);
}

KubeClient::KubeClient(KubeTarget target) : target_(std::move(target)), credentials_(target_) {}

std::string KubeClient::exchange(const std::string& method, const KubeResource& resource,
                                 const std::string& query, const std::string& body,
                                 const std::string& content_type, const std::string& accept) {
  const std::string what = rbac_verb(method, resource) + " " + resource.shown();
  for (int attempt = 0;; ++attempt) {
    KubeCredential credential;
    try {
      credential = credentials_.current();
    } catch (const KubeCredentialError& e) {
      throw KubeApiError("Kubernetes API " + server() + ": cannot " + what + ": " + e.what(), 0,
                         "CredentialError");
    }
    common::HttpRequest request;
    request.method = method;
    request.url = target_.server + resource.path() + (query.empty() ? "" : "?" + query);
    request.timeout = kRequestTimeout;
    request.insecure = target_.insecure;
    request.ca_pem = target_.ca_pem;
    request.tls_server_name = target_.tls_server_name;
    request.client_cert_pem = credential.client_cert_pem;
    request.client_key_pem = credential.client_key_pem;
    request.headers.emplace_back("Accept", accept);
    if (!credential.token.empty()) {
      request.headers.emplace_back("Authorization", "Bearer " + credential.token);
    }
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", content_type);
      request.body = body;
    }
    common::HttpResponse response = http_.perform(request);
    if (!response.ok()) {
      throw KubeApiError("Kubernetes API " + server() + " (" + target_.source +
                             ") is unreachable: " + response.error,
                         0, "Unreachable");
    }
    if (response.status >= 200 && response.status < 300) return std::move(response.body);
    if (response.status == 401 && attempt == 0 && credentials_.invalidate()) continue;

    json doc = json::parse(response.body, nullptr, false);
    std::string reason, message;
    if (doc.is_object() && doc.value("kind", "") == "Status") {
      reason = doc.value("reason", "");
      message = doc.value("message", "");
    }
    if (message.empty()) {
      message = "HTTP status " + std::to_string(response.status) +
                (response.body.empty() ? "" : ": " + common::excerpt(response.body, 200));
    }
    std::string text = "Kubernetes API " + server() + ": cannot " + what + ": " + message + " (" +
                       (reason.empty() ? "" : reason + ", ") + "HTTP " +
                       std::to_string(response.status) + ")";
    if (response.status == 403) {
      text += "; user \"" + target_.user + "\" needs RBAC: " + rbac_rule(method, resource);
    } else if (response.status == 401) {
      text += "; the API server rejected the " + credentials_.kind() + " of user \"" +
              target_.user + "\" from " + target_.source +
              ": it may have expired or belong to another cluster";
    }
    throw KubeApiError(text, response.status, reason);
  }
}

json KubeClient::call(const std::string& method, const KubeResource& resource,
                      const std::string& query, const std::string& body,
                      const std::string& content_type) {
  std::string answer = exchange(method, resource, query, body, content_type, "application/json");
  if (answer.empty()) return nullptr;
  json doc = json::parse(answer, nullptr, false);
  if (doc.is_discarded()) {
    throw KubeApiError("Kubernetes API " + server() + ": " + rbac_verb(method, resource) + " " +
                           resource.shown() + " answered with a body that is not JSON",
                       200, "BadResponse");
  }
  return doc;
}

json KubeClient::get(const KubeResource& resource) {
  return call("GET", resource, "", "", "");
}

std::optional<json> KubeClient::get_if_exists(const KubeResource& resource) {
  try {
    return get(resource);
  } catch (const KubeApiError& e) {
    if (e.status() == 404) return std::nullopt;
    throw;
  }
}

std::vector<json> KubeClient::list(const KubeResource& collection, const KubeListOptions& options) {
  std::vector<json> items;
  std::string continue_token;
  const std::size_t max_pages =
      options.max_items / static_cast<std::size_t>(std::max<int64_t>(1, options.page_size)) + 2;
  for (std::size_t page = 0; page < max_pages; ++page) {
    std::string query;
    auto add = [&query](const std::string& key, const std::string& value) {
      if (value.empty()) return;
      query += (query.empty() ? "" : "&") + key + "=" + url_encode(value);
    };
    add("labelSelector", options.label_selector);
    add("fieldSelector", options.field_selector);
    if (options.page_size > 0) add("limit", std::to_string(options.page_size));
    add("continue", continue_token);
    json doc = call("GET", collection, query, "", "");
    if (!doc.is_object() || !doc.contains("items") ||
        !(doc.at("items").is_array() || doc.at("items").is_null())) {
      throw KubeApiError("Kubernetes API " + server() + ": the list of " + collection.shown() +
                             " has no items array",
                         200, "BadResponse");
    }
    if (doc.at("items").is_array()) {
      for (auto& item : doc.at("items")) items.push_back(std::move(item));
    }
    if (items.size() > options.max_items) {
      throw KubeApiError("Kubernetes API " + server() + ": more than " +
                             std::to_string(options.max_items) + " " + collection.shown() +
                             " match; narrow the selector",
                         200, "TooMany");
    }
    continue_token = doc.value("/metadata/continue"_json_pointer, std::string());
    if (continue_token.empty()) return items;
  }
  throw KubeApiError("Kubernetes API " + server() + ": the list of " + collection.shown() +
                         " did not end after " + std::to_string(max_pages) + " pages",
                     200, "TooMany");
}

json KubeClient::create(const KubeResource& collection, const json& object) {
  return call("POST", collection, "", object.dump(), "application/json");
}

json KubeClient::patch(const KubeResource& resource, const json& patch, PatchType type) {
  return call("PATCH", resource, "", patch.dump(),
              type == PatchType::StrategicMerge ? "application/strategic-merge-patch+json"
                                                : "application/merge-patch+json");
}

bool KubeClient::remove(const KubeResource& resource, std::optional<int64_t> grace_period_seconds,
                        const std::string& propagation) {
  json options = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (grace_period_seconds) options["gracePeriodSeconds"] = *grace_period_seconds;
  if (!propagation.empty()) options["propagationPolicy"] = propagation;
  try {
    call("DELETE", resource, "", options.dump(), "application/json");
    return true;
  } catch (const KubeApiError& e) {
    if (e.status() == 404) return false;
    throw;
  }
}

void KubeClient::evict(const std::string& ns, const std::string& pod,
                       std::optional<int64_t> grace_period_seconds) {
  KubeResource r = core_resource("pods", ns, pod);
  r.subresource = "eviction";
  json eviction = {{"apiVersion", "policy/v1"},
                   {"kind", "Eviction"},
                   {"metadata", {{"name", pod}, {"namespace", ns}}}};
  if (grace_period_seconds) {
    eviction["deleteOptions"] = {{"gracePeriodSeconds", *grace_period_seconds}};
  }
  call("POST", r, "", eviction.dump(), "application/json");
}

std::string KubeClient::logs(const std::string& ns, const std::string& pod,
                             const KubeLogOptions& options) {
  KubeResource r = core_resource("pods", ns, pod);
  r.subresource = "log";
  std::string query;
  auto add = [&query](const std::string& key, const std::string& value) {
    query += (query.empty() ? "" : "&") + key + "=" + url_encode(value);
  };
  if (!options.container.empty()) add("container", options.container);
  if (options.since) {
    add("sinceTime", whole_seconds_rfc3339(*options.since));
  }
  if (options.timestamps) add("timestamps", "true");
  if (options.limit_bytes > 0) add("limitBytes", std::to_string(options.limit_bytes));
  return exchange("GET", r, query, "", "", "text/plain");
}

}  // namespace firedrill::clients
