#include "clients/elasticsearch_client.hpp"

#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using nlohmann::json;

int64_t integer(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// Elasticsearch's {"error": {"type", "reason"}} (or a string), else the start of the body.
std::string type_and_reason(const json& e) {
  if (!e.is_object() || !e.contains("reason") || !e["reason"].is_string()) return "";
  const json& type = e.contains("type") ? e["type"] : json();
  return (type.is_string() ? type.get<std::string>() + ": " : "") + e["reason"].get<std::string>();
}

const json& first_of(const json& e, const char* key) {
  static const json none;
  return e.contains(key) && e[key].is_array() && !e[key].empty() ? e[key][0] : none;
}

std::string error_text(const std::string& body) {
  json document = json::parse(body, nullptr, false);
  if (document.is_object() && document.contains("error")) {
    const json& e = document["error"];
    if (e.is_object()) {
      std::string text = e.value("type", "") + ": " + e.value("reason", "");
      // "all shards failed" says nothing of why; the first failure's cause does (the parse error
      // of a query string, say).
      const json& shard = first_of(e, "failed_shards");
      const json& shard_reason =
          shard.is_object() && shard.contains("reason") ? shard["reason"] : json();
      for (const json* cause : {&first_of(e, "root_cause"), &shard_reason}) {
        std::string detail = type_and_reason(*cause);
        if (cause->is_object() && cause->contains("caused_by")) {
          std::string deeper = type_and_reason((*cause)["caused_by"]);
          if (!deeper.empty()) detail += (detail.empty() ? "" : ": ") + deeper;
        }
        if (!detail.empty() && text.find(detail) == std::string::npos) {
          text += " (" + detail + ")";
        }
      }
      return common::excerpt(text, 400);
    }
    if (e.is_string()) return common::excerpt(e.get<std::string>(), 400);
  }
  return common::excerpt(body, 200);
}

}  // namespace

ElasticsearchCount ElasticsearchClient::count(const std::string& index, const json& query) {
  const std::string path = "/" + url_encode(index) + "/_count";
  const std::string what = endpoint_.name + " at " + endpoint_.shown() + ": POST " + path;
  common::HttpRequest request;
  request.method = "POST";
  request.url = endpoint_.base_url + path;
  request.headers = endpoint_.headers;
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = json{{"query", query}}.dump();
  request.insecure = endpoint_.insecure;
  request.ca_file = endpoint_.ca_file;
  request.timeout = endpoint_.timeout;
  sign_for_endpoint(request, endpoint_, what);
  common::HttpResponse response = client_.perform(request);
  if (!response.ok()) throw ApiError(what + ": no response: " + response.error, 0);
  if (response.status < 200 || response.status > 299) {
    throw ApiError(
        what + ": status " + std::to_string(response.status) + ": " + error_text(response.body),
        response.status);
  }
  json document = json::parse(response.body, nullptr, false);
  if (!document.is_object() || !document.contains("count") ||
      !document["count"].is_number_integer() || !document.contains("_shards") ||
      !document["_shards"].is_object()) {
    throw ApiError(what + ": the answer has no integer count and _shards: " +
                       common::excerpt(response.body, 200),
                   response.status);
  }
  ElasticsearchCount c;
  c.count = document["count"].get<int64_t>();
  c.shards_total = integer(document["_shards"], "total");
  c.shards_failed = integer(document["_shards"], "failed");
  if (document["_shards"].contains("failures")) c.failures = document["_shards"]["failures"];
  return c;
}

}  // namespace firedrill::clients
