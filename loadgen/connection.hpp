#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "loadgen/connection_owner.hpp"
#include "loadgen/session.hpp"
#include "loadgen/transport.hpp"

namespace firedrill::loadgen {

// One client connection slot of a worker: connects (and reconnects after failures with backoff),
// negotiates TLS/ALPN, runs a Session, and tracks the timing of each in-flight request. It never
// decides what to send: its owner's load model does.
class Connection final : private SessionEvents {
 public:
  Connection(ConnectionShared shared, ConnectionOwner& owner);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Owner only: the owner paces connection attempts (ConnectionOwner::request_connect).
  void connect();
  bool idle() const { return phase_ == Phase::Idle; }
  // Ends the connection for good; in-flight requests are left to the caller to count.
  void shutdown();

  bool ready() const { return phase_ == Phase::Ready && session_->accepting(); }
  uint32_t free_slots() const;
  // Requests this connection holds, those waiting to be sent again included.
  uint32_t in_flight() const { return in_flight_; }
  // Starts request `request` intended at `intended_ns` (== now in closed loop). Needs a free slot.
  // Never called from inside this connection's own events: they end before it refills.
  bool submit(uint32_t request, int64_t intended_ns);
  // Writes what the session has queued; called by the worker once per event-loop turn.
  void flush();
  // Times out requests sent before `deadline_ns`.
  void expire(int64_t deadline_ns);

  // Worker bookkeeping, kept here to avoid a lookup per request.
  bool dirty = false;      // has unflushed output
  bool available = false;  // listed as having free slots
  bool failed_once = false;

 private:
  enum class Phase { Idle, Connecting, Handshaking, Ready, Closed };
  struct InFlight {
    int64_t intended = 0;
    int64_t sent = 0;
    uint32_t request = 0;
    bool active = false;
    bool response_started = false;
    bool refused = false;  // not processed by the server; waits in refused_ to be sent again
    uint8_t refusals = 0;
  };

  void on_connected(const boost::system::error_code& ec);
  void continue_handshake();
  void start_session(bool h2);
  void wait_readable();
  void wait_writable();
  void on_readable();
  // Connection-level failure: fails in-flight requests with `kind` and reconnects after backoff.
  void fail(ErrorKind kind, const std::string& message);
  void close_socket();
  void reconnect_after(std::chrono::nanoseconds delay);
  void release(uint32_t slot);
  // Streams open in the session: the requests in flight but for those waiting to be sent again.
  uint32_t open_streams() const { return in_flight_ - static_cast<uint32_t>(refused_.size()); }
  // Sends refused requests again, oldest first, as far as the session's limit allows, then offers
  // what is left to the owner.
  void offer_capacity();
  // After a read or a timeout pass: offers the slots its events freed, once.
  void refill_freed();
  void fail_all_in_flight(ErrorKind kind, const std::string& message);

  void on_response_start(uint32_t slot) override;
  void on_response(uint32_t slot, int status, uint64_t body_bytes) override;
  void on_request_error(uint32_t slot, ErrorKind kind) override;
  void on_request_refused(uint32_t slot, ErrorKind kind) override;
  void on_capacity() override;

  ConnectionShared shared_;
  ConnectionOwner& owner_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;  // connect timeout, reconnect backoff
  Transport transport_;
  std::unique_ptr<Session> session_;
  Phase phase_ = Phase::Idle;
  uint64_t generation_ = 0;  // handlers of an earlier socket carry an older generation
  int64_t connect_started_ = 0;
  uint32_t consecutive_failures_ = 0;
  bool established_once_ = false;  // later connects are reconnects, which resume TLS sessions
  bool waiting_writable_ = false;
  // A request ended, or the session allows more, during the current read or timeout pass: refill
  // once that is over.
  bool freed_ = false;
  std::vector<InFlight> slots_;
  std::vector<uint32_t> free_;     // free slot indices
  std::vector<uint32_t> refused_;  // slots whose request waits to be sent again, oldest first
  uint32_t in_flight_ = 0;
  std::string out_;
  size_t out_sent_ = 0;
};

}  // namespace firedrill::loadgen
