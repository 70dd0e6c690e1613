#include "clients/prometheus_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "common/json_fields.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using nlohmann::json;

// Prometheus writes sample values as Go formats floats: "1", "0.05", "1e+06", "NaN", "+Inf".
double sample_number(const std::string& text) {
  std::string_view v = text;
  if (v.starts_with('+')) v.remove_prefix(1);
  double number = std::numeric_limits<double>::quiet_NaN();
  std::from_chars(v.data(), v.data() + v.size(), number);
  return number;
}

PrometheusSample sample(const json& metric, const json& pair, const std::string& what) {
  if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_string()) {
    throw ApiError(what + ": a sample is not [time, \"value\"]", 200);
  }
  PrometheusSample s;
  s.metric = metric.is_object() ? metric : json::object();
  s.timestamp = pair[0].get<double>();
  s.value = pair[1].get<std::string>();
  s.number = sample_number(s.value);
  return s;
}

}  // namespace

json PrometheusClient::api_get(const std::string& path_and_query) {
  json document = get_json(client_, endpoint_, path_and_query);
  const std::string what = endpoint_.name + " at " + endpoint_.shown() + ": GET " +
                           path_and_query.substr(0, path_and_query.find('?'));
  if (!document.is_object() || common::string_field(document, "status") != "success") {
    std::string error =
        document.is_object() ? common::string_field(document, "error") : std::string();
    throw ApiError(what + ": " + (error.empty() ? "not a Prometheus API response" : error), 200);
  }
  if (!document.contains("data")) throw ApiError(what + ": the response has no data", 200);
  return document;
}

std::vector<PrometheusAlert> PrometheusClient::alerts() {
  json document = api_get("/api/v1/alerts");
  const json& data = document["data"];
  std::vector<PrometheusAlert> out;
  if (!data.is_object() || !data.contains("alerts") || !data["alerts"].is_array()) {
    throw ApiError(endpoint_.name + " at " + endpoint_.shown() +
                       ": GET /api/v1/alerts: the response has no data.alerts list",
                   200);
  }
  for (const json& a : data["alerts"]) {
    if (!a.is_object()) continue;
    PrometheusAlert alert;
    alert.labels = common::object_field(a, "labels");
    alert.annotations = common::object_field(a, "annotations");
    alert.state = common::string_field(a, "state");
    alert.active_at = common::string_field(a, "activeAt");
    alert.active_at_time = common::parse_rfc3339(alert.active_at);
    alert.value = common::string_field(a, "value");
    out.push_back(std::move(alert));
  }
  return out;
}

PrometheusQueryResult PrometheusClient::query(const std::string& expression) {
  json document = api_get("/api/v1/query?query=" + url_encode(expression));
  const std::string what = endpoint_.name + " at " + endpoint_.shown() + ": query";
  const json& data = document["data"];
  PrometheusQueryResult result;
  if (data.is_object()) result.result_type = common::string_field(data, "resultType");
  if (document.contains("warnings") && document["warnings"].is_array()) {
    for (const json& w : document["warnings"]) {
      if (w.is_string()) result.warnings.push_back(common::excerpt(w.get<std::string>(), 256));
    }
  }
  const json* values = data.is_object() && data.contains("result") ? &data["result"] : nullptr;
  if (result.result_type == "vector" && values && values->is_array()) {
    for (const json& element : *values) {
      if (!element.is_object() || !element.contains("value")) {
        throw ApiError(what + ": a vector element has no value", 200);
      }
      result.samples.push_back(
          sample(common::object_field(element, "metric"), element["value"], what));
    }
    return result;
  }
  if (result.result_type == "scalar" && values) {
    result.samples.push_back(sample(json::object(), *values, what));
    return result;
  }
  if (result.result_type == "matrix") {
    throw ApiError(what +
                       ": the result is a range vector; give an expression that returns an "
                       "instant vector or a scalar (e.g. max_over_time(x[5m]) instead of x[5m])",
                   200);
  }
  throw ApiError(what + ": unsupported result type \"" + common::excerpt(result.result_type, 40) +
                     "\"; the query must return an instant vector or a scalar",
                 200);
}

