#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clients/http_client.hpp"
#include "clients/monitoring_endpoint.hpp"
#include "clients/rfc3339.hpp"

namespace firedrill::clients {

// One entry of GET /api/v1/alerts: an alert that is pending or firing now.
struct PrometheusAlert {
  nlohmann::json labels = nlohmann::json::object();
  nlohmann::json annotations = nlohmann::json::object();
  std::string state;      // pending | firing
  std::string active_at;  // as Prometheus wrote it: when the alert became pending
  std::optional<WallClock::time_point> active_at_time;
  std::string value;  // the rule expression's value when it was last evaluated
};

// One sample of an instant query: a vector element, or the scalar (with no labels).
struct PrometheusSample {
  nlohmann::json metric = nlohmann::json::object();
  double timestamp = 0;  // Unix seconds
  std::string value;     // as Prometheus wrote it: "0.5", "NaN", "+Inf"
  double number = 0;
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
  // GET /-/ready: true when it answers 200; `why` gets the reason when it does not.
  bool ready(std::string* why = nullptr);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  nlohmann::json api_get(const std::string& path_and_query);

  Endpoint endpoint_;
  HttpClient client_;
};

}  // namespace firedrill::clients
