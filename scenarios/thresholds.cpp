#include "scenarios/thresholds.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/errors.hpp"
#include "scenarios/drill_format.hpp"
#include "scenarios/load_profiles.hpp"

namespace firedrill::scenarios {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<double> plain_number(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> value_in_unit(MetricUnit unit, std::string_view text) {
  try {
    switch (unit) {
      case MetricUnit::Seconds:
        return static_cast<double>(common::parse_duration(text).count()) / 1e9;
      case MetricUnit::PerSecond:
        return common::parse_rate(text);
      case MetricUnit::Ratio:
        if (text.ends_with('%')) {
          auto percent = plain_number(trim(text.substr(0, text.size() - 1)));
          if (!percent || *percent > 100) return std::nullopt;
          return *percent / 100;
        }
        if (auto ratio = plain_number(text); ratio && *ratio <= 1) return ratio;
        return std::nullopt;
      case MetricUnit::Count:
        return plain_number(text);
    }
  } catch (const common::ValueError&) {
  }
  return std::nullopt;
}

std::string unit_hint(MetricUnit unit) {
  switch (unit) {
    case MetricUnit::Seconds:
      return "a duration, like \"< 500ms\"";
    case MetricUnit::Ratio:
      return "a percentage or a ratio from 0 to 1, like \"< 1%\" or \"< 0.01\"";
    case MetricUnit::PerSecond:
      return "a rate, like \">= 900\" or \">= 900/s\"";
    case MetricUnit::Count:
      return "a number, like \"< 10\"";
  }
  return "";
}

struct ThresholdReader {
  YamlReader& r;
  const std::vector<std::string>& profiles;

  std::optional<Threshold> expression(const std::string& metric, const Value& v) {
    const MetricUnit unit = metric_unit(metric);
    const std::string expected = "an operator (<, <=, > or >=) and " + unit_hint(unit);
    auto s = r.scalar(v, expected);
    if (!s) return std::nullopt;
    auto parsed = parse_threshold_expression(metric, s->value);
    if (!parsed) {
      r.error(v.at, "expected " + expected + ", got " + s->shown());
      return std::nullopt;
    }
    Threshold t;
    t.metric = metric;
    t.expression = std::string(trim(s->value));
    t.op = parsed->op;
    t.value = parsed->value;
    t.at = v.at;
    return t;
  }

  std::optional<Threshold> with_options(const std::string& metric, const Value& v) {
    auto e =
        r.map(v, "a threshold like \"< 500ms\" or {threshold: \"< 500ms\", abortOnFail: true}");
    if (!e) return std::nullopt;
    const size_t errors_before = r.error_count();
    r.check_keys(*e, threshold_decl());
    std::optional<Threshold> t;
    if (const Field* f = e->find("threshold")) t = expression(metric, f->value);
    std::string profile;
    if (const Field* f = e->find("profile")) {
      if (auto name = r.string(f->value)) {
        profile = *name;
        if (std::find(profiles.begin(), profiles.end(), *name) == profiles.end()) {
          r.error(f->value.at, unknown_profile(*name, profiles));
        }
      }
    }
    bool abort_on_fail = false;
    if (const Field* f = e->find("abortOnFail")) {
      if (auto b = r.boolean(f->value)) abort_on_fail = *b;
    }
    if (!t || r.error_count() != errors_before) return std::nullopt;
    t->profile = profile;
    t->abort_on_fail = abort_on_fail;
    return t;
  }
};

}  // namespace

std::optional<ThresholdExpression> parse_threshold_expression(const std::string& metric,
                                                              std::string_view text) {
  text = trim(text);
  ThresholdExpression out;
  size_t op_length = 1;
  if (text.starts_with("<=")) {
    out.op = ThresholdOp::LessEqual;
    op_length = 2;
  } else if (text.starts_with(">=")) {
    out.op = ThresholdOp::GreaterEqual;
    op_length = 2;
  } else if (text.starts_with("<")) {
    out.op = ThresholdOp::Less;
  } else if (text.starts_with(">")) {
    out.op = ThresholdOp::Greater;
  } else {
    return std::nullopt;
  }
  auto value = value_in_unit(metric_unit(metric), trim(text.substr(op_length)));
  if (!value) return std::nullopt;
  out.value = *value;
  return out;
}

std::vector<Threshold> parse_thresholds(YamlReader& reader, const Value& value,
                                        const std::vector<std::string>& profiles) {
  std::vector<Threshold> out;
  auto entries = reader.map(value, "thresholds by metric, like {http.latency.p99: \"< 500ms\"}");
  if (!entries) return out;
  reader.check_keys(*entries, thresholds_decl());
  ThresholdReader read{reader, profiles};
  for (const auto& f : entries->fields) {
    if (!thresholds_decl().find(f.key)) continue;
    std::vector<Value> items;
    if (f.value.node.IsSequence()) {
      auto listed = reader.list(f.value, "a list of thresholds");
      if (!listed) continue;
      items = std::move(*listed);
      if (items.empty()) reader.error(f.value.at, "give at least one threshold");
    } else {
      items.push_back(f.value);
    }
    for (const auto& item : items) {
      auto t = item.node.IsMap() ? read.with_options(f.key, item) : read.expression(f.key, item);
      if (t) out.push_back(std::move(*t));
    }
  }
  return out;
}

}  // namespace firedrill::scenarios
