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

// One alert of GET /api/v2/alerts.
struct AlertmanagerAlert {
  nlohmann::json labels = nlohmann::json::object();
  nlohmann::json annotations = nlohmann::json::object();
  std::string starts_at;  // as Alertmanager wrote it
  std::optional<common::WallClock::time_point> starts_at_time;
  std::string ends_at;
  std::string updated_at;
  std::string fingerprint;
  std::vector<std::string> receivers;  // the receivers its route sends it to
  std::string state;                   // unprocessed | active | suppressed
  std::vector<std::string> silenced_by;
  std::vector<std::string> inhibited_by;
  std::vector<std::string> muted_by;  // time intervals, Alertmanager >= 0.32.3

  nlohmann::json to_json() const;
};

// The query parameters of GET /api/v2/alerts; unset booleans are left to Alertmanager (which
// includes everything).
struct AlertmanagerFilter {
  std::optional<bool> active;
  std::optional<bool> silenced;
  std::optional<bool> inhibited;
  std::optional<bool> unprocessed;
  // Equality matchers, each sent as filter=name="value".
  std::vector<std::pair<std::string, std::string>> labels;
};

class AlertmanagerClient {
 public:
  explicit AlertmanagerClient(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

  // Throws ApiError when it gets no usable answer.
  std::vector<AlertmanagerAlert> alerts(const AlertmanagerFilter& filter = {});

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Endpoint endpoint_;
  common::HttpClient client_;
};

// The query string (with its leading "?", or empty) GET /api/v2/alerts gets for `filter`.
std::string alertmanager_query(const AlertmanagerFilter& filter);

}  // namespace firedrill::clients
