#include <memory>
#include <optional>

#include "clients/prometheus_client.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"
#include "validators/value_comparison.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr std::size_t kMaxSamplesShown = 50;

class PrometheusQueryCheck final : public Check {
 public:
  explicit PrometheusQueryCheck(const common::Params& p) : params_(p) {
    query_ = p.at("query").get<std::string>();
    if (query_.empty()) throw ValueError("query: must not be empty");
    if (p.contains("value")) {
      comparison_ = parse_value_comparison(p.at("value").get<std::string>(), "value");
    }
    any_ = p.at("any").get<bool>();
    absent_ = p.at("expect").get<std::string>() == "absent";
    common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    std::string text = "Prometheus query " + json(common::excerpt(query_, 160)).dump();
    if (absent_) {
      return text + (comparison_ ? " has no sample " + comparison_->text : " returns nothing");
    }
    if (!comparison_) return text + " returns samples";
    return text + (any_ ? " has a sample " : " has every sample ") + comparison_->text;
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = alerting::connect(
            client_, [&] { return alerting::prometheus_client(context, params_); })) {
      return *failed;
    }
    json evidence = {{"prometheus", client_->endpoint().shown()}, {"query", query_}};
    if (comparison_) evidence["value"] = comparison_->text;
    clients::PrometheusQueryResult result;
    try {
      result = client_->query(query_);
    } catch (const clients::ApiError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }

    json samples = json::array();
    std::size_t holding = 0;
    const clients::PrometheusSample* violating = nullptr;  // breaks `present`
    const clients::PrometheusSample* matching = nullptr;   // breaks `absent`
    for (const auto& s : result.samples) {
      bool holds = !comparison_ || comparison_->holds(s.number);
      holding += holds;
      if (holds && !matching) matching = &s;
      if (!holds && !violating) violating = &s;
      if (samples.size() < kMaxSamplesShown) {
        json entry = {{"metric", s.metric}, {"value", s.value}};
        if (comparison_) entry["holds"] = holds;
        samples.push_back(std::move(entry));
      }
    }
    evidence["result_type"] = result.result_type;
    evidence["sample_count"] = result.samples.size();
    evidence["samples"] = std::move(samples);
    if (!result.warnings.empty()) evidence["warnings"] = result.warnings;

    Observation o;
    const std::size_t n = result.samples.size();
    const std::string counted = std::to_string(holding) + " of " + std::to_string(n) + " samples";
    if (absent_) {
      if (!matching) {
        o.verdict = Verdict::Pass;
        o.message = n == 0
                        ? "no samples"
                        : "no sample " + comparison_->text + " (" + std::to_string(n) + " samples)";
      } else {
        o.verdict = Verdict::Fail;
        o.message = comparison_ ? "sample " + sample_text(*matching) + " is " + comparison_->text
                                : "the query returned " + std::to_string(n) + " samples";
      }
    } else if (n == 0) {
      o.verdict = Verdict::Fail;
      o.message = "the query returned no samples";
    } else if (any_ ? holding > 0 : !violating) {
      o.verdict = Verdict::Pass;
      o.message = comparison_ ? counted + " " + comparison_->text
                              : "the query returned " + std::to_string(n) + " samples";
    } else {
      o.verdict = Verdict::Fail;
      o.message = any_
                      ? "no sample is " + comparison_->text + " (" + std::to_string(n) + " samples)"
                      : "sample " + sample_text(*violating) + " is not " + comparison_->text +
                            " (" + counted + " are)";
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  static std::string sample_text(const clients::PrometheusSample& s) {
    return common::excerpt(s.metric.dump(), 200) + " = " + s.value;
  }

  common::Params params_;
  std::string query_;
  std::optional<ValueComparison> comparison_;
  bool any_ = false;
  bool absent_ = false;
  std::unique_ptr<clients::PrometheusClient> client_;
};

}  // namespace

CheckKind prometheus_query_check_kind() {
  using common::FieldSpec;
  return {"prometheus.query",
          "Evaluates a PromQL instant query and compares its samples with a value",
          "live: every poll evaluates the query now; to look at the drill window only, write it "
          "into the query (e.g. increase(errors_total[2m]) > 0)",
          {{
              FieldSpec{"query",
                        FieldType::String,
                        true,
                        "a PromQL expression returning an instant vector or a scalar",
                        {},
                        {}},
              FieldSpec{"value",
                        FieldType::String,
                        false,
                        "a comparison every sample must meet, like \"> 0.05\" (<, <=, >, >=, ==, "
                        "!=); without it any sample will do",
                        {},
                        {}},
              FieldSpec{"any",
                        FieldType::Boolean,
                        false,
                        "one sample meeting value is enough, instead of every sample",
                        {},
                        false},
              alerting::expect_field(
                  "present: at least one sample and value met; absent: no sample (meeting value)"),
              alerting::url_field("prometheus"),
              alerting::timeout_field(),
          }},
          [](const common::Params& p) { return std::make_unique<PrometheusQueryCheck>(p); }};
}

}  // namespace firedrill::validators
