#include "loadgen/engine.hpp"

#include <map>
#include <thread>

#include "common/descriptor_limit.hpp"
#include "common/errors.hpp"
#include "loadgen/load_rules.hpp"
#include "loadgen/pacer.hpp"
#include "loadgen/worker.hpp"

namespace firedrill::loadgen {

namespace {

constexpr int64_t kSecond = 1'000'000'000;

std::vector<std::string> alpn_offer(Protocol protocol) {
  switch (protocol) {
    case Protocol::H1:
      return {"http/1.1"};
    case Protocol::H2:
      return {"h2"};
    default:
      return {"h2", "http/1.1"};
  }
}

// Share `total` over `parts`, the first ones taking the remainder.
uint64_t share(uint64_t total, uint32_t parts, uint32_t index) {
  return total / parts + (index < total % parts ? 1 : 0);
}

// "connections: expected a whole number from 1 to 1000000; ...": every violation, in the
// config's own names.
std::string describe(const std::vector<LoadViolation>& violations) {
  std::string text;
  for (const auto& v : violations) {
    if (!text.empty()) text += "; ";
    if (v.field == LoadField::Requests && v.request) {
      text += "request " + std::to_string(*v.request + 1) + " " + v.message;
    } else {
      text += std::string(field_name(v.field)) +
              (v.kind == ViolationKind::Value ? ": expected " : ": ") + v.message;
    }
  }
  return text;
}

}  // namespace

Engine::Engine(LoadConfig config) : config_(std::move(config)) {
  if (auto violations = check_load(values_of(config_)); !violations.empty()) {
    throw common::ValueError(describe(violations));
  }
  if (config_.threads == 0) config_.threads = std::max(1u, std::thread::hardware_concurrency());
  config_.threads = std::min(config_.threads, config_.connections);
  origin_ = parse_url(config_.requests.front().url).origin;
  templates_ = build_request_templates(config_.requests, origin_);
  if (origin_.tls) {
    for (uint32_t i = 0; i < config_.threads; ++i) {
      tls_.push_back(std::make_unique<TlsContext>(config_.tls, alpn_offer(config_.protocol)));
    }
  }
  if (config_.open_loop() && config_.max_queue == 0) {
    // Enough to absorb a stall of a second at the peak target rate before dropping.
    double peak = *config_.start_rate;
    for (const auto& s : config_.stages) peak = std::max(peak, s.target_rps);
    config_.max_queue = std::max<uint64_t>(1000, static_cast<uint64_t>(peak));
  }
}

Engine::~Engine() = default;

LoadResult Engine::run(const std::function<void(const TimeSeriesPoint&)>& on_second) {
  common::raise_descriptor_limit();
  LoadResult result;
  result.config = config_;

  asio::io_context resolver_io;
  asio::ip::tcp::resolver resolver(resolver_io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(origin_.host, std::to_string(origin_.port), ec);
  if (ec || endpoints.empty()) {
    result.unreachable = true;
    result.unreachable_reason = "cannot resolve " + origin_.host + ": " + ec.message();
    return result;
  }

  std::unique_ptr<RateSchedule> schedule;
  Duration total = config_.warmup + config_.duration;
  if (config_.open_loop()) {
    std::vector<common::Stage> stages = config_.stages;
    if (stages.empty()) stages.push_back({total, *config_.start_rate});
    schedule = std::make_unique<RateSchedule>(*config_.start_rate, stages);
    result.intended_requests = schedule->expected_requests();
    result.pacer_quantum_ns =
        make_pacer(config_.pacer, *schedule, config_.threads, 0)->longest_quantum_ns();
    if (config_.duration.count() == 0) total = schedule->total_duration();
  }

  // Workers start together a little later, so that thread start-up does not skew the schedule.
  int64_t start = steady_now_ns() + 20'000'000;
  int64_t measure_start = start + config_.warmup.count();
  int64_t end = total.count() > 0 ? start + total.count() : INT64_MAX / 2;

  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t i = 0; i < config_.threads; ++i) {
    WorkerSetup setup;
    setup.config = &config_;
    setup.templates = &templates_;
    setup.schedule = schedule.get();
    setup.endpoint = *endpoints.begin();
    setup.host = origin_.host;
    if (origin_.tls) setup.tls = tls_[i].get();
    setup.index = i;
    setup.worker_count = config_.threads;
    setup.connections = static_cast<uint32_t>(share(config_.connections, config_.threads, i));
    setup.quota = share(config_.max_requests, config_.threads, i);
    setup.max_queue = share(config_.max_queue, config_.threads, i);
    setup.start_ns = start;
    setup.measure_start_ns = measure_start;
    setup.end_ns = end;
    workers.push_back(std::make_unique<Worker>(std::move(setup)));
  }

  std::atomic<uint32_t> running{config_.threads};
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&running, worker = w.get()] {
      worker->run();
      running.fetch_sub(1);
    });
  }

  // A second goes into the series once every worker has handed it over (or finished): seconds
  // are complete when reported, whatever the phase of each worker's tick against this loop.
  struct SecondTotals {
    TimeSeriesPoint point;
    LatencyHistogram latency;
  };
  std::map<uint64_t, SecondTotals> pending;
  std::vector<uint64_t> reported(workers.size(), 0);  // seconds each worker has handed over
  std::vector<bool> finished_workers(workers.size(), false);
  uint64_t next_second = 0;
  auto collect = [&] {
    for (size_t i = 0; i < workers.size(); ++i) {
      IntervalBatch batch = workers[i]->take_intervals();
      for (IntervalSample& s : batch.seconds) {
        SecondTotals& t = pending[s.second];
        t.point.responses += s.responses;
        t.point.errors += s.errors;
        t.point.in_flight += s.in_flight;
        t.latency.merge(s.latency);
        reported[i] = s.second + 1;
      }
      finished_workers[i] = batch.finished;
    }
  };
  auto emit = [&](bool all_done) {
    for (auto it = pending.begin(); it != pending.end() && it->first == next_second;) {
      for (size_t i = 0; i < workers.size() && !all_done; ++i) {
        if (reported[i] <= next_second && !finished_workers[i]) return;
      }
      TimeSeriesPoint& point = it->second.point;
      const LatencyHistogram& merged = it->second.latency;
      point.elapsed_s = static_cast<double>(next_second + 1);
      point.p50_ns = merged.value_at_quantile(0.5);
      point.p99_ns = merged.value_at_quantile(0.99);
      for (size_t b = 0; b < kSecondBucketBounds.size(); ++b) {
        point.latency_at_or_below[b] = merged.count_at_or_below(kSecondBucketBounds[b]);
      }
      point.latency_sum_s = merged.mean() * static_cast<double>(merged.count()) / 1e9;
      if (schedule) point.target_rps = schedule->rate_at(Duration((next_second + 1) * kSecond));
      result.series.push_back(point);
      if (on_second) on_second(point);
      it = pending.erase(it);
      ++next_second;
    }
  };

  bool stopped = false;
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stop_requested_.load(std::memory_order_relaxed) && !stopped) {
      stopped = true;
      for (auto& w : workers) w->request_stop();
    }
    collect();
    emit(false);
  }
  for (auto& t : threads) t.join();
  collect();
  emit(true);

  bool all_unreachable = true;
  int64_t finished = measure_start;
  for (auto& w : workers) {
    result.stats.merge(w->stats());
    all_unreachable = all_unreachable && w->unreachable();
    if (result.negotiated.empty()) result.negotiated = w->negotiated();
    if (w->unreachable() && result.unreachable_reason.empty()) {
      result.unreachable_reason = w->unreachable_reason();
    }
    finished = std::max(finished, w->finished_ns());
  }
  result.unreachable = all_unreachable;
  result.duration_s = static_cast<double>(finished - measure_start) / kSecond;
  return result;
}

}  // namespace firedrill::loadgen
