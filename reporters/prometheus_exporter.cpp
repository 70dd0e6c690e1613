#include "reporters/prometheus_exporter.hpp"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gateway.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <stdexcept>

#include "common/secret_values.hpp"

namespace firedrill::reporters {

using prometheus::Labels;

struct PrometheusExporter::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : responses(prometheus::BuildCounter()
                      .Name("firedrill_http_responses_total")
                      .Help("HTTP responses received, any status")
                      .Register(r)),
        errors(prometheus::BuildCounter()
                   .Name("firedrill_http_errors_total")
                   .Help("Responses with status >= 400, requests without a response, and "
                         "open-loop requests dropped")
                   .Register(r)),
        in_flight(prometheus::BuildGauge()
                      .Name("firedrill_http_in_flight")
                      .Help("Requests in flight at the end of the last second")
                      .Register(r)),
        latency(prometheus::BuildHistogram()
                    .Name("firedrill_http_latency_seconds")
                    .Help("Latency from the intended send time (coordinated-omission corrected)")
                    .Register(r)),
        check_state(prometheus::BuildGauge()
                        .Name("firedrill_check_passed")
                        .Help("1 passed, 0 pending, -1 failed or inconclusive")
                        .Register(r)),
        time_to_detect(
            prometheus::BuildGauge()
                .Name("firedrill_check_time_to_detect_seconds")
                .Help(
                    "Time from the start of the most recent fault's injection to the check passing")
                .Register(r)),
        faults_active(prometheus::BuildGauge()
                          .Name("firedrill_faults_active")
                          .Help("Faults injected and not yet reverted")
                          .Register(r)),
        verdict(prometheus::BuildGauge()
                    .Name("firedrill_drill_exit_code")
                    .Help("Exit code of the finished drill: 0 passed, 1 failed, 3 aborted, 4 "
                          "revert failed")
                    .Register(r)),
        duration(prometheus::BuildGauge()
                     .Name("firedrill_drill_duration_seconds")
                     .Help("Duration of the finished drill")
                     .Register(r)) {}

  prometheus::Family<prometheus::Counter>& responses;
  prometheus::Family<prometheus::Counter>& errors;
  prometheus::Family<prometheus::Gauge>& in_flight;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Family<prometheus::Gauge>& check_state;
  prometheus::Family<prometheus::Gauge>& time_to_detect;
  prometheus::Family<prometheus::Gauge>& faults_active;
  prometheus::Family<prometheus::Gauge>& verdict;
  prometheus::Family<prometheus::Gauge>& duration;
};

namespace {

prometheus::Histogram::BucketBoundaries second_buckets() {
  prometheus::Histogram::BucketBoundaries b;
  for (uint64_t ns : loadgen::kSecondBucketBounds) b.push_back(static_cast<double>(ns) / 1e9);
  return b;
}

}  // namespace

std::unique_ptr<LiveOutput> create_prometheus_exporter(const LiveSettings& settings) {
  if (settings.metrics_listen.empty() && settings.pushgateway.empty()) return nullptr;
  auto exporter = std::make_unique<PrometheusExporter>(settings.drill_name, settings.run_id,
                                                       settings.pushgateway);
  if (!settings.metrics_listen.empty()) exporter->listen(settings.metrics_listen);
  return exporter;
}

PrometheusExporter::PrometheusExporter(const std::string& drill, const std::string& run_id,
                                       std::string pushgateway)
    : drill_(common::secret_values().redact(drill)),
      run_id_(common::secret_values().redact(run_id)),
      pushgateway_(std::move(pushgateway)),
      registry_(std::make_shared<prometheus::Registry>()),
      metrics_(std::make_unique<Metrics>(*registry_)) {
  metrics_->faults_active.Add({{"drill", drill_}}).Set(0);
}

PrometheusExporter::~PrometheusExporter() = default;

void PrometheusExporter::listen(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& e) {
    throw std::runtime_error("--metrics-listen " + address + ": cannot listen: " + e.what());
  }
  exposer_->RegisterCollectable(registry_);
}

void PrometheusExporter::push(const std::string& url) {
  std::string rest = url;
  std::string scheme = "http://";
  if (rest.starts_with("http://")) {
    rest = rest.substr(7);
  } else if (rest.starts_with("https://")) {
    scheme = "https://";
    rest = rest.substr(8);
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("--pushgateway " + url + ": needs a port");
  std::lock_guard lock(mutex_);
  prometheus::Gateway gateway(scheme + rest.substr(0, colon), rest.substr(colon + 1), "firedrill",
                              {{"drill", drill_}, {"run", run_id_}});
  gateway.RegisterCollectable(registry_);
  int status = gateway.Push();
  if (status < 200 || status >= 300) {
    throw std::runtime_error("--pushgateway " + url + ": push failed (HTTP status " +
                             std::to_string(status) + ")");
  }
}

void PrometheusExporter::deliver(const RunResult&) {
  if (!pushgateway_.empty()) push(pushgateway_);
}

void PrometheusExporter::on_event(const TimelineEvent& e) {
  std::lock_guard lock(mutex_);
  auto& active = metrics_->faults_active.Add({{"drill", drill_}});
  if (e.type == EventType::FaultInjected) active.Increment();
  if (e.type == EventType::FaultReverted || e.type == EventType::FaultRevertFailed) {
    active.Decrement();
  }
}

void PrometheusExporter::on_load_second(const std::string& profile,
                                        const loadgen::TimeSeriesPoint& p) {
  std::lock_guard lock(mutex_);
  Labels labels = {{"drill", drill_}, {"profile", profile}};
  metrics_->responses.Add(labels).Increment(static_cast<double>(p.responses));
  metrics_->errors.Add(labels).Increment(static_cast<double>(p.errors));
  metrics_->in_flight.Add(labels).Set(static_cast<double>(p.in_flight));
  // Per-bucket increments from the cumulative counts; the +Inf bucket takes the rest.
  std::vector<double> increments;
  uint64_t previous = 0;
  for (uint64_t cumulative : p.latency_at_or_below) {
    increments.push_back(static_cast<double>(cumulative - previous));
    previous = cumulative;
  }
  increments.push_back(static_cast<double>(p.responses > previous ? p.responses - previous : 0));
  metrics_->latency.Add(labels, second_buckets()).ObserveMultiple(increments, p.latency_sum_s);
}

void PrometheusExporter::on_check(const CheckResult& c) {
  std::lock_guard lock(mutex_);
  // A check's description shows its command or URL, which may hold an interpolated secret.
  const common::SecretValues& secrets = common::secret_values();
  Labels labels = {{"drill", drill_},
                   {"step", secrets.redact(c.step)},
                   {"kind", c.kind},
                   {"check", secrets.redact(c.description)}};
  double state = c.verdict == CheckVerdict::Passed    ? 1
                 : c.verdict == CheckVerdict::Pending ? 0
                                                      : -1;
  metrics_->check_state.Add(labels).Set(state);
  if (c.time_to_detect_s) metrics_->time_to_detect.Add(labels).Set(*c.time_to_detect_s);
}

void PrometheusExporter::on_finish(const RunResult& result) {
  for (const auto& c : result.checks) on_check(c);
  std::lock_guard lock(mutex_);
  metrics_->verdict.Add({{"drill", drill_}}).Set(result.exit_code);
  metrics_->duration.Add({{"drill", drill_}}).Set(result.duration_s);
}

}  // namespace firedrill::reporters
