#include <algorithm>
#include <cctype>
#include <memory>

#include "common/errors.hpp"
#include "common/rfc3339.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"
#include "validators/cloudwatch_support.hpp"
#include "validators/value_comparison.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr int kMaxPages = 20;
constexpr std::size_t kMaxDatapointsShown = 60;

struct Datapoint {
  WallClock::time_point at;  // start of its period
  double value = 0;
};

// SampleCount, Average, Sum, Minimum, Maximum, or an extended statistic: a percentile (p99,
// p99.9), trimmed mean, count or sum (tm90, tc90, ts90, TM(10%:90%)), winsorized mean (wm90),
// percentile rank (PR(:300)) or IQM.
bool valid_statistic(const std::string& s) {
  for (const char* basic : {"SampleCount", "Average", "Sum", "Minimum", "Maximum", "IQM"}) {
    if (s == basic) return true;
  }
  for (const char* prefix : {"p", "tm", "tc", "ts", "wm", "PR(", "TM(", "TC(", "TS(", "WM("}) {
    std::string_view rest(s);
    if (!rest.starts_with(prefix)) continue;
    rest.remove_prefix(std::string_view(prefix).size());
    if (!rest.empty() && (std::isdigit(static_cast<unsigned char>(rest.front())) ||
                          rest.front() == ':' || rest.front() == '.')) {
      return true;
    }
  }
  return false;
}

class CloudWatchMetricCheck final : public Check {
 public:
  explicit CloudWatchMetricCheck(const common::Params& p) : params_(p) {
    namespace_ = p.at("namespace").get<std::string>();
    metric_ = p.at("metric").get<std::string>();
    if (namespace_.empty())
      throw ValueError("namespace: must not be empty, e.g. ContainerInsights");
    if (metric_.empty()) throw ValueError("metric: must not be empty, e.g. pod_cpu_utilization");
    if (p.contains("dimensions")) dimensions_ = p.at("dimensions");
    if (dimensions_.size() > 30) throw ValueError("dimensions: a metric has at most 30");
    statistic_ = p.at("statistic").get<std::string>();
    if (!valid_statistic(statistic_)) {
      throw ValueError("statistic: \"" + common::excerpt(statistic_, 40) +
                       "\" is not SampleCount, Average, Sum, Minimum, Maximum or an extended "
                       "statistic like p99");
    }
    auto period =
        std::chrono::duration_cast<std::chrono::seconds>(common::duration_param(p, "period"));
    period_s_ = period.count();
    bool high_resolution =
        period_s_ == 1 || period_s_ == 5 || period_s_ == 10 || period_s_ == 20 || period_s_ == 30;
    if (period != common::duration_param(p, "period") || period_s_ <= 0 ||
        (!high_resolution && period_s_ % 60 != 0)) {
      throw ValueError("period: must be 1s, 5s, 10s, 20s, 30s or a multiple of 1m");
    }
    comparison_ = parse_value_comparison(p.at("value").get<std::string>(), "value");
    match_ = p.at("match").get<std::string>();
    timeout_ = common::positive_duration_param(p, "timeout");
  }

  std::string describe() const override {
    return "CloudWatch metric " + metric_text() + " " + statistic_ + " per " +
           std::to_string(period_s_) + "s has " +
           (match_ == "any"   ? "a datapoint "
            : match_ == "all" ? "every datapoint "
                              : "its latest datapoint ") +
           comparison_.text + " since the fault";
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = aws::connect(client_, context, clients::cloudwatch_service(), params_)) {
      return *failed;
    }
    const auto since = alerting::detection_start(context);
    json evidence = aws::client_evidence(*client_);
    evidence["metric"] = metric_text();
    evidence["statistic"] = statistic_;
    evidence["period_s"] = period_s_;
    evidence["value"] = comparison_.text;
    evidence["since"] = alerting::detection_start_evidence(context);

    std::vector<Datapoint> points;
    try {
      points = datapoints(since, WallClock::now());
    } catch (const clients::AwsError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }

    json shown = json::array();
    const Datapoint* holding = nullptr;
    const Datapoint* violating = nullptr;
    for (const auto& d : points) {
      bool holds = comparison_.holds(d.value);
      if (holds && !holding) holding = &d;
      if (!holds && !violating) violating = &d;
      if (shown.size() < kMaxDatapointsShown) {
        shown.push_back(
            {{"at", common::format_rfc3339(d.at)}, {"value", d.value}, {"holds", holds}});
      }
    }
    evidence["datapoints"] = std::move(shown);
    evidence["datapoint_count"] = points.size();

