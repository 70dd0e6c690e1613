#include "clients/alertmanager_client.hpp"

#include "common/json_fields.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

using nlohmann::json;

json AlertmanagerAlert::to_json() const {
  json out = {
      {"labels", labels},
      {"startsAt", starts_at},
      {"endsAt", ends_at},
      {"updatedAt", updated_at},
      {"fingerprint", fingerprint},
      {"receivers", receivers},
      {"status", {{"state", state}, {"silencedBy", silenced_by}, {"inhibitedBy", inhibited_by}}}};
  if (!muted_by.empty()) out["status"]["mutedBy"] = muted_by;
  if (!annotations.empty()) out["annotations"] = annotations;
  return out;
}

std::string alertmanager_query(const AlertmanagerFilter& filter) {
  std::string query;
  auto add = [&query](const std::string& name, const std::string& value) {
    query += (query.empty() ? "?" : "&") + name + "=" + url_encode(value);
  };
  auto flag = [&add](const char* name, const std::optional<bool>& value) {
    if (value) add(name, *value ? "true" : "false");
  };
  flag("active", filter.active);
  flag("silenced", filter.silenced);
  flag("inhibited", filter.inhibited);
  flag("unprocessed", filter.unprocessed);
  for (const auto& [name, value] : filter.labels)
    add("filter", name + "=" + common::double_quoted(value));
  return query;
}

std::vector<AlertmanagerAlert> AlertmanagerClient::alerts(const AlertmanagerFilter& filter) {
  json document = get_json(client_, endpoint_, "/api/v2/alerts" + alertmanager_query(filter));
  if (!document.is_array()) {
    throw ApiError(endpoint_.name + " at " + endpoint_.shown() +
                       ": GET /api/v2/alerts: the response is not a list of alerts",
                   200);
  }
  std::vector<AlertmanagerAlert> out;
  for (const json& a : document) {
    if (!a.is_object()) continue;
    AlertmanagerAlert alert;
    alert.labels = common::object_field(a, "labels");
    alert.annotations = common::object_field(a, "annotations");
    alert.starts_at = common::string_field(a, "startsAt");
    alert.starts_at_time = common::parse_rfc3339(alert.starts_at);
    alert.ends_at = common::string_field(a, "endsAt");
    alert.updated_at = common::string_field(a, "updatedAt");
    alert.fingerprint = common::string_field(a, "fingerprint");
    if (a.contains("receivers") && a["receivers"].is_array()) {
      for (const json& r : a["receivers"]) {
        if (r.is_object()) alert.receivers.push_back(common::string_field(r, "name"));
      }
    }
    if (a.contains("status") && a["status"].is_object()) {
      const json& status = a["status"];
      alert.state = common::string_field(status, "state");
      alert.silenced_by = common::strings_field(status, "silencedBy");
      alert.inhibited_by = common::strings_field(status, "inhibitedBy");
      alert.muted_by = common::strings_field(status, "mutedBy");
    }
    out.push_back(std::move(alert));
  }
  return out;
}

}  // namespace firedrill::clients
