#include <charconv>
#include <memory>
#include <optional>
#include <thread>

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
using SteadyClock = std::chrono::steady_clock;

constexpr int kMaxPages = 200;
constexpr std::size_t kEventsShown = 5;
constexpr std::size_t kRowsShown = 20;

std::optional<double> number(const std::string& text) {
  double v = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

class LogsCloudWatchCheck final : public Check {
 public:
  explicit LogsCloudWatchCheck(const common::Params& p) : params_(p) {
    group_ = p.at("group").get<std::string>();
    if (group_.empty()) throw ValueError("group: the log group must not be empty");
    if (p.contains("pattern")) pattern_ = p.at("pattern").get<std::string>();
    if (p.contains("streamPrefix")) stream_prefix_ = p.at("streamPrefix").get<std::string>();
    if (p.contains("query")) query_ = p.at("query").get<std::string>();
    if (p.contains("count")) count_ = p.at("count").get<int64_t>();
    timeout_ = common::positive_duration_param(p, "timeout");
    if (p.contains("rows") || p.contains("field") || p.contains("value")) {
      if (query_.empty()) {
        throw ValueError("rows, field and value compare Logs Insights results: give a query too");
      }
    }
    if (query_.empty()) {
      if (count_ < 1) throw ValueError("count: must be at least 1");
      return;
    }
    if (!pattern_.empty() || !stream_prefix_.empty() || p.contains("count")) {
      throw ValueError(
          "query: a Logs Insights query replaces pattern, streamPrefix and count; filter and "
          "count in the query, and compare with rows or field and value");
    }
    rows_ = parse_value_comparison(p.contains("rows") ? p.at("rows").get<std::string>() : ">= 1",
                                   "rows");
    if (p.contains("field") != p.contains("value")) {
      throw ValueError("field and value: give both, e.g. field: count, value: \">= 5\"");
    }
    if (p.contains("field")) {
      field_ = p.at("field").get<std::string>();
      value_ = parse_value_comparison(p.at("value").get<std::string>(), "value");
    }
  }

  std::string describe() const override {
    if (!query_.empty()) {
      std::string text = "CloudWatch Logs Insights query on " + group_ + " " +
                         json(common::excerpt(query_, 120)).dump() + " has rows " + rows_.text;
      if (value_) text += " and a row with " + field_ + " " + value_->text;
      return text + " since the fault";
    }
    return "CloudWatch Logs " + group_ + " has at least " + std::to_string(count_) + " event" +
           (count_ == 1 ? "" : "s") +
           (pattern_.empty() ? "" : " matching " + json(pattern_).dump()) +
           (stream_prefix_.empty() ? "" : " in streams " + stream_prefix_ + "*") +
           " since the fault";
  }

  Observation observe(const CheckContext& context) override {
    if (auto failed = aws::connect(client_, context, clients::cloudwatch_logs_service(), params_)) {
      return *failed;
    }
    json evidence = aws::client_evidence(*client_);
    evidence["group"] = group_;
    evidence["since"] = alerting::detection_start_evidence(context);
    try {
      return query_.empty() ? filter(context, evidence) : insights(context, evidence);
    } catch (const clients::AwsError& e) {
      return alerting::inconclusive(e.what(), evidence);
    }
  }

 private:
  bool group_is_arn() const { return group_.starts_with("arn:"); }

  // The ARN without the ":*" that DescribeLogGroups and the console end a group's ARN with, and
  // that StartQuery refuses.
  std::string group_arn() const {
    return group_.ends_with(":*") ? group_.substr(0, group_.size() - 2) : group_;
  }

  // FilterLogEvents names a group by ARN in logGroupIdentifier; StartQuery has no such member,
  // only the list logGroupIdentifiers.
  json filter_group_field() const {
    return group_is_arn() ? json{{"logGroupIdentifier", group_arn()}}
                          : json{{"logGroupName", group_}};
  }
  json query_group_field() const {
    return group_is_arn() ? json{{"logGroupIdentifiers", json::array({group_arn()})}}
                          : json{{"logGroupName", group_}};
  }

  // FilterLogEvents from the fault, in epoch milliseconds, following nextToken until the count
  // is reached or the search is done: a page may be empty and still carry a nextToken.
  Observation filter(const CheckContext& context, json evidence) {
    const auto since = alerting::detection_start(context);
    const int64_t start_ms = aws::epoch_milliseconds(since);
    json input = filter_group_field();
    input["startTime"] = start_ms;
    input["endTime"] = aws::epoch_milliseconds(WallClock::now()) + 1000;
    if (!pattern_.empty()) input["filterPattern"] = pattern_;
    if (!stream_prefix_.empty()) input["logStreamNamePrefix"] = stream_prefix_;
    evidence["pattern"] = pattern_;
    if (!stream_prefix_.empty()) evidence["stream_prefix"] = stream_prefix_;

    const auto deadline = SteadyClock::now() + timeout_;
    int64_t found = 0;
    int pages = 0;
    bool finished = false;
    json events = json::array();
    std::optional<int64_t> first_ms;
    while (pages < kMaxPages && SteadyClock::now() < deadline) {
      json output = client_->call("FilterLogEvents", input, timeout_);
      ++pages;
      if (output.contains("events") && !output["events"].is_array()) {
        aws::malformed(*client_, "FilterLogEvents", "events is not a list");
      }
      for (const json& e : output.value("events", json::array())) {
        if (!e.is_object() || !e.contains("timestamp") || !e["timestamp"].is_number_integer()) {
          aws::malformed(*client_, "FilterLogEvents", "an event has no integer timestamp");
        }
        int64_t ms = e["timestamp"].get<int64_t>();
        if (ms < start_ms) continue;  // a line stamped before the fault does not count
        ++found;
        if (!first_ms || ms < *first_ms) first_ms = ms;
        if (events.size() < kEventsShown) {
          events.push_back({{"timestamp", common::format_rfc3339(aws::from_epoch_milliseconds(ms))},
                            {"stream", e.value("logStreamName", "")},
                            {"message", common::excerpt(e.value("message", ""), 300)}});
        }
      }
      std::string next = output.value("nextToken", "");
      if (next.empty()) {
        finished = true;
        break;
      }
      if (found >= count_) break;
      input["nextToken"] = next;
    }
    evidence["count"] = found;
    evidence["pages"] = pages;
    evidence["events"] = std::move(events);

    Observation o;
    const std::string counted = std::to_string(found) + " event" + (found == 1 ? "" : "s");
    if (found >= count_) {
      o.verdict = Verdict::Pass;
      o.message = counted + " in " + group_ + " since " + alerting::detection_start_text(context);
      if (first_ms) {
        auto first = aws::from_epoch_milliseconds(*first_ms);
        evidence["first_event_at"] = common::format_rfc3339(first);
        evidence["time_to_first_event_s"] = alerting::seconds_between(since, first);
      }
    } else if (!finished) {
      o.verdict = Verdict::Inconclusive;
      o.message = "the search of " + group_ + " did not finish within " +
                  common::format_duration(timeout_) + " and " + std::to_string(kMaxPages) +
                  " pages; " + counted + " so far";
      evidence["error"] = o.message;
    } else {
      o.verdict = Verdict::Fail;
      o.message = counted + " in " + group_ + " since " + alerting::detection_start_text(context) +
                  ", " + std::to_string(count_) + " wanted";
    }
    o.evidence = std::move(evidence);
    return o;
  }

  // StartQuery (epoch seconds) from the fault to now, then GetQueryResults until Complete.
  Observation insights(const CheckContext& context, json evidence) {
    const auto since = alerting::detection_start(context);
    json input = query_group_field();
    input["startTime"] = aws::epoch_seconds(since);
    input["endTime"] = aws::epoch_seconds(WallClock::now()) + 1;
    input["queryString"] = query_;
    evidence["query"] = query_;
    json started = client_->call("StartQuery", input, timeout_);
    if (!started.contains("queryId") || !started["queryId"].is_string()) {
      aws::malformed(*client_, "StartQuery", "no queryId");
    }
    const std::string id = started["queryId"].get<std::string>();
    evidence["query_id"] = id;

    const auto deadline = SteadyClock::now() + timeout_;
    auto pause = std::chrono::milliseconds(250);
    json results;
    std::string status;
    while (true) {
      results = client_->call("GetQueryResults", {{"queryId", id}}, timeout_);
      if (!results.contains("status") || !results["status"].is_string()) {
        aws::malformed(*client_, "GetQueryResults", "no status");
      }
      status = results["status"].get<std::string>();
      if (status != "Scheduled" && status != "Running") break;
      if (SteadyClock::now() + pause >= deadline) {
        try {
          client_->call("StopQuery", {{"queryId", id}}, timeout_);
        } catch (const clients::AwsError&) {
          // The query ends by itself in Logs Insights' own time limit.
        }
        return alerting::inconclusive("the Logs Insights query was still " + status + " after " +
                                          common::format_duration(timeout_),
                                      evidence);
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(2000));
    }
    evidence["status"] = status;
    if (results.contains("statistics")) evidence["statistics"] = results["statistics"];
    if (status != "Complete") {
      return alerting::inconclusive("the Logs Insights query ended " + status, evidence);
    }
    if (!results.contains("results") || !results["results"].is_array()) {
      aws::malformed(*client_, "GetQueryResults", "results is not a list");
    }
    const json& rows = results["results"];
    json shown = json::array();
    std::optional<std::string> matched;
    for (const json& row : rows) {
      if (!row.is_array()) aws::malformed(*client_, "GetQueryResults", "a row is not a list");
      json fields = json::object();
      for (const json& cell : row) {
        if (!cell.is_object() || !cell.contains("field") || !cell["field"].is_string()) {
          aws::malformed(*client_, "GetQueryResults", "a cell has no field");
        }
        std::string name = cell["field"].get<std::string>();
        std::string value = cell.value("value", "");
        if (value_ && !matched && name == field_) {
          auto n = number(value);
          if (n && value_->holds(*n)) matched = value;
        }
        if (!name.starts_with("@ptr")) fields[name] = common::excerpt(value, 200);
      }
      if (shown.size() < kRowsShown) shown.push_back(std::move(fields));
    }
    evidence["row_count"] = rows.size();
    evidence["rows"] = std::move(shown);

    Observation o;
    const double n = static_cast<double>(rows.size());
    const std::string counted =
        std::to_string(rows.size()) + " row" + (rows.size() == 1 ? "" : "s");
    if (!rows_.holds(n)) {
      o.verdict = Verdict::Fail;
      o.message = "the query returned " + counted + ", not " + rows_.text;
    } else if (value_ && !matched) {
      o.verdict = Verdict::Fail;
      o.message =
          "no row of " + std::to_string(rows.size()) + " has " + field_ + " " + value_->text;
    } else {
      o.verdict = Verdict::Pass;
      o.message = "the query returned " + counted +
                  (value_ ? ", one with " + field_ + " = " + *matched : std::string()) + " since " +
                  alerting::detection_start_text(context);
    }
    o.evidence = std::move(evidence);
    return o;
  }

  common::Params params_;
  std::string group_;
  std::string pattern_;
  std::string stream_prefix_;
  int64_t count_ = 1;
  std::string query_;
  ValueComparison rows_;
  std::string field_;
  std::optional<ValueComparison> value_;
  common::Duration timeout_{};
  std::unique_ptr<clients::AwsJsonClient> client_;
};

}  // namespace

