#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clients/monitoring_endpoint.hpp"
#include "common/http_client.hpp"
#include "common/rfc3339.hpp"

namespace firedrill::clients {

// One alert instance of Grafana's unified alerting, as GET /api/prometheus/grafana/api/v1/alerts
// lists it: every instance of every rule of the organisation, Normal ones included.
struct GrafanaAlert {
  nlohmann::json labels = nlohmann::json::object();
  nlohmann::json annotations = nlohmann::json::object();
  // Grafana writes the state with its reason, "Alerting (NoData)" or "Normal (MissingSeries)":
  // `state` is the part before the parenthesis, `reason` the part inside (often empty).
  std::string state;  // Normal | Pending | Alerting | Recovering | NoData | Error
  std::string reason;
  // When the instance entered its current state: Grafana restarts it when a pending instance
  // starts alerting, unlike Prometheus's activeAt, which stays at the start of pending.
  std::string active_at;
  std::optional<common::WallClock::time_point> active_at_time;
  std::string value;  // the condition's values at the last evaluation, e.g. "1e+00"

  nlohmann::json to_json() const;
};

// "Alerting (NoData)" -> {"Alerting", "NoData"}; "Pending" -> {"Pending", ""}.
std::pair<std::string, std::string> split_grafana_state(const std::string& text);

class GrafanaClient {
 public:
  explicit GrafanaClient(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

  // Throws ApiError when it gets no usable answer.
  std::vector<GrafanaAlert> alerts();

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Endpoint endpoint_;
  common::HttpClient client_;
};

}  // namespace firedrill::clients