std::vector<PrometheusSeries> PrometheusClient::samples(const std::string& selector,
                                                        std::chrono::milliseconds range,
                                                        common::WallClock::time_point at) {
  const auto ms = std::max<int64_t>(1, range.count());
  const double at_s = std::chrono::duration<double>(at.time_since_epoch()).count();
  json document =
      api_get("/api/v1/query?query=" + url_encode(selector + "[" + std::to_string(ms) + "ms]") +
              "&time=" + fmt::format("{:.3f}", at_s));
  const std::string what = endpoint_.name + " at " + endpoint_.shown() + ": query";
  const json& data = document["data"];
  if (!data.is_object() || common::string_field(data, "resultType") != "matrix" ||
      !data.contains("result") || !data["result"].is_array()) {
    throw ApiError(what + ": a range selector did not answer a range vector", 200);
  }
  std::vector<PrometheusSeries> out;
  for (const json& element : data["result"]) {
    if (!element.is_object() || !element.contains("values") || !element["values"].is_array()) {
      throw ApiError(what + ": a series has no values", 200);
    }
    PrometheusSeries series;
    series.metric = common::object_field(element, "metric");
    for (const json& pair : element["values"]) {
      PrometheusSample s = sample(series.metric, pair, what);
      series.samples.emplace_back(s.timestamp, s.number);
    }
    out.push_back(std::move(series));
  }
  return out;
}

std::vector<PrometheusAlertRule> PrometheusClient::alert_rules() {
  json document = api_get("/api/v1/rules");
  const json& data = document["data"];
  if (!data.is_object() || !data.contains("groups") || !data["groups"].is_array()) {
    throw ApiError(endpoint_.name + " at " + endpoint_.shown() +
                       ": GET /api/v1/rules: the response has no data.groups list",
                   200);
  }
  std::vector<PrometheusAlertRule> out;
  for (const json& group : data["groups"]) {
    if (!group.is_object() || !group.contains("rules") || !group["rules"].is_array()) continue;
    for (const json& r : group["rules"]) {
      if (!r.is_object() || common::string_field(r, "type") != "alerting") continue;
      PrometheusAlertRule rule;
      rule.name = common::string_field(r, "name");
      rule.group = common::string_field(group, "name");
      rule.query = common::string_field(r, "query");
      if (r.contains("duration") && r["duration"].is_number()) {
        rule.for_seconds = r["duration"].get<double>();
      }
      rule.health = common::string_field(r, "health");
      rule.last_error = common::string_field(r, "lastError");
      rule.labels = common::object_field(r, "labels");
      out.push_back(std::move(rule));
    }
  }
  return out;
}

std::optional<common::WallClock::time_point> PrometheusClient::start_time() {
  if (endpoint_.aws_signing) return std::nullopt;
  json document = api_get("/api/v1/status/runtimeinfo");
  const json& data = document["data"];
  std::string text = data.is_object() ? common::string_field(data, "startTime") : std::string();
  auto t = common::parse_rfc3339(text);
  if (!t) {
    throw ApiError(endpoint_.name + " at " + endpoint_.shown() +
                       ": GET /api/v1/status/runtimeinfo: no readable startTime",
                   200);
  }
  return *t;
}

bool PrometheusClient::ready(std::string* why) {
  common::HttpRequest request;
  request.url = endpoint_.base_url + "/-/ready";
  request.headers = endpoint_.headers;
  request.insecure = endpoint_.insecure;
  request.ca_file = endpoint_.ca_file;
  request.timeout = endpoint_.timeout;
  try {
    sign_for_endpoint(request, endpoint_, endpoint_.name + " at " + endpoint_.shown());
  } catch (const ApiError& e) {
    if (why) *why = e.what();
    return false;
  }
  common::HttpResponse response = client_.perform(request);
  if (response.ok() && response.status == 200) return true;
  if (why) {
    *why = response.ok() ? "status " + std::to_string(response.status) + ": " +
                               common::excerpt(response.body, 200)
                         : "no response: " + response.error;
  }
  return false;
}

}  // namespace firedrill::clients
