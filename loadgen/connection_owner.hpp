#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "common/asio.hpp"
#include "loadgen/load_stats.hpp"
#include "loadgen/loop_clock.hpp"
#include "loadgen/worker_setup.hpp"

namespace firedrill::loadgen {

class Connection;

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
