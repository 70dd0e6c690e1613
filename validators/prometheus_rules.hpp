#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "clients/prometheus_client.hpp"
#include "validators/check.hpp"

namespace firedrill::validators::alerting {

// The alerting rule named `name` among those Prometheus has loaded, or nullptr.
const clients::PrometheusAlertRule* find_rule(
    const std::vector<clients::PrometheusAlertRule>& rules, const std::string& name);
// {group, query, for_s, health, labels} for evidence.
nlohmann::json rule_evidence(const clients::PrometheusAlertRule& rule);
// "no alerting rule named HighErorRate; did you mean `HighErrorRate`? rules: A, B, ..."
std::string no_such_rule(const std::string& name,
                         const std::vector<clients::PrometheusAlertRule>& rules);

// A check about an alert that no loaded rule defines can never be true (nor meaningfully
// absent): a final failed observation saying so, or nullopt with the rule in evidence["rule"].
// Throws clients::ApiError when the rules cannot be read.
std::optional<Observation> missing_rule(clients::PrometheusClient& client, const std::string& name,
                                        nlohmann::json& evidence);

}  // namespace firedrill::validators::alerting
