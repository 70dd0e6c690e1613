#include "validators/alerting_support.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>

#include "clients/aws_client.hpp"
#include "common/errors.hpp"
#include "common/rfc3339.hpp"
#include "common/text.hpp"

namespace firedrill::validators::alerting {

using nlohmann::json;

WallClock::time_point detection_start(const CheckContext& context) {
  return context.last_fault ? *context.last_fault : context.drill_start;
}

std::string detection_start_text(const CheckContext& context) {
  return std::string(context.last_fault ? "the fault" : "the drill start") + " at " +
         common::format_rfc3339(detection_start(context));
}

json detection_start_evidence(const CheckContext& context) {
  return {{"event", context.last_fault ? "fault" : "drill_start"},
          {"at", common::format_rfc3339(detection_start(context))}};
}

double seconds_between(WallClock::time_point from, WallClock::time_point to) {
  return std::round(std::chrono::duration<double>(to - from).count() * 1000) / 1000;
}

std::string relative_text(const CheckContext& context, WallClock::time_point t) {
  double s = seconds_between(detection_start(context), t);
  auto d = std::chrono::milliseconds(static_cast<int64_t>(std::llround(std::fabs(s) * 1000)));
  return common::format_duration(d) + (s >= 0 ? " after " : " before ") +
         (context.last_fault ? "the fault" : "the drill start");
}

namespace {}  // namespace

WallClock::time_point absent_interval_start(std::optional<WallClock::time_point> previous_poll,
                                            WallClock::time_point window_start) {
  constexpr auto kOverlap = std::chrono::seconds(5);
  if (!previous_poll) return window_start;
  return std::max(window_start, *previous_poll - kOverlap);
}

bool labels_match(const json& labels, const json& wanted) {
  if (!labels.is_object()) return wanted.empty();
  for (const auto& [name, value] : wanted.items()) {
    auto it = labels.find(name);
    if (it == labels.end() || *it != value) return false;
  }
  return true;
}

std::string selector_text(const std::string& name, const json& labels) {
  std::string text = name;
  if (labels.empty()) return text;
  text += "{";
  bool first = true;
  for (const auto& [key, value] : labels.items()) {
    text += (first ? "" : ", ") + key + "=" + json(value).dump();
    first = false;
  }
  return common::excerpt(text + "}", 240);
}

common::FieldSpec labels_field(const std::string& description) {
  return {"labels", common::FieldType::StringMap, false, description, {}, {}};
}

common::FieldSpec url_field(const std::string& integration) {
  return {"url",
          common::FieldType::String,
          false,
          "base URL to use instead of integrations." + integration +
              ".url; the integration's credentials are not sent to it",
          {},
          {}};
}

common::FieldSpec timeout_field() {
  return {"timeout", common::FieldType::Duration, false, "give up on a poll after this", {}, "10s"};
}

common::FieldSpec expect_field(const std::string& description) {
  return {"expect",    common::FieldType::String, false,
          description, {"present", "absent"},     "present"};
}

clients::Endpoint endpoint_for(const CheckContext& context,
                               const std::optional<clients::ApiIntegration>& api,
                               const std::string& key, const std::string& name,
                               const common::Params& params) {
  std::string url = params.contains("url") ? params.at("url").get<std::string>() : "";
  clients::Endpoint endpoint = context.integrations->endpoint(api, key, name, url);
  endpoint.timeout = common::duration_param(params, "timeout");
  return endpoint;
}

std::unique_ptr<clients::PrometheusClient> prometheus_client(const CheckContext& context,
                                                             const common::Params& params) {
  return std::make_unique<clients::PrometheusClient>(
      endpoint_for(context, context.integrations->prometheus, "prometheus", "Prometheus", params));
}

Observation inconclusive(const std::string& message, json evidence) {
  Observation o;
  o.verdict = Verdict::Inconclusive;
  o.message = message;
  o.evidence = std::move(evidence);
  o.evidence["error"] = message;
  return o;
}

}  // namespace firedrill::validators::alerting
