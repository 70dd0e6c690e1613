#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "loadgen/load_config.hpp"
#include "loadgen/load_stats.hpp"
#include "loadgen/rate_schedule.hpp"
#include "loadgen/request_template.hpp"
#include "loadgen/tls_context.hpp"

namespace firedrill::loadgen {

class Connection;

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

int64_t steady_now_ns();

// The loop's clock, read once at the start of each handler: the events of one wake share one
// instant, and the hot path makes one clock call a wake.
class LoopClock {
 public:
  int64_t now() const { return now_; }
  void update() { now_ = steady_now_ns(); }

 private:
  int64_t now_ = 0;
};

// What the connections of one worker share with it, on the worker's thread.
struct ConnectionShared {
  asio::io_context& io;
  const WorkerSetup& setup;
  LoopClock& clock;
  std::span<uint8_t> read_buffer;  // one per worker: a read is consumed before the next
  LoadStats& stats;
  // Warmup requests are sent but not counted.
  bool recording(int64_t intended_ns) const { return intended_ns >= setup.measure_start_ns; }
};

// All that a connection tells the worker that owns it. The worker decides what is sent and when;
// a connection reports how its requests ended and, once a read or a timeout pass is over (never
// from inside the session's parser), asks to be refilled. So a request's path reads one way:
// the worker submits, the connection writes, reads and reports, the worker submits again.
class ConnectionOwner {
 public:
  // Starts `c` connecting now, or once fewer of the worker's connections are connecting.
  virtual void request_connect(Connection& c) = 0;
  virtual void on_connected(Connection& c, const std::string& protocol) = 0;
  virtual void on_connect_failed(Connection& c, ErrorKind kind, const std::string& message) = 0;
  // Each submitted request ends once: a response, or an error.
  virtual void on_response(int64_t intended, int64_t sent, int status, uint64_t body) = 0;
  virtual void on_request_error(int64_t intended, ErrorKind kind, const std::string& message) = 0;
  // `c` has free slots: it is newly ready, or requests ended during its last read or timeout pass.
  virtual void refill(Connection& c) = 0;
  // `c` has output to write; flush_dirty() writes every such connection's, once a handler.
  virtual void mark_dirty(Connection& c) = 0;
  virtual void flush_dirty() = 0;

 protected:
  ~ConnectionOwner() = default;
};

}  // namespace firedrill::loadgen
