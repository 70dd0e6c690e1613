#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "clients/monitoring_endpoint.hpp"
#include "common/http_client.hpp"

namespace firedrill::clients {

struct ElasticsearchCount {
  int64_t count = 0;
  int64_t shards_total = 0;
  int64_t shards_failed = 0;  // > 0: the count may be short
  nlohmann::json failures = nlohmann::json::array();
};

// Elasticsearch or OpenSearch. Authentication is the endpoint's headers (basic auth, an API key,
// a bearer token) or its SigV4 signing (Amazon OpenSearch Service, service "es"). Every call
// throws ApiError when it gets no usable answer.
class ElasticsearchClient {
 public:
  explicit ElasticsearchClient(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

  // POST /<index>/_count with {"query": query}.
  ElasticsearchCount count(const std::string& index, const nlohmann::json& query);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Endpoint endpoint_;
  common::HttpClient client_;
};

}  // namespace firedrill::clients
