#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clients/alertmanager_client.hpp"
#include "clients/prometheus_client.hpp"
#include "local/notification_receiver.hpp"
#include "validators/check.hpp"

// What the alerting checks remember of the instant a detection window opened (the drill start,
// or just before a fault), so that an alert already active then never counts as detected: not
// when Alertmanager re-sends it, not when it was pending and fires later, not when a restarted
// Prometheus gives it a new activeAt.
namespace firedrill::validators::alerting {

enum class Layer { Prometheus, Alertmanager, Receiver };
const char* layer_name(Layer layer);

// One alert that was active at the baseline.
struct ActiveAlert {
  Layer layer = Layer::Prometheus;
  nlohmann::json labels = nlohmann::json::object();
  std::string state;  // pending | firing (Prometheus), active | suppressed (Alertmanager), firing
  std::optional<WallClock::time_point> since;  // activeAt, or startsAt
};

struct AlertBaseline {
  bool taken = false;
  WallClock::time_point taken_at{};
  std::vector<ActiveAlert> active;  // of the alertname the check is about
  std::optional<WallClock::time_point> prometheus_started;
  // The layers that could not be read, each with why: what was active there is unknown.
  std::vector<std::string> errors;

  // The active alert whose labels agree with `labels` (one set holds the other: Alertmanager adds
  // external labels, Slack and SNS carry only the alertname), or null.
  const ActiveAlert* find(const nlohmann::json& labels) const;
  nlohmann::json to_json() const;
};

// Each adds one layer's active alerts named `alertname` to `baseline`, or the error to its errors.
void add_prometheus(AlertBaseline& baseline, clients::PrometheusClient& client,
                    const std::string& alertname);
void add_alertmanager(AlertBaseline& baseline, clients::AlertmanagerClient& client,
                      const std::string& alertname);
// The receiver's own record: alerts whose latest notification up to now said firing.
void add_receiver(AlertBaseline& baseline, const local::NotificationReceiver& receiver,
                  const std::string& alertname);

// A client of integrations.prometheus or integrations.alertmanager for the checks of the other
// layers, or null when the drill has no such integration. Throws common::ValueError.
std::unique_ptr<clients::PrometheusClient> integration_prometheus(const CheckContext& context);
std::unique_ptr<clients::AlertmanagerClient> integration_alertmanager(const CheckContext& context);

// Prometheus's active alerts now, for judge_novelty: nullopt when they cannot be read, or when
// Prometheus restarted since the baseline (its activeAt values were reset, so they tell nothing).
std::optional<std::vector<clients::PrometheusAlert>> prometheus_alerts_now(
    clients::PrometheusClient* client, const AlertBaseline& baseline);

enum class Novelty { New, PreExisting, Unknown };
struct NoveltyJudgement {
  Novelty novelty = Novelty::New;
  std::string why;  // for PreExisting and Unknown
};

// Whether an alert seen after the baseline, with `labels` and startsAt `starts_at` (when the
// layer says), is an activation that began after the baseline of `context`'s detection start. An
// alert that was pending in Prometheus at the baseline fires later with a startsAt after the fault;
// only Prometheus's activeAt now tells whether it is still that activation, so `prometheus_now` is
// asked then (nullopt: unknown).
NoveltyJudgement judge_novelty(
    const AlertBaseline& baseline, const nlohmann::json& labels,
    std::optional<WallClock::time_point> starts_at, const CheckContext& context,
    const std::function<std::optional<std::vector<clients::PrometheusAlert>>()>& prometheus_now);

}  // namespace firedrill::validators::alerting
