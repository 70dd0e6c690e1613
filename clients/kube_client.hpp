#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clients/kube_config.hpp"
#include "clients/kube_credentials.hpp"
#include "clients/monitoring_endpoint.hpp"
#include "common/http_client.hpp"
#include "common/rfc3339.hpp"

namespace firedrill::clients {

// What a request acts on: the URL is made from it, and so is the RBAC rule a 403 asks for.
struct KubeResource {
  std::string group;           // "" for core, "apps", "autoscaling", "policy"
  std::string version;         // "v1", "v2"
  std::string plural;          // "pods"
  std::string namespace_name;  // empty: cluster-scoped, or every namespace for a list
  std::string name;            // empty: the collection
  std::string subresource;     // "scale", "eviction"

  std::string path() const;
  // `pods "web-1" in namespace shop`, `deployments.apps "web"/scale in namespace shop`.
  std::string shown() const;
};

KubeResource core_resource(const std::string& plural, const std::string& ns = {},
                           const std::string& name = {});
KubeResource apps_resource(const std::string& plural, const std::string& ns = {},
                           const std::string& name = {});
// The apps/v1 resource of a workload kind: deployments, statefulsets or daemonsets.
std::string workload_plural(const std::string& kind);
// A Deployment, StatefulSet or DaemonSet (by its kind) of apps/v1.
KubeResource workload_resource(const std::string& kind, const std::string& ns,
                               const std::string& name);

// A call the API server refused, or that got no answer (status 0). The message carries the
// Status reason and message, and for 401/403 what is needed; never a credential.
class KubeApiError : public ApiError {
 public:
  KubeApiError(const std::string& message, long status, std::string reason)
      : ApiError(message, status), reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }  // Status.reason: NotFound, Forbidden...

 private:
  std::string reason_;
};

enum class PatchType { Merge, StrategicMerge };

// GET pods/NAME/log: what of one container's log to read.
struct KubeLogOptions {
  std::string container;  // required by the API server when the pod has several
  std::optional<common::WallClock::time_point> since;  // sinceTime (RFC 3339, whole seconds)
  bool timestamps = false;  // each line starts with its RFC 3339 time and a space
  int64_t limit_bytes = 4 * 1024 * 1024;
};

struct KubeListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;        // limit per request; the rest comes with `continue`
  std::size_t max_items = 20000;  // a list longer than this is an error, not a silent cut
};

// The Kubernetes API over HTTPS (libcurl), JSON in and out. One per thread.
class KubeClient {
 public:
  explicit KubeClient(KubeTarget target);

  nlohmann::json get(const KubeResource& resource);
  std::optional<nlohmann::json> get_if_exists(const KubeResource& resource);  // nullopt on 404
  // Every item of every page.
  std::vector<nlohmann::json> list(const KubeResource& collection, const KubeListOptions& options);
  nlohmann::json create(const KubeResource& collection, const nlohmann::json& object);
  nlohmann::json patch(const KubeResource& resource, const nlohmann::json& patch, PatchType type);
  // DELETE with DeleteOptions; false when the object was already gone. `propagation`
  // ("Background", "Foreground", "Orphan"; empty: the resource's default) says what becomes of
  // the objects it owns: a Job's pods stay by default.
  bool remove(const KubeResource& resource, std::optional<int64_t> grace_period_seconds,
              const std::string& propagation = {});
  // POST pods/NAME/eviction (policy/v1). A PodDisruptionBudget refusal is KubeApiError 429.
  void evict(const std::string& ns, const std::string& pod,
             std::optional<int64_t> grace_period_seconds);
  // The container's log as text (text/plain).
  std::string logs(const std::string& ns, const std::string& pod, const KubeLogOptions& options);

  const KubeTarget& target() const { return target_; }
  const std::string& default_namespace() const { return target_.namespace_name; }
  std::string server() const { return common::redact_url(target_.server); }
  const KubeCredentialSource& credentials() const { return credentials_; }

 private:
  nlohmann::json call(const std::string& method, const KubeResource& resource,
                      const std::string& query, const std::string& body,
                      const std::string& content_type);
  // One authenticated request; the body of a 2xx answer, else KubeApiError.
  std::string exchange(const std::string& method, const KubeResource& resource,
                       const std::string& query, const std::string& body,
                       const std::string& content_type, const std::string& accept);

  KubeTarget target_;
  KubeCredentialSource credentials_;
  common::HttpClient http_;
};

}  // namespace firedrill::clients
