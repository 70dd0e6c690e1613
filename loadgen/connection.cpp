#include "loadgen/connection.hpp"

#include <netinet/tcp.h>

#include <algorithm>
#include <cstring>

#include "loadgen/http1_session.hpp"
#include "loadgen/http2_session.hpp"
#include "loadgen/tls_context.hpp"

namespace firedrill::loadgen {

namespace {
constexpr auto kMaxBackoff = std::chrono::seconds(1);
constexpr auto kFirstBackoff = std::chrono::milliseconds(5);
// Times a request the server refused unprocessed is sent again before it counts as an error: a
// server that refuses everything must not keep the client sending the same requests forever.
constexpr uint8_t kMaxRefusals = 3;
}  // namespace

Connection::Connection(ConnectionShared shared, ConnectionOwner& owner)
    : shared_(shared),
      owner_(owner),
      socket_(shared.io),
      timer_(shared.io),
      slots_(shared.setup.config->streams) {
  free_.reserve(slots_.size());
  refused_.reserve(slots_.size());
}

Connection::~Connection() {
  close_socket();
}

uint32_t Connection::free_slots() const {
  if (!ready()) return 0;
  uint32_t limit = session_->max_in_flight();
  return limit > in_flight_ ? limit - in_flight_ : 0;
}

void Connection::connect() {
  ++generation_;
  phase_ = Phase::Connecting;
  connect_started_ = shared_.clock.now();
  const auto& endpoint = shared_.setup.endpoint;
  boost::system::error_code ec;
  socket_.open(endpoint.protocol(), ec);
  if (ec) {
    fail(ErrorKind::ConnectError, "socket: " + ec.message());
    return;
  }
  uint64_t gen = generation_;
  socket_.async_connect(endpoint, [this, gen](const boost::system::error_code& e) {
    if (gen == generation_) on_connected(e);
  });
  timer_.expires_after(shared_.setup.config->connect_timeout);
  timer_.async_wait([this, gen](const boost::system::error_code& e) {
    if (e || gen != generation_ || (phase_ != Phase::Connecting && phase_ != Phase::Handshaking)) {
      return;
    }
    shared_.clock.update();
    fail(ErrorKind::ConnectTimeout, "no connection within the connect timeout");
    owner_.flush_dirty();
  });
}

void Connection::on_connected(const boost::system::error_code& ec) {
  shared_.clock.update();
  if (ec) {
    ErrorKind kind =
        ec == asio::error::connection_refused ? ErrorKind::ConnectRefused : ErrorKind::ConnectError;
    fail(kind, "connect: " + ec.message());
    owner_.flush_dirty();
    return;
  }
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);
  const TlsContext* tls = shared_.setup.tls;
  if (!tls) {
    transport_.attach(socket_.native_handle(), nullptr);
    Protocol p = shared_.setup.config->protocol;
    start_session(p == Protocol::H2 || p == Protocol::H2c);
    return;
  }
  transport_.attach(socket_.native_handle(),
                    tls->new_ssl(socket_.native_handle(), shared_.setup.host, established_once_));
  phase_ = Phase::Handshaking;
  continue_handshake();
}

void Connection::continue_handshake() {
  switch (transport_.handshake()) {
    case IoStatus::Ok:
      break;
    case IoStatus::WantRead:
      wait_readable();
      return;
    case IoStatus::WantWrite:
      wait_writable();
      return;
    default:
      fail(ErrorKind::Tls, "TLS handshake: " + tls_error_message(transport_.ssl()));
      owner_.flush_dirty();
      return;
  }
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(transport_.ssl(), &alpn, &alpn_len);
  bool h2 = alpn_len == 2 && std::memcmp(alpn, "h2", 2) == 0;
  if (!h2 && shared_.setup.config->protocol == Protocol::H2) {
    fail(ErrorKind::Tls, "the server did not agree to HTTP/2 through ALPN (try --protocol h1)");
    owner_.flush_dirty();
    return;
  }
  if (SSL_session_reused(transport_.ssl())) ++shared_.stats.tls_resumed;
  start_session(h2);
}

void Connection::start_session(bool h2) {
  timer_.cancel();
  uint32_t depth = static_cast<uint32_t>(slots_.size());
  SessionEvents& events = *this;
  if (h2) {
    session_ = std::make_unique<Http2Session>(events, depth);
  } else {
    session_ = std::make_unique<Http1Session>(events, depth);
  }
  // Requests refused on the previous connection keep their slots, to be sent on this one.
  free_.clear();
  for (uint32_t i = depth; i > 0; --i) {
    if (!slots_[i - 1].active) free_.push_back(i - 1);
  }
  phase_ = Phase::Ready;
  established_once_ = true;
  consecutive_failures_ = 0;
  shared_.stats.connect_time.record(static_cast<uint64_t>(shared_.clock.now() - connect_started_));
  owner_.on_connected(*this, h2 ? (transport_.tls() ? "h2" : "h2c") : "h1");
  owner_.mark_dirty(*this);  // the HTTP/2 preface and SETTINGS go out with the first requests
  offer_capacity();
  owner_.flush_dirty();
  if (phase_ != Phase::Ready) return;
  // TLS read-ahead may already hold the server's first frames, which the socket will not announce.
  if (transport_.has_buffered()) {
    on_readable();
  } else {
    wait_readable();
  }
}