    Observation o;
    o.verdict = Verdict::Fail;
    if (points.empty()) {
      o.message =
          "no datapoints of " + metric_text() + " since " + alerting::detection_start_text(context);
    } else if (match_ == "latest") {
      const Datapoint& last = points.back();
      bool holds = comparison_.holds(last.value);
      o.verdict = holds ? Verdict::Pass : Verdict::Fail;
      o.message = "the latest datapoint (" + point_text(last) + ") is " + (holds ? "" : "not ") +
                  comparison_.text;
    } else if (match_ == "any" ? holding != nullptr : violating == nullptr) {
      o.verdict = Verdict::Pass;
      const Datapoint& shown_point = match_ == "any" ? *holding : points.back();
      o.message = (match_ == "any" ? "datapoint " : "every datapoint, e.g. ") +
                  point_text(shown_point) + ", is " + comparison_.text;
      evidence["matched_at"] = common::format_rfc3339(shown_point.at);
      evidence["time_to_match_s"] = alerting::seconds_between(since, shown_point.at);
    } else {
      o.message =
          match_ == "any"
              ? "no datapoint of " + std::to_string(points.size()) + " is " + comparison_.text
              : "datapoint " + point_text(*violating) + " is not " + comparison_.text;
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  std::string metric_text() const {
    std::string text = namespace_ + "/" + metric_;
    if (!dimensions_.empty()) text += " " + dimensions_.dump();
    return common::excerpt(text, 240);
  }

  static std::string point_text(const Datapoint& d) {
    return common::format_rfc3339(d.at) + " = " + json(d.value).dump();
  }

  // GetMetricData from the start of the period holding `since` (periods aligned to their length,
  // as the API reference advises), oldest first.
  std::vector<Datapoint> datapoints(WallClock::time_point since, WallClock::time_point now) {
    json dimensions = json::array();
    for (const auto& [name, value] : dimensions_.items()) {
      dimensions.push_back({{"Name", name}, {"Value", value}});
    }
    int64_t start = aws::epoch_seconds(since) / period_s_ * period_s_;
    json input = {
        {"MetricDataQueries",
         json::array(
             {{{"Id", "m1"},
               {"MetricStat",
                {{"Metric",
                  {{"Namespace", namespace_}, {"MetricName", metric_}, {"Dimensions", dimensions}}},
                 {"Period", period_s_},
                 {"Stat", statistic_}}},
               {"ReturnData", true}}})},
        {"StartTime", start},
        {"EndTime", aws::epoch_seconds(now) + 1},
        {"ScanBy", "TimestampAscending"}};
    std::vector<Datapoint> points;
    aws::for_each_page(
        *client_, "GetMetricData", input, timeout_, kMaxPages, [&](const json& output) {
          for (const json& result :
               aws::list_field(*client_, "GetMetricData", output, "MetricDataResults")) {
            if (!result.is_object() || result.value("Id", "") != "m1") continue;
            std::string status = result.value("StatusCode", "");
            if (status == "Forbidden" || status == "InternalError") {
              std::string message;
              if (result.contains("Messages") && result["Messages"].is_array() &&
                  !result["Messages"].empty() && result["Messages"][0].is_object()) {
                message = ": " + result["Messages"][0].value("Value", "");
              }
              throw clients::AwsError("CloudWatch: GetMetricData: StatusCode " + status + message,
                                      status, 200);
            }
            const json& timestamps = result.value("Timestamps", json::array());
            const json& values = result.value("Values", json::array());
            if (!timestamps.is_array() || !values.is_array() ||
                timestamps.size() != values.size()) {
              aws::malformed(*client_, "GetMetricData",
                             "Timestamps and Values are not lists of the same length");
            }
            for (std::size_t i = 0; i < values.size(); ++i) {
              auto at = aws::timestamp(timestamps[i]);
              if (!at || !values[i].is_number()) {
                aws::malformed(*client_, "GetMetricData", "a datapoint is not a time and a number");
              }
              points.push_back({*at, values[i].get<double>()});
            }
          }
        });
    std::ranges::stable_sort(points, {}, &Datapoint::at);
    return points;
  }

  common::Params params_;
  std::string namespace_;
  std::string metric_;
  json dimensions_ = json::object();
  std::string statistic_;
  int64_t period_s_ = 60;
  ValueComparison comparison_;
  std::string match_;
  common::Duration timeout_{};
  std::unique_ptr<clients::AwsJsonClient> client_;
};

}  // namespace

CheckKind cloudwatch_metric_check_kind() {
  using common::FieldSpec;
  return {"cloudwatch.metric",
          "Compares a CloudWatch metric's datapoints since the fault with a value (GetMetricData)",
          "reads datapoints from the start of the period holding the most recent fault (the "
          "drill start when there was none): a period that began shortly before the fault "
          "counts, older ones do not",
          {{
              FieldSpec{"namespace", FieldType::String, true, "e.g. ContainerInsights", {}, {}},
              FieldSpec{"metric",
                        FieldType::String,
                        true,
                        "the metric name, e.g. pod_number_of_container_restarts",
                        {},
                        {}},
              FieldSpec{"dimensions",
                        FieldType::StringMap,
                        false,
                        "every dimension of the metric, e.g. {ClusterName: prod, Namespace: shop, "
                        "PodName: checkout}",
                        {},
                        {}},
              FieldSpec{"statistic",
                        FieldType::String,
                        false,
                        "SampleCount, Average, Sum, Minimum, Maximum, or e.g. p99",
                        {},
                        "Average"},
              FieldSpec{"period",
                        FieldType::Duration,
                        false,
                        "the aggregation period: 1s, 5s, 10s, 20s, 30s or a multiple of 1m",
                        {},
                        "1m"},
              FieldSpec{"value",
                        FieldType::String,
                        true,
                        "the comparison, like \"> 0\" (<, <=, >, >=, ==, !=)",
                        {},
                        {}},
              FieldSpec{"match",
                        FieldType::String,
                        false,
                        "any: one datapoint meeting value is enough; all: every datapoint; "
                        "latest: the most recent one",
                        {"any", "all", "latest"},
                        "any"},
              aws::region_field(),
              alerting::timeout_field(),
          }},
          [](const common::Params& p) { return std::make_unique<CloudWatchMetricCheck>(p); }};
}

}  // namespace firedrill::validators
