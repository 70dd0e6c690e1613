#include "scenarios/threshold_evaluation.hpp"

#include <fmt/format.h>

namespace firedrill::scenarios {

namespace {

double quantile_of(const std::string& suffix) {
  if (suffix == "p50") return 0.5;
  if (suffix == "p75") return 0.75;
  if (suffix == "p90") return 0.9;
  if (suffix == "p95") return 0.95;
  if (suffix == "p99") return 0.99;
  if (suffix == "p99.9") return 0.999;
  return -1;
}

double latency_metric(const loadgen::LatencyHistogram& h, const std::string& suffix) {
  if (suffix == "avg") return h.mean() / 1e9;
  if (suffix == "max") return static_cast<double>(h.max()) / 1e9;
  return static_cast<double>(h.value_at_quantile(quantile_of(suffix))) / 1e9;
}

bool holds(ThresholdOp op, double observed, double limit) {
  switch (op) {
    case ThresholdOp::Less:
      return observed < limit;
    case ThresholdOp::LessEqual:
      return observed <= limit;
    case ThresholdOp::Greater:
      return observed > limit;
    case ThresholdOp::GreaterEqual:
      return observed >= limit;
  }
  return false;
}

}  // namespace

reporters::ThresholdResult evaluate_threshold(const Threshold& t,
                                              const std::vector<reporters::LoadRun>& loads) {
  loadgen::LoadStats stats;
  double duration = 0;
  for (const auto& run : loads) {
    if (!t.profile.empty() && run.profile != t.profile) continue;
    stats.merge(run.result.stats);
    duration += run.result.duration_s;
  }
  reporters::ThresholdResult r;
  r.metric = t.metric;
  r.expression = t.expression;
  r.profile = t.profile;
  const std::string latency = "http.latency.";
  const std::string service = "http.service_time.";
  if (t.metric.starts_with(latency)) {
    r.observed = latency_metric(stats.latency, t.metric.substr(latency.size()));
    r.observed_text = fmt::format("{:.3f}ms", r.observed * 1e3);
  } else if (t.metric.starts_with(service)) {
    r.observed = latency_metric(stats.service_time, t.metric.substr(service.size()));
    r.observed_text = fmt::format("{:.3f}ms", r.observed * 1e3);
  } else if (t.metric == "http.errors.rate") {
    uint64_t bad = stats.failed + stats.errored;
    r.observed = stats.completed() ? static_cast<double>(bad) / stats.completed() : 0;
    r.observed_text = fmt::format("{:.3f}% ({} of {})", r.observed * 100, bad, stats.completed());
  } else if (t.metric == "http.errors.count") {
    r.observed = static_cast<double>(stats.failed + stats.errored);
    r.observed_text = fmt::format("{}", stats.failed + stats.errored);
  } else if (t.metric == "http.requests") {
    r.observed = static_cast<double>(stats.completed());
    r.observed_text = fmt::format("{}", stats.completed());
  } else if (t.metric == "http.rps") {
    r.observed = duration > 0 ? stats.responses() / duration : 0;
    r.observed_text = fmt::format("{:.1f} req/s", r.observed);
  } else if (t.metric == "http.dropped") {
    r.observed = static_cast<double>(stats.dropped);
    r.observed_text = fmt::format("{}", stats.dropped);
  }
  // A threshold on traffic that never happened proves nothing: it fails.
  r.passed = stats.completed() > 0 && holds(t.op, r.observed, t.value);
  if (stats.completed() == 0) r.observed_text = "no requests completed";
  return r;
}

}  // namespace firedrill::scenarios
