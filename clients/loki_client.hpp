#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clients/monitoring_endpoint.hpp"
#include "common/http_client.hpp"
#include "common/rfc3339.hpp"

namespace firedrill::clients {

// One log line of a query_range answer.
struct LokiLine {
  int64_t timestamp_ns = 0;
  nlohmann::json stream = nlohmann::json::object();  // its labels
  std::string line;
};

struct LokiLines {
  std::vector<LokiLine> lines;  // oldest first, at most `max_lines`
  bool complete = true;         // false: more lines may exist past max_lines
};

// Grafana Loki's HTTP API. The tenant goes in X-Scope-OrgID (Endpoint::headers, with basic
// auth or a bearer token from integrations.loki). Every call throws ApiError when it gets no
// usable answer.
class LokiClient {
 public:
  explicit LokiClient(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

  // GET /loki/api/v1/query_range for a log query (not a metric query) from `start_ns` to
  // `end_ns`, direction forward, page by page (`page_size` new lines each) until `max_lines`.
  // Each page starts at the last one's final timestamp, so that no line sharing it is missed.
  LokiLines query_range(const std::string& logql, int64_t start_ns, int64_t end_ns,
                        std::size_t max_lines, std::size_t page_size = 1000);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Endpoint endpoint_;
  common::HttpClient client_;
};

}  // namespace firedrill::clients
