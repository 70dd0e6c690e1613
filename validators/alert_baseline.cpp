#include "validators/alert_baseline.hpp"

#include <map>

#include "common/rfc3339.hpp"
#include "validators/alerting_support.hpp"

namespace firedrill::validators::alerting {

namespace {

using nlohmann::json;

// One set of labels holds the other, value for value.
bool labels_agree(const json& a, const json& b) {
  const json& small = a.size() <= b.size() ? a : b;
  const json& large = a.size() <= b.size() ? b : a;
  return labels_match(large, small);
}

std::string since_text(const ActiveAlert& a) {
  return a.since ? " since " + common::format_rfc3339(*a.since) : std::string();
}

NoveltyJudgement judge_one(
    const AlertBaseline& baseline, const ActiveAlert& b,
    std::optional<WallClock::time_point> starts_at, const CheckContext& context,
    const std::function<std::optional<std::vector<clients::PrometheusAlert>>()>& prometheus_now) {
  const WallClock::time_point detection_start = alerting::detection_start(context);
  const std::string was = std::string("it was already ") + b.state + " in " + layer_name(b.layer) +
                          since_text(b) + " just before " + detection_start_text(context) +
                          " (looked at " + common::format_rfc3339(baseline.taken_at) + ")";
  if (b.layer != Layer::Prometheus) {
    // Alertmanager keeps one startsAt while an alert stays active; a new one means it ended and
    // started again.
    if (starts_at && b.since && *starts_at != *b.since && *starts_at > detection_start) {
      return {Novelty::New, ""};
    }
    return {Novelty::PreExisting, was};
  }
  if (b.state == "firing") {
    // Prometheus sends the firing time as startsAt: a later one is a later firing.
    if (starts_at && *starts_at > detection_start) return {Novelty::New, ""};
    return {Novelty::PreExisting,
            was + (starts_at ? "" : ", and the notification does not say when it started")};
  }
  // Pending at the baseline: it fires later with a startsAt after the fault, so only
  // Prometheus's activeAt now tells whether it is still that activation.
  std::optional<std::vector<clients::PrometheusAlert>> now = prometheus_now();
  if (!now) {
    return {Novelty::Unknown, was +
                                  ", and Prometheus cannot be read now to tell whether this is "
                                  "still that activation"};
  }
  for (const auto& a : *now) {
    if (!labels_agree(a.labels, b.labels)) continue;
    if (a.active_at_time && b.since && *a.active_at_time == *b.since) {
      return {Novelty::PreExisting,
              was + "; it is still that activation (activeAt " + a.active_at + ")"};
    }
    if (a.active_at_time && *a.active_at_time > detection_start) return {Novelty::New, ""};
  }
  return {Novelty::Unknown,
          was + ", and Prometheus no longer shows it, so whether it ended in between is unknown"};
}

}  // namespace

const char* layer_name(Layer layer) {
  switch (layer) {
    case Layer::Prometheus:
      return "Prometheus";
    case Layer::Alertmanager:
      return "Alertmanager";
    case Layer::Receiver:
      return "the receiver";
  }
  return "?";
}

const ActiveAlert* AlertBaseline::find(const json& labels) const {
  for (const auto& a : active) {
    if (labels_agree(a.labels, labels)) return &a;
  }
  return nullptr;
}

json AlertBaseline::to_json() const {
  json out = {{"taken_at", common::format_rfc3339(taken_at)}};
  json alerts = json::array();
  for (const auto& a : active) {
    json entry = {{"layer", layer_name(a.layer)}, {"labels", a.labels}, {"state", a.state}};
    if (a.since) entry["since"] = common::format_rfc3339(*a.since);
    alerts.push_back(std::move(entry));
  }
  out["active"] = std::move(alerts);
  if (prometheus_started) out["prometheus_started"] = common::format_rfc3339(*prometheus_started);
  if (!errors.empty()) out["errors"] = errors;
  return out;
}

void add_prometheus(AlertBaseline& baseline, clients::PrometheusClient& client,
                    const std::string& alertname) {
  try {
    baseline.prometheus_started = client.start_time();
    for (const auto& a : client.alerts()) {
      if (a.labels.value("alertname", "") != alertname) continue;
      baseline.active.push_back({Layer::Prometheus, a.labels, a.state, a.active_at_time});
    }
  } catch (const std::exception& e) {
    baseline.errors.push_back(e.what());
  }
}

void add_alertmanager(AlertBaseline& baseline, clients::AlertmanagerClient& client,
                      const std::string& alertname) {
  clients::AlertmanagerFilter filter;
  filter.labels.emplace_back("alertname", alertname);
  try {
    for (const auto& a : client.alerts(filter)) {
      baseline.active.push_back({Layer::Alertmanager, a.labels, a.state, a.starts_at_time});
    }
  } catch (const std::exception& e) {
    baseline.errors.push_back(e.what());
  }
}

void add_receiver(AlertBaseline& baseline, const local::NotificationReceiver& receiver,
                  const std::string& alertname) {
  std::map<std::string, const local::ReceivedAlert*> latest;  // by label set
  std::vector<local::Notification> all = receiver.notifications();
  for (const auto& n : all) {
    for (const auto& a : n.alerts) {
      if (a.alertname == alertname) latest[a.labels.dump()] = &a;
    }
  }
  for (const auto& [key, a] : latest) {
    if (a->status == "firing") {
      baseline.active.push_back({Layer::Receiver, a->labels, "firing", a->starts_at});
    }
  }
}

namespace {
// The params of a check of another layer that only borrows the integration.
common::Params integration_params() {
  return common::Params{{"timeout", std::chrono::nanoseconds(std::chrono::seconds(10)).count()}};
}
}  // namespace

std::unique_ptr<clients::PrometheusClient> integration_prometheus(const CheckContext& context) {
  if (!context.integrations->prometheus) return nullptr;
  return prometheus_client(context, integration_params());
}

std::unique_ptr<clients::AlertmanagerClient> integration_alertmanager(const CheckContext& context) {
  if (!context.integrations->alertmanager) return nullptr;
  return std::make_unique<clients::AlertmanagerClient>(
      endpoint_for(context, context.integrations->alertmanager, "alertmanager", "Alertmanager",
                   integration_params()));
}

std::optional<std::vector<clients::PrometheusAlert>> prometheus_alerts_now(
    clients::PrometheusClient* client, const AlertBaseline& baseline) {
  if (!client) return std::nullopt;
  try {
    std::optional<WallClock::time_point> started = client->start_time();
    if (started && baseline.prometheus_started && *started != *baseline.prometheus_started) {
      return std::nullopt;
    }
    return client->alerts();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

NoveltyJudgement judge_novelty(
    const AlertBaseline& baseline, const json& labels,
    std::optional<WallClock::time_point> starts_at, const CheckContext& context,
    const std::function<std::optional<std::vector<clients::PrometheusAlert>>()>& prometheus_now) {
  if (starts_at && *starts_at <= detection_start(context)) {
    return {Novelty::PreExisting, "it started at " + common::format_rfc3339(*starts_at) +
                                      ", before " + detection_start_text(context)};
  }
  if (!baseline.taken) return {Novelty::New, ""};
  NoveltyJudgement verdict;
  for (const auto& b : baseline.active) {
    if (!labels_agree(b.labels, labels)) continue;
    NoveltyJudgement one = judge_one(baseline, b, starts_at, context, prometheus_now);
    if (one.novelty == Novelty::PreExisting) return one;
    if (one.novelty == Novelty::Unknown) verdict = one;
  }
  // At the drill start the drill's own Prometheus and Alertmanager are not running yet: that they
  // cannot be read then means nothing was active in them.
  if (verdict.novelty == Novelty::New && !baseline.errors.empty() && context.last_fault) {
    return {Novelty::Unknown, "what was active just before " + detection_start_text(context) +
                                  " is unknown: " + baseline.errors.front()};
  }
  return verdict;
}

}  // namespace firedrill::validators::alerting
