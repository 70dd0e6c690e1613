#include <memory>

#include "clients/prometheus_client.hpp"
#include "common/errors.hpp"
#include "common/units.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"
#include "validators/prometheus_rules.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

// An alert can only fire if its rule is loaded and evaluates: a typo in a rules file, a rule
// file Prometheus never read, or an expression that errors are all silent until an incident.
class PrometheusRuleCheck final : public Check {
 public:
  explicit PrometheusRuleCheck(const common::Params& p) : params_(p) {
    name_ = p.at("name").get<std::string>();
    if (name_.empty()) throw ValueError("name: the rule's alertname must not be empty");
    common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    return "Prometheus has the alerting rule " + name_ + " loaded and evaluating";
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = alerting::connect(
            client_, [&] { return alerting::prometheus_client(context, params_); })) {
      return *failed;
    }
    json evidence = {{"prometheus", client_->endpoint().shown()}};
    std::vector<clients::PrometheusAlertRule> rules;
    try {
      rules = client_->alert_rules();
    } catch (const clients::ApiError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }
    Observation o;
    const clients::PrometheusAlertRule* rule = alerting::find_rule(rules, name_);
    if (!rule) {
      o.verdict = Verdict::Fail;
      o.message = alerting::no_such_rule(name_, rules);
      evidence["rules_loaded"] = rules.size();
    } else if (rule->health == "err") {
      o.verdict = Verdict::Fail;
      o.message = "the rule " + name_ + " is loaded but its evaluation fails: " + rule->last_error;
      evidence["rule"] = alerting::rule_evidence(*rule);
    } else {
      o.verdict = Verdict::Pass;
      const auto for_duration = std::chrono::duration_cast<common::Duration>(
          std::chrono::duration<double>(rule->for_seconds));
      o.message = "the rule " + name_ + " is loaded (group " + rule->group + ", for " +
                  common::format_duration(for_duration) + "): " + rule->query;
      evidence["rule"] = alerting::rule_evidence(*rule);
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  common::Params params_;
  std::string name_;
  std::unique_ptr<clients::PrometheusClient> client_;
};

}  // namespace

CheckKind prometheus_rule_check_kind() {
  using common::FieldSpec;
  return {"prometheus.rule",
          "Expects Prometheus to have an alerting rule loaded, and its evaluation not failing",
          "a loaded rule is configuration, not a detection: it passes whenever the rule is there, "
          "before or after any fault",
          {{
              FieldSpec{"name", FieldType::String, true, "the rule's alertname", {}, {}},
              alerting::url_field("prometheus"),
              alerting::timeout_field(),
          }},
          [](const common::Params& p) { return std::make_unique<PrometheusRuleCheck>(p); }};
}

}  // namespace firedrill::validators
