#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "loadgen/load_config.hpp"
#include "loadgen/rate_schedule.hpp"
#include "loadgen/request_template.hpp"
#include "loadgen/tls_context.hpp"

namespace firedrill::loadgen {

// What the engine hands each worker; everything here is read-only while the run lasts.
struct WorkerSetup {
  const LoadConfig* config = nullptr;
  const std::vector<RequestTemplate>* templates = nullptr;
  const RateSchedule* schedule = nullptr;  // open loop only
  asio::ip::tcp::endpoint endpoint;
  std::string host;                 // for SNI and certificate verification
  const TlsContext* tls = nullptr;  // null for cleartext
  // This worker among all `worker_count` of the load, over every shard: it sends every
  // worker_count-th request of the schedule from the index-th.
  uint32_t index = 0;
  uint32_t worker_count = 1;
  uint32_t connections = 1;
  uint64_t quota = 0;            // closed loop -n share; 0 = until the end time
  uint64_t max_queue = 0;        // open loop queue bound of this worker
  int64_t start_ns = 0;          // steady-clock ns: the run starts (warmup included)
  int64_t measure_start_ns = 0;  // statistics count from here
  int64_t end_ns = 0;            // no request starts at or after this
};

}  // namespace firedrill::loadgen
