#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "loadgen/connection.hpp"
#include "loadgen/connection_owner.hpp"
#include "loadgen/load_stats.hpp"
#include "loadgen/pacer.hpp"
#include "loadgen/request_mix.hpp"

namespace firedrill::loadgen {

// Connections of one worker that may connect (TCP and TLS handshake) at once. OpenSSL holds a
// ~22 KiB handshake buffer per connection until its handshake ends, and a server meets a burst of
// thousands of handshakes with a queue of its own anyway: ten thousand at once only made the
// client's memory peak and stretched every connect time with queueing, without connecting faster.
constexpr size_t kMaxConnectingPerThread = 1000;

// Counts of one second of the run, [start + second, start + second + 1 s): each response and error
// counts in the second it happened in. Handed from the worker thread to the engine once that
// second has ended, so a second is never reported half-filled and the next one doubled.
struct IntervalSample {
  uint64_t second = 0;
  uint64_t responses = 0;
  uint64_t errors = 0;
  uint64_t in_flight = 0;  // at the end of the second
  LatencyHistogram latency;
};

// What a worker handed over since the previous take: the seconds that ended, oldest first, and
// whether the worker has finished (it reports no further second).
struct IntervalBatch {
  std::vector<IntervalSample> seconds;
  bool finished = false;
};

// One thread's share of the load: its own io_context, connections, load model and stats. Nothing
// here is shared with other workers except the interval mailbox (locked once a second).
class Worker final : private ConnectionOwner {
 public:
  explicit Worker(WorkerSetup setup);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs the event loop on the calling thread until the worker's share is done or stopped.
  void run();
  // Thread-safe: stop starting requests and finish now; in-flight requests count as abandoned.
  void request_stop();
  // Thread-safe: the seconds that ended since the previous call.
  IntervalBatch take_intervals();

  // After run() returned.
  const LoadStats& stats() const { return stats_; }
  bool unreachable() const { return unreachable_; }
  const std::string& unreachable_reason() const { return unreachable_reason_; }
  const std::string& negotiated() const { return negotiated_; }
  int64_t finished_ns() const { return finished_ns_; }

 private:
  // ConnectionOwner: what its connections tell it.
  void request_connect(Connection& c) override;
  void on_connected(Connection& c, const std::string& protocol) override;
  void on_connect_failed(Connection& c, ErrorKind kind, const std::string& message) override;
  void on_response(int64_t intended, int64_t sent, int status, uint64_t body) override;
  void on_request_error(int64_t intended, ErrorKind kind, const std::string& message) override;
  void refill(Connection& c) override;
  void mark_dirty(Connection& c) override;
  void flush_dirty() override;

  void start_queued_connects();
  void end_connect();
  // Submits on `c`, counting the request as started and in flight. False if `c` cannot take it.
  bool send(Connection& c, uint32_t request, int64_t intended);
  // An error of a request that never reached a connection (queued past its timeout, dropped).
  void count_error(int64_t intended, ErrorKind kind, const std::string& message);
  bool recording(int64_t intended_ns) const { return intended_ns >= setup_.measure_start_ns; }
  int64_t now() const { return clock_.now(); }

  struct Queued {
    int64_t intended;
    uint32_t request;
  };

  bool open_loop() const { return setup_.schedule != nullptr; }
  bool may_start() const;
  void fill_closed_loop(Connection& c);
  void on_schedule_timer();
  void arm_schedule_timer(int64_t at_ns);
  void dispatch_open_loop(int64_t intended);
  void record_send_lag(int64_t intended);
  void on_tick();
  // The second now() falls in, after handing every second that ended to the mailbox.
  IntervalSample& interval() {
    if (now() >= interval_end_ns_) publish_ended_intervals();
    return interval_;
  }
  void publish_ended_intervals();
  void check_done();
  void finish();

  WorkerSetup setup_;
  asio::io_context io_{1};
  asio::steady_timer tick_timer_;
  asio::steady_timer schedule_timer_;
  std::vector<uint8_t> read_buffer_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> dirty_;
  std::deque<Connection*> connect_queue_;  // waiting to connect, oldest first
  size_t connecting_ = 0;                  // connecting or in the TLS handshake
  bool starting_connects_ = false;
  std::vector<Connection*> available_;  // may hold stale entries; checked when popped
  RequestMix mix_;
  LoadStats stats_;
  IntervalSample interval_;
  int64_t interval_end_ns_ = 0;
  LoopClock clock_;
  int64_t tick_ns_ = 0;
  uint64_t to_start_ = 0;  // closed loop -n: requests this worker may still start
  uint64_t in_flight_ = 0;
  std::optional<PacedArrivals> paced_;  // open loop: this worker's requests and wakes
  bool schedule_done_ = false;
  bool finishing_ = false;
  bool ever_connected_ = false;
  uint32_t first_failures_ = 0;
  bool unreachable_ = false;
  std::string unreachable_reason_;
  std::string negotiated_;
  int64_t finished_ns_ = 0;
  std::vector<Queued> queue_;  // ring buffer of waiting open-loop requests
  size_t queue_head_ = 0;
  size_t queue_size_ = 0;

  std::mutex mailbox_mutex_;
  IntervalBatch mailbox_;
};

}  // namespace firedrill::loadgen