bool Connection::submit(uint32_t request, int64_t intended_ns) {
  if (free_.empty()) return false;
  uint32_t slot = free_.back();
  const auto& templates = *shared_.setup.templates;
  if (!session_->submit(slot, templates[request], out_)) return false;
  free_.pop_back();
  InFlight& f = slots_[slot];
  f.intended = intended_ns;
  f.sent = shared_.clock.now();
  f.request = request;
  f.active = true;
  f.response_started = false;
  f.refusals = 0;
  ++in_flight_;
  owner_.mark_dirty(*this);
  return true;
}

void Connection::flush() {
  if (phase_ != Phase::Ready) return;
  session_->flush(out_);
  if (waiting_writable_) return;
  while (out_sent_ < out_.size()) {
    IoResult r = transport_.write(reinterpret_cast<const uint8_t*>(out_.data()) + out_sent_,
                                  out_.size() - out_sent_);
    if (r.status == IoStatus::Ok) {
      out_sent_ += r.bytes;
      shared_.stats.bytes_sent += r.bytes;
      continue;
    }
    if (r.status == IoStatus::WantWrite || r.status == IoStatus::WantRead) {
      wait_writable();
      return;
    }
    fail(ErrorKind::ConnectionReset,
         std::string("write: ") + (r.error ? std::strerror(r.error) : "TLS error"));
    return;
  }
  out_.clear();
  out_sent_ = 0;
  if (!session_->accepting() && open_streams() == 0) {
    // GOAWAY or "Connection: close" with nothing outstanding: a clean reconnect, no error; the
    // refused requests go out on the next connection.
    close_socket();
    reconnect_after(std::chrono::nanoseconds(0));
  }
}

void Connection::wait_readable() {
  uint64_t gen = generation_;
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [this, gen](const boost::system::error_code& e) {
                       if (e || gen != generation_) return;
                       if (phase_ == Phase::Handshaking) {
                         shared_.clock.update();
                         continue_handshake();
                         return;
                       }
                       on_readable();
                     });
}

void Connection::wait_writable() {
  if (waiting_writable_) return;
  waiting_writable_ = true;
  uint64_t gen = generation_;
  socket_.async_wait(asio::ip::tcp::socket::wait_write,
                     [this, gen](const boost::system::error_code& e) {
                       if (e || gen != generation_) return;
                       waiting_writable_ = false;
                       shared_.clock.update();
                       if (phase_ == Phase::Handshaking) {
                         continue_handshake();
                         return;
                       }
                       flush();
                       owner_.flush_dirty();
                     });
}

void Connection::on_readable() {
  shared_.clock.update();
  uint8_t* buf = shared_.read_buffer.data();
  const size_t cap = shared_.read_buffer.size();
  for (;;) {
    IoResult r = transport_.read(buf, cap);
    if (r.status == IoStatus::Ok) {
      shared_.stats.bytes_received += r.bytes;
      if (!session_->on_read(buf, r.bytes)) {
        fail(ErrorKind::Protocol, session_->error_message());
        owner_.flush_dirty();
        return;
      }
      // Drained the socket: skip the extra EAGAIN read.
      if (r.bytes < cap && !transport_.has_buffered()) break;
      continue;
    }
    if (r.status == IoStatus::WantRead) break;
    if (r.status == IoStatus::WantWrite) {
      wait_writable();
      break;
    }
    if (r.status == IoStatus::Eof) {
      session_->on_eof();
      if (open_streams() > 0) {
        fail(ErrorKind::ConnectionReset,
             "the server closed the connection with requests outstanding");
      } else {
        close_socket();
        reconnect_after(std::chrono::nanoseconds(0));
      }
      owner_.flush_dirty();
      return;
    }
    std::string why = r.error ? std::strerror(r.error) : tls_error_message(transport_.ssl());
    fail(r.error == 0 ? ErrorKind::Tls : ErrorKind::ConnectionReset, "read: " + why);
    owner_.flush_dirty();
    return;
  }
  if (phase_ != Phase::Ready) return;
  refill_freed();
  owner_.mark_dirty(*this);
  owner_.flush_dirty();
  if (phase_ == Phase::Ready) wait_readable();
}

