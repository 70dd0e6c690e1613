#pragma once
#include <atomic>
#include <functional>
#include <memory>

#include "loadgen/load_config.hpp"
#include "loadgen/load_stats.hpp"
#include "loadgen/request_template.hpp"
#include "loadgen/tls_context.hpp"
#include "loadgen/url.hpp"

namespace firedrill::loadgen {

// Where worker thread `thread` of a shard's `threads` stands among every worker of a load: it
// sends every count-th request of the schedule from the index-th. Shard i of N takes every N-th
// request from the i-th and its threads those in turn, so the shards together send each request
// of the schedule once, whatever number of threads each one runs.
struct WorkerPlace {
  uint32_t index;
  uint32_t count;
};
WorkerPlace worker_place(const Shard& shard, uint32_t thread, uint32_t threads);

// Runs one load test: splits connections, requests and rate across worker threads, reports a
// point per second while it runs, and merges the workers' statistics at the end.
class Engine {
 public:
  // Checks the configuration against the load rules (loadgen/load_rules.hpp) and prepares
  // requests and TLS; `threads` 0 is one per core. Throws common::ValueError naming every
  // violation when it cannot be run as given (nothing has been sent yet).
  explicit Engine(LoadConfig config);
  ~Engine();

  // Blocks until the run is done or stop() is called; with config.start_at, it first waits for
  // that instant (a stop() before it returns a result with nothing sent). `on_second` runs on the
  // calling thread.
  LoadResult run(const std::function<void(const TimeSeriesPoint&)>& on_second = {});
  // Safe from any thread and from a signal handler: the run ends within ~50 ms.
  void stop() { stop_requested_.store(true, std::memory_order_relaxed); }

 private:
  // False when stop() came first.
  bool wait_for_start_at() const;

  LoadConfig config_;
  Origin origin_;
  std::vector<RequestTemplate> templates_;
  std::vector<std::unique_ptr<TlsContext>> tls_;  // one per worker thread
  std::atomic<bool> stop_requested_{false};
};

}  // namespace firedrill::loadgen
