#include <cctype>
#include <memory>
#include <optional>

#include "clients/loki_client.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr std::size_t kLinesShown = 5;

int64_t epoch_ns(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// The tenant param replaces an X-Scope-OrgID from integrations.loki.headers.
bool is_tenant_header(const std::string& name) {
  static constexpr std::string_view kName = "x-scope-orgid";
  if (name.size() != kName.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != kName[i]) return false;
  }
  return true;
}

class LogsLokiCheck final : public Check {
 public:
  explicit LogsLokiCheck(const common::Params& p) : params_(p) {
    query_ = p.at("query").get<std::string>();
    if (query_.empty() || query_.front() != '{') {
      throw ValueError(
          "query: a LogQL log query starts with a stream selector, like "
          "{namespace=\"shop\"} |= \"OOMKilled\"");
    }
    if (p.contains("count")) count_ = p.at("count").get<int64_t>();
    if (count_ < 1) throw ValueError("count: must be at least 1");
    if (p.contains("tenant")) tenant_ = p.at("tenant").get<std::string>();
    if (tenant_.find_first_of("\r\n") != std::string::npos) {
      throw ValueError("tenant: must be on one line");
    }
    common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    return "Loki has at least " + std::to_string(count_) + " line" + (count_ == 1 ? "" : "s") +
           " of " + common::excerpt(query_, 160) + " since the fault";
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = alerting::connect(client_, [&] { return make_client(context); })) {
      return *failed;
    }
    const auto since = alerting::detection_start(context);
    json evidence = {{"loki", client_->endpoint().shown()},
                     {"query", query_},
                     {"since", alerting::detection_start_evidence(context)}};
    if (!tenant_.empty()) evidence["tenant"] = tenant_;
    clients::LokiLines result;
    try {
      result = client_->query_range(query_, epoch_ns(since), epoch_ns(WallClock::now()),
                                    static_cast<std::size_t>(count_));
    } catch (const clients::ApiError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }
    json shown = json::array();
    std::size_t found = 0;
    std::optional<int64_t> first;
    for (const auto& line : result.lines) {
      if (line.timestamp_ns < epoch_ns(since)) continue;  // Loki's start is inclusive
      ++found;
      if (!first) first = line.timestamp_ns;
      if (shown.size() < kLinesShown) {
        shown.push_back({{"labels", line.stream}, {"line", common::excerpt(line.line, 300)}});
      }
    }
    evidence["count"] = found;
    evidence["lines"] = std::move(shown);

    Observation o;
    const std::string counted = std::to_string(found) + " line" + (found == 1 ? "" : "s");
    if (static_cast<int64_t>(found) >= count_) {
      o.verdict = Verdict::Pass;
      auto at = WallClock::time_point(
          std::chrono::duration_cast<WallClock::duration>(std::chrono::nanoseconds(*first)));
      o.message = counted + " since " + alerting::detection_start_text(context) + ", the first " +
                  alerting::relative_text(context, at);
      evidence["time_to_first_line_s"] = alerting::seconds_between(since, at);
    } else {
      o.verdict = Verdict::Fail;
      o.message = counted + " since " + alerting::detection_start_text(context) + ", " +
                  std::to_string(count_) + " wanted";
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  std::unique_ptr<clients::LokiClient> make_client(const CheckContext& context) const {
    clients::Endpoint endpoint =
        alerting::endpoint_for(context, context.integrations->loki, "loki", "Loki", params_);
    if (!tenant_.empty()) {
      std::erase_if(endpoint.headers, [](const auto& h) { return is_tenant_header(h.first); });
      endpoint.headers.emplace_back("X-Scope-OrgID", tenant_);
    }
    return std::make_unique<clients::LokiClient>(std::move(endpoint));
  }

  common::Params params_;
  std::string query_;
  int64_t count_ = 1;
  std::string tenant_;
  std::unique_ptr<clients::LokiClient> client_;
};

}  // namespace

CheckKind logs_loki_check_kind() {
  using common::FieldSpec;
  return {
      "logs.loki",
      "Expects log lines in Grafana Loki since the fault (query_range with a LogQL log "
      "query)",
      "queries only from the most recent fault (the drill start when there was none): lines "
      "stamped earlier never count",
      {{
          FieldSpec{"query",
                    FieldType::String,
                    true,
                    "a LogQL log query, e.g. {namespace=\"shop\"} |= \"OOMKilled\"",
                    {},
                    {}},
          FieldSpec{
              "count", FieldType::Integer, false, "at least this many lines; default 1", {}, {}},
          FieldSpec{"tenant",
                    FieldType::String,
                    false,
                    "the tenant, sent as X-Scope-OrgID (multi-tenant Loki, Grafana Cloud)",
                    {},
                    {}},
          alerting::url_field("loki"),
          alerting::timeout_field(),
      }},
      [](const common::Params& p) { return std::make_unique<LogsLokiCheck>(p); }};
}

}  // namespace firedrill::validators
