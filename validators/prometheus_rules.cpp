#include "validators/prometheus_rules.hpp"

#include <algorithm>

#include "common/suggest.hpp"
#include "common/text.hpp"

namespace firedrill::validators::alerting {

namespace {
constexpr std::size_t kMaxRulesNamed = 30;
}

using nlohmann::json;

const clients::PrometheusAlertRule* find_rule(
    const std::vector<clients::PrometheusAlertRule>& rules, const std::string& name) {
  for (const auto& r : rules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

json rule_evidence(const clients::PrometheusAlertRule& rule) {
  json out = {{"name", rule.name},         {"group", rule.group},   {"query", rule.query},
              {"for_s", rule.for_seconds}, {"health", rule.health}, {"labels", rule.labels}};
  if (!rule.last_error.empty()) out["lastError"] = rule.last_error;
  return out;
}

std::string no_such_rule(const std::string& name,
                         const std::vector<clients::PrometheusAlertRule>& rules) {
  std::vector<std::string> names;
  for (const auto& r : rules) {
    if (std::find(names.begin(), names.end(), r.name) == names.end()) names.push_back(r.name);
  }
  std::string message = "no alerting rule named " + common::excerpt(name, 120);
  if (names.empty()) return message + "; Prometheus has no alerting rules loaded";
  if (auto near = common::nearest_name(name, names))
    message += "; did you mean `" + *near + "`?";
  else
    message += ";";
  std::string listed;
  for (std::size_t i = 0; i < names.size() && i < kMaxRulesNamed; ++i) {
    listed += (i ? ", " : "") + names[i];
  }
  if (names.size() > kMaxRulesNamed) {
    listed += " and " + std::to_string(names.size() - kMaxRulesNamed) + " more";
  }
  return message + " rules: " + listed;
}

std::optional<Observation> missing_rule(clients::PrometheusClient& client, const std::string& name,
                                        json& evidence) {
  std::vector<clients::PrometheusAlertRule> rules = client.alert_rules();
  if (const auto* rule = find_rule(rules, name)) {
    evidence["rule"] = rule_evidence(*rule);
    return std::nullopt;
  }
  Observation o;
  o.verdict = Verdict::Fail;
  o.final = true;
  o.message = no_such_rule(name, rules);
  o.evidence = evidence;
  o.evidence["rules_loaded"] = rules.size();
  return o;
}

}  // namespace firedrill::validators::alerting