CheckKind logs_cloudwatch_check_kind() {
  using common::FieldSpec;
  return {
      "logs.cloudwatch",
      "Expects log events in a CloudWatch Logs group since the fault (FilterLogEvents), or "
      "a Logs Insights query's rows",
      "searches only from the most recent fault (the drill start when there was none): "
      "events stamped earlier never count",
      {{
          FieldSpec{"group",
                    FieldType::String,
                    true,
                    "the log group name (or ARN), e.g. "
                    "/aws/containerinsights/prod/application",
                    {},
                    {}},
          FieldSpec{"pattern",
                    FieldType::String,
                    false,
                    "a CloudWatch Logs filter pattern, e.g. OOMKilled or "
                    "{ $.level = \"error\" }; without it every event counts",
                    {},
                    {}},
          FieldSpec{"streamPrefix",
                    FieldType::String,
                    false,
                    "only log streams whose name starts with this",
                    {},
                    {}},
          FieldSpec{
              "count", FieldType::Integer, false, "at least this many events; default 1", {}, {}},
          FieldSpec{"query",
                    FieldType::String,
                    false,
                    "a Logs Insights query instead, e.g. \"filter @message like /ERROR/ | "
                    "stats count(*) as errors\"",
                    {},
                    {}},
          FieldSpec{"rows",
                    FieldType::String,
                    false,
                    "with query: the row count comparison, default \">= 1\"",
                    {},
                    {}},
          FieldSpec{"field",
                    FieldType::String,
                    false,
                    "with query and value: a result field one row must meet value on",
                    {},
                    {}},
          FieldSpec{"value",
                    FieldType::String,
                    false,
                    "with query and field: a comparison like \">= 5\"",
                    {},
                    {}},
          aws::region_field(),
          FieldSpec{"timeout",
                    FieldType::Duration,
                    false,
                    "give up on a poll after this (a Logs Insights query takes seconds)",
                    {},
                    "30s"},
      }},
      [](const common::Params& p) { return std::make_unique<LogsCloudWatchCheck>(p); }};
}

}  // namespace firedrill::validators
