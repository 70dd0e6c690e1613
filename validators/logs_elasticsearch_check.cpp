#include <memory>
#include <string_view>

#include "clients/elasticsearch_client.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

int64_t epoch_ms(WallClock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

class LogsElasticsearchCheck final : public Check {
 public:
  explicit LogsElasticsearchCheck(const common::Params& p) : params_(p) {
    index_ = p.at("index").get<std::string>();
    if (index_.empty() || index_.starts_with("_") || index_.find('/') != std::string::npos) {
      throw ValueError(
          "index: an index name or pattern, like logs-* (not empty, no '/', not "
          "starting with '_')");
    }
    if (p.contains("query")) query_ = p.at("query").get<std::string>();
    time_field_ = p.at("timeField").get<std::string>();
    if (time_field_.empty()) throw ValueError("timeField: must not be empty");
    if (p.contains("count")) count_ = p.at("count").get<int64_t>();
    if (count_ < 1) throw ValueError("count: must be at least 1");
    common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    return "Elasticsearch " + index_ + " has at least " + std::to_string(count_) + " document" +
           (count_ == 1 ? "" : "s") +
           (query_.empty() ? "" : " matching " + json(common::excerpt(query_, 120)).dump()) +
           " since the fault";
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = alerting::connect(client_, [&] { return make_client(context); })) {
      return *failed;
    }
    const auto since = alerting::detection_start(context);
    json filters = json::array({{{"range",
                                  {{time_field_,
                                    {{"gte", epoch_ms(since)},
                                     {"lte", epoch_ms(WallClock::now())},
                                     {"format", "epoch_millis"}}}}}}});
    if (!query_.empty()) filters.push_back({{"query_string", {{"query", query_}}}});
    json query = {{"bool", {{"filter", filters}}}};
    json evidence = {{"elasticsearch", client_->endpoint().shown()},
                     {"index", index_},
                     {"query", query},
                     {"since", alerting::detection_start_evidence(context)}};
    clients::ElasticsearchCount result;
    try {
      result = client_->count(index_, query);
    } catch (const clients::ApiError& e) {
      // Elasticsearch answers 404 for a name that is no index or alias, but counts 0 for a
      // pattern that matches none: the user should learn which of the two the index was.
      if (e.status() == 404 &&
          std::string_view(e.what()).find("index_not_found_exception") != std::string_view::npos) {
        return alerting::inconclusive("Elasticsearch has no index or alias " + index_ +
                                          " (check `index`; a pattern such as logs-* that "
                                          "matches nothing counts 0 instead): " +
                                          e.what(),
                                      evidence);
      }
      return alerting::inconclusive(e.what(), evidence);
    }
    evidence["count"] = result.count;
    evidence["shards"] = {{"total", result.shards_total}, {"failed", result.shards_failed}};
    if (result.shards_failed > 0) {
      evidence["shard_failures"] = result.failures;
      return alerting::inconclusive(
          std::to_string(result.shards_failed) + " of " + std::to_string(result.shards_total) +
              " shards failed: the count (" + std::to_string(result.count) + ") may be short",
          evidence);
    }
    Observation o;
    const std::string counted =
        std::to_string(result.count) + " document" + (result.count == 1 ? "" : "s");
    o.verdict = result.count >= count_ ? Verdict::Pass : Verdict::Fail;
    o.message = counted + " in " + index_ + " since " + alerting::detection_start_text(context) +
                (o.verdict == Verdict::Pass ? "" : ", " + std::to_string(count_) + " wanted");
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  std::unique_ptr<clients::ElasticsearchClient> make_client(const CheckContext& context) {
    return std::make_unique<clients::ElasticsearchClient>(alerting::endpoint_for(
        context, context.integrations->elasticsearch, "elasticsearch", "Elasticsearch", params_));
  }

  common::Params params_;
  std::string index_;
  std::string query_;
  std::string time_field_;
  int64_t count_ = 1;
  std::unique_ptr<clients::ElasticsearchClient> client_;
};

}  // namespace

CheckKind logs_elasticsearch_check_kind() {
  using common::FieldSpec;
  return {
      "logs.elasticsearch",
      "Expects documents in Elasticsearch or OpenSearch since the fault (_count with a "
      "query and a time range)",
      "counts only documents whose timeField is at or after the most recent fault (the drill "
      "start when there was none); a count with failed shards is inconclusive, never a pass",
      {{
          FieldSpec{
              "index", FieldType::String, true, "the index, alias or pattern, e.g. logs-*", {}, {}},
          FieldSpec{"query",
                    FieldType::String,
                    false,
                    "a query_string query, e.g. kubernetes.labels.app:checkout AND OOMKilled; "
                    "without it every document counts",
                    {},
                    {}},
          FieldSpec{
              "timeField", FieldType::String, false, "the documents' time field", {}, "@timestamp"},
          FieldSpec{"count",
                    FieldType::Integer,
                    false,
                    "at least this many documents; default 1",
                    {},
                    {}},
          alerting::url_field("elasticsearch"),
          alerting::timeout_field(),
      }},
      [](const common::Params& p) { return std::make_unique<LogsElasticsearchCheck>(p); }};
}

}  // namespace firedrill::validators