void Connection::expire(int64_t deadline_ns) {
  if (phase_ != Phase::Ready || in_flight_ == 0) return;
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    InFlight& f = slots_[slot];
    if (!f.active || f.sent >= deadline_ns) continue;
    if (!f.refused && !session_->cancel(slot)) {
      // HTTP/1.1 cannot skip one response of a pipeline: the connection goes, and with it every
      // request on it, all cut off by this timeout.
      fail(ErrorKind::Timeout, "no response within the request timeout");
      return;
    }
    on_request_error(slot, ErrorKind::Timeout);
    owner_.mark_dirty(*this);
  }
  refill_freed();
}

void Connection::release(uint32_t slot) {
  InFlight& f = slots_[slot];
  if (f.refused) {
    refused_.erase(std::find(refused_.begin(), refused_.end(), slot));
    f.refused = false;
  }
  f.active = false;
  free_.push_back(slot);
  --in_flight_;
}

void Connection::offer_capacity() {
  const auto& templates = *shared_.setup.templates;
  uint32_t open = open_streams();
  size_t resent = 0;
  while (resent < refused_.size() && ready() && open < session_->max_in_flight()) {
    uint32_t slot = refused_[resent];
    InFlight& f = slots_[slot];
    if (!session_->submit(slot, templates[f.request], out_)) break;
    // The intended time stays: in open loop the wait for the retry is part of the latency.
    f.refused = false;
    f.sent = shared_.clock.now();
    f.response_started = false;
    ++resent;
    ++open;
  }
  if (resent > 0) {
    refused_.erase(refused_.begin(), refused_.begin() + static_cast<std::ptrdiff_t>(resent));
    owner_.mark_dirty(*this);
  }
  owner_.refill(*this);
}

void Connection::refill_freed() {
  if (!freed_ || phase_ != Phase::Ready) return;
  freed_ = false;
  offer_capacity();
}

void Connection::fail_all_in_flight(ErrorKind kind, const std::string& message) {
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (!slots_[slot].active) continue;
    owner_.on_request_error(slots_[slot].intended, kind, message);
    release(slot);
  }
}

void Connection::fail(ErrorKind kind, const std::string& message) {
  bool connecting = phase_ == Phase::Connecting || phase_ == Phase::Handshaking;
  fail_all_in_flight(kind, message);
  close_socket();
  if (connecting) {
    owner_.on_connect_failed(*this, kind, message);
    if (phase_ == Phase::Closed) return;  // the worker gave up on this target
    ++consecutive_failures_;
    auto backoff = kFirstBackoff * (1u << std::min(consecutive_failures_ - 1, 10u));
    reconnect_after(std::min<std::chrono::nanoseconds>(backoff, kMaxBackoff));
  } else {
    reconnect_after(std::chrono::nanoseconds(0));
  }
}

void Connection::close_socket() {
  ++generation_;
  boost::system::error_code ignored;
  timer_.cancel();
  transport_.reset();
  socket_.close(ignored);
  session_.reset();
  out_.clear();
  out_sent_ = 0;
  waiting_writable_ = false;
  freed_ = false;
  phase_ = Phase::Idle;
}

void Connection::shutdown() {
  close_socket();
  phase_ = Phase::Closed;
}

void Connection::reconnect_after(std::chrono::nanoseconds delay) {
  if (phase_ == Phase::Closed) return;
  if (delay.count() == 0) {
    uint64_t gen = generation_;
    asio::post(shared_.io, [this, gen] {
      if (gen == generation_ && phase_ == Phase::Idle) owner_.request_connect(*this);
    });
    return;
  }
  uint64_t gen = generation_;
  timer_.expires_after(delay);
  timer_.async_wait([this, gen](const boost::system::error_code& e) {
    if (!e && gen == generation_ && phase_ == Phase::Idle) {
      shared_.clock.update();
      owner_.request_connect(*this);
    }
  });
}

void Connection::on_response_start(uint32_t slot) {
  InFlight& f = slots_[slot];
  if (!f.response_started) {
    f.response_started = true;
    if (shared_.recording(f.intended)) {
      shared_.stats.ttfb.record(static_cast<uint64_t>(shared_.clock.now() - f.sent));
    }
  }
}

void Connection::on_response(uint32_t slot, int status, uint64_t body_bytes) {
  InFlight& f = slots_[slot];
  owner_.on_response(f.intended, f.sent, status, body_bytes);
  release(slot);
  freed_ = true;
}

void Connection::on_request_error(uint32_t slot, ErrorKind kind) {
  owner_.on_request_error(slots_[slot].intended, kind, std::string(error_kind_name(kind)));
  release(slot);
  freed_ = true;
}

void Connection::on_request_refused(uint32_t slot, ErrorKind kind) {
  InFlight& f = slots_[slot];
  if (f.refusals == kMaxRefusals) {
    on_request_error(slot, kind);
    return;
  }
  ++f.refusals;
  f.refused = true;
  refused_.push_back(slot);
  if (shared_.recording(f.intended)) ++shared_.stats.retried;
  freed_ = true;
}

void Connection::on_capacity() {
  freed_ = true;
}

}  // namespace firedrill::loadgen
