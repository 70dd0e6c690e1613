#pragma once
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clients/monitoring_endpoint.hpp"
#include "common/http_client.hpp"
#include "common/rfc3339.hpp"

namespace firedrill::clients {

// One entry of GET /api/v1/alerts: an alert that is pending or firing now.
struct PrometheusAlert {
  nlohmann::json labels = nlohmann::json::object();
  nlohmann::json annotations = nlohmann::json::object();
  std::string state;      // pending | firing
  std::string active_at;  // as Prometheus wrote it: when the alert became pending
  std::optional<common::WallClock::time_point> active_at_time;
  std::string value;  // the rule expression's value when it was last evaluated
};

// One sample of an instant query: a vector element, or the scalar (with no labels).
struct PrometheusSample {
  nlohmann::json metric = nlohmann::json::object();
  double timestamp = 0;  // Unix seconds
  std::string value;     // as Prometheus wrote it: "0.5", "NaN", "+Inf"
  double number = 0;
};

// One alerting rule of GET /api/v1/rules (recording rules are left out).
struct PrometheusAlertRule {
  std::string name;
  std::string group;
  std::string query;       // the rule's expression
  double for_seconds = 0;  // its `for` (Prometheus calls it duration)
  std::string health;      // ok | err | unknown
  std::string last_error;  // why its last evaluation failed, when health is err
  nlohmann::json labels = nlohmann::json::object();
};

// The raw samples of one series in a range: what an instant query of a range vector selector
// (x[5m]) answers.
struct PrometheusSeries {
  nlohmann::json metric = nlohmann::json::object();
  std::vector<std::pair<double, double>> samples;  // (Unix seconds, value), oldest first
};

struct PrometheusQueryResult {
  std::string result_type;  // vector | scalar (matrix and string are ApiError)
  std::vector<PrometheusSample> samples;
  std::vector<std::string> warnings;
};

// The Prometheus HTTP API (also Thanos, Mimir and VictoriaMetrics, which serve the same paths).
// Every call throws ApiError when it gets no usable answer.
class PrometheusClient {
 public:
  explicit PrometheusClient(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

  std::vector<PrometheusAlert> alerts();
  PrometheusQueryResult query(const std::string& expression);
  // The raw samples of `selector` in the `range` up to `at` (both to the millisecond).
  std::vector<PrometheusSeries> samples(const std::string& selector,
                                        std::chrono::milliseconds range,
                                        common::WallClock::time_point at);
  std::vector<PrometheusAlertRule> alert_rules();
  // When this Prometheus process started (GET /api/v1/status/runtimeinfo): a restart resets
  // the activeAt of alerts whose `for` state it does not restore. nullopt for Amazon Managed
  // Service for Prometheus, whose API has no runtimeinfo (and no process to restart).
  std::optional<common::WallClock::time_point> start_time();
  // GET /-/ready: true when it answers 200; `why` gets the reason when it does not.
  bool ready(std::string* why = nullptr);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  nlohmann::json api_get(const std::string& path_and_query);

  Endpoint endpoint_;
  common::HttpClient client_;
};

}  // namespace firedrill::clients
