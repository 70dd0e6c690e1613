#include "loadgen/engine.hpp"

#include <thread>

#include "common/descriptor_limit.hpp"
#include "common/errors.hpp"
#include "loadgen/load_rules.hpp"
#include "loadgen/pacer.hpp"
#include "loadgen/second_series.hpp"
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

// From the workers' creation to their common start.
constexpr int64_t kStartUpNs = 20'000'000;

// When the workers start, start counting, and stop starting requests (steady clock, ns).
struct RunWindow {
  int64_t start_ns = 0;
  int64_t measure_start_ns = 0;
  int64_t end_ns = 0;
};

// Workers start together a little after now, so that thread start-up does not skew the
// schedule; `total` 0 runs until stopped or the request count is done.
RunWindow run_window(Duration warmup, Duration total) {
  RunWindow window;
  window.start_ns = steady_now_ns() + kStartUpNs;
  window.measure_start_ns = window.start_ns + warmup.count();
  window.end_ns = total.count() > 0 ? window.start_ns + total.count() : INT64_MAX / 2;
  return window;
}

// The wall-clock instant of a steady-clock one.
common::WallClock::time_point wall_time_at(int64_t steady_ns) {
  return common::WallClock::now() + std::chrono::duration_cast<common::WallClock::duration>(
                                        std::chrono::nanoseconds(steady_ns - steady_now_ns()));
}

// The schedule of an open loop (null for a closed one), with its intended count and pacing
// quantum in `result`; `total` becomes the schedule's length when no duration was given.
std::unique_ptr<RateSchedule> open_loop_schedule(const LoadConfig& config, LoadResult& result,
                                                 Duration& total) {
  if (!config.open_loop()) return nullptr;
  std::vector<common::Stage> stages = config.stages;
  if (stages.empty()) stages.push_back({total, *config.start_rate});
  auto schedule = std::make_unique<RateSchedule>(*config.start_rate, stages);
  result.intended_requests = schedule->expected_requests() / config.shard.count;
  result.pacer_quantum_ns =
      make_pacer(config.pacer, *schedule, config.shard.count * config.threads, 0)
          ->longest_quantum_ns();
  if (config.duration.count() == 0) total = schedule->total_duration();
  return schedule;
}

// This process's part of the load's connections, request count and queue (the first shards
// take the remainders).
struct ShardShare {
  uint64_t connections;
  uint64_t max_requests;
  uint64_t max_queue;
};
ShardShare shard_share(const LoadConfig& config) {
  const Shard& s = config.shard;
  return {share(config.connections, s.count, s.index), share(config.max_requests, s.count, s.index),
          share(config.max_queue, s.count, s.index)};
}

// Thread `thread`'s share of its shard (the first threads take the remainders), its place among
// every worker of the load, and the run's instants.
WorkerSetup worker_share(const LoadConfig& config, uint32_t thread, const RunWindow& window) {
  const ShardShare part = shard_share(config);
  WorkerSetup setup;
  setup.config = &config;
  const WorkerPlace place = worker_place(config.shard, thread, config.threads);
  setup.index = place.index;
  setup.worker_count = place.count;
  setup.connections = static_cast<uint32_t>(share(part.connections, config.threads, thread));
  setup.quota = share(part.max_requests, config.threads, thread);
  setup.max_queue = share(part.max_queue, config.threads, thread);
  setup.start_ns = window.start_ns;
  setup.measure_start_ns = window.measure_start_ns;
  setup.end_ns = window.end_ns;
  return setup;
}

// The workers' statistics, summed, and the run's length from the start of measurement to the
// last worker's end.
void merge_workers(const std::vector<std::unique_ptr<Worker>>& workers, int64_t measure_start,
                   LoadResult& result) {
  bool all_unreachable = true;
  int64_t finished = measure_start;
  for (const auto& w : workers) {
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
}

}  // namespace

WorkerPlace worker_place(const Shard& shard, uint32_t thread, uint32_t threads) {
  return {shard.index + shard.count * thread, shard.count * threads};
}

Engine::Engine(LoadConfig config) : config_(std::move(config)) {
  if (auto violations = check_load(values_of(config_)); !violations.empty()) {
    throw common::ValueError(describe(violations));
  }
  if (config_.threads == 0) config_.threads = std::max(1u, std::thread::hardware_concurrency());
  // No thread without a connection or, with -n, without a request of its own.
  const ShardShare part = shard_share(config_);
  config_.threads = static_cast<uint32_t>(std::min<uint64_t>(config_.threads, part.connections));
  if (part.max_requests > 0) {
    config_.threads = static_cast<uint32_t>(std::min<uint64_t>(config_.threads, part.max_requests));
  }
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

bool Engine::wait_for_start_at() const {
  if (!config_.start_at) return true;
  const auto due = *config_.start_at - std::chrono::nanoseconds(kStartUpNs);
  for (auto now = common::WallClock::now(); now < due; now = common::WallClock::now()) {
    if (stop_requested_.load(std::memory_order_relaxed)) return false;
    std::this_thread::sleep_for(
        std::min<common::WallClock::duration>(due - now, std::chrono::milliseconds(50)));
  }
  return true;
}

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

  Duration total = config_.warmup + config_.duration;
  const std::unique_ptr<RateSchedule> schedule = open_loop_schedule(config_, result, total);
  if (!wait_for_start_at()) return result;
  const RunWindow window = run_window(config_.warmup, total);
  result.started_at = wall_time_at(window.start_ns);
  if (config_.start_at) {
    result.start_late_s =
        std::max(0.0, std::chrono::duration<double>(result.started_at - *config_.start_at).count());
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t i = 0; i < config_.threads; ++i) {
    WorkerSetup setup = worker_share(config_, i, window);
    setup.templates = &templates_;
    setup.schedule = schedule.get();
    setup.endpoint = *endpoints.begin();
    setup.host = origin_.host;
    if (origin_.tls) setup.tls = tls_[i].get();
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
  SecondSeries series(workers.size(), schedule.get(), config_.shard.count, on_second);
  auto collect = [&] {
    for (size_t i = 0; i < workers.size(); ++i) series.add(i, workers[i]->take_intervals());
  };
  bool stopped = false;
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stop_requested_.load(std::memory_order_relaxed) && !stopped) {
      stopped = true;
      for (auto& w : workers) w->request_stop();
    }
    collect();
    series.emit(false, result.series);
  }
  for (auto& t : threads) t.join();
  collect();
  series.emit(true, result.series);
  merge_workers(workers, window.measure_start_ns, result);
  return result;
}

}  // namespace firedrill::loadgen
