#pragma once
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "clients/monitoring_endpoint.hpp"
#include "clients/prometheus_client.hpp"
#include "common/param_schema.hpp"
#include "validators/check.hpp"

// What the alerting checks (prometheus.*, alertmanager.alert, receiver.notification) share.
namespace firedrill::validators::alerting {

// Detections count from the most recent fault, or from the drill start when there was none.
WallClock::time_point detection_start(const CheckContext& context);
// "the fault at 2026-11-21T07:06:08.123Z" or "the drill start at ...".
std::string detection_start_text(const CheckContext& context);
// {"event": "fault" | "drill_start", "at": "..."} for evidence.
nlohmann::json detection_start_evidence(const CheckContext& context);
// Seconds from `from` to `to`, to the millisecond; negative when `to` is earlier.
double seconds_between(WallClock::time_point from, WallClock::time_point to);
// "12.345s after the fault" / "3s before the drill start".
std::string relative_text(const CheckContext& context, WallClock::time_point t);

// Where an `expect: absent` poll starts looking: the window start at the first poll, then a little
// before the previous poll, since what happened just before a poll may be recorded just after it
// (a rule group still evaluating, a notification being stored). Looking twice is harmless.
WallClock::time_point absent_interval_start(std::optional<WallClock::time_point> previous_poll,
                                            WallClock::time_point window_start);

// Every label in `wanted` ({name: value}) has that value in `labels`.
bool labels_match(const nlohmann::json& labels, const nlohmann::json& wanted);
// Name{a="b", c="d"}, as PromQL writes a selector.
std::string selector_text(const std::string& name, const nlohmann::json& labels);

// The params every kind here declares the same way.
common::FieldSpec labels_field(const std::string& description);
common::FieldSpec url_field(const std::string& integration);
common::FieldSpec timeout_field();
// expect: present (what is looked for must be there) or absent (it must not be).
common::FieldSpec expect_field(const std::string& description);

// The endpoint of `api` (integrations.<key>), or the check's own url, with the check's timeout;
// signed when the integration says auth: sigv4. Throws common::ValueError.
clients::Endpoint endpoint_for(const CheckContext& context,
                               const std::optional<clients::ApiIntegration>& api,
                               const std::string& key, const std::string& name,
                               const common::Params& params);

// The client of integrations.prometheus (or of the check's own url), signed for Amazon Managed
// Service for Prometheus with auth: sigv4. Throws common::ValueError.
std::unique_ptr<clients::PrometheusClient> prometheus_client(const CheckContext& context,
                                                             const common::Params& params);

// An observation that could not be made: the monitoring system is unreachable, refuses the
// call, or is not configured. Not a failure of what is being drilled.
Observation inconclusive(const std::string& message,
                         nlohmann::json evidence = nlohmann::json::object());

// Makes a check's client with `make` at its first observation, and again at the next ones while
// that fails: a missing setting or credential makes the poll inconclusive, not the check invalid.
// Returns that inconclusive observation, or nullopt once `client` is there.
template <typename Client, typename Make>
std::optional<Observation> connect(std::unique_ptr<Client>& client, Make make) {
  if (client) return std::nullopt;
  try {
    client = make();
  } catch (const std::exception& e) {
    return inconclusive(e.what());
  }
  return std::nullopt;
}

}  // namespace firedrill::validators::alerting
