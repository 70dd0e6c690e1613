#include "clients/grafana_client.hpp"

#include "common/json_fields.hpp"

namespace firedrill::clients {

using nlohmann::json;

namespace {
constexpr char kAlertsPath[] = "/api/prometheus/grafana/api/v1/alerts";
}

json GrafanaAlert::to_json() const {
  json out = {{"labels", labels},
              {"state", reason.empty() ? state : state + " (" + reason + ")"},
              {"activeAt", active_at}};
  if (!value.empty()) out["value"] = value;
  if (!annotations.empty()) out["annotations"] = annotations;
  return out;
}

std::pair<std::string, std::string> split_grafana_state(const std::string& text) {
  const size_t open = text.find(" (");
  if (open == std::string::npos || text.back() != ')') return {text, ""};
  return {text.substr(0, open), text.substr(open + 2, text.size() - open - 3)};
}

std::vector<GrafanaAlert> GrafanaClient::alerts() {
  json document = get_json(client_, endpoint_, kAlertsPath);
  const json* alerts = nullptr;
  if (document.is_object() && document.value("status", "") == "success" &&
      document.contains("data") && document["data"].is_object() &&
      document["data"].contains("alerts") && document["data"]["alerts"].is_array()) {
    alerts = &document["data"]["alerts"];
  }
  if (!alerts) {
    throw ApiError(endpoint_.name + " at " + endpoint_.shown() + ": GET " + kAlertsPath +
                       ": the response is not Grafana's list of alert instances (is this the "
                       "URL of Grafana itself, with unified alerting on?)",
                   200);
  }
  std::vector<GrafanaAlert> out;
  for (const json& a : *alerts) {
    if (!a.is_object()) continue;
    GrafanaAlert alert;
    alert.labels = common::object_field(a, "labels");
    alert.annotations = common::object_field(a, "annotations");
    std::tie(alert.state, alert.reason) = split_grafana_state(common::string_field(a, "state"));
    alert.active_at = common::string_field(a, "activeAt");
    alert.active_at_time = common::parse_rfc3339(alert.active_at);
    alert.value = common::string_field(a, "value");
    out.push_back(std::move(alert));
  }
  return out;
}

}  // namespace firedrill::clients
