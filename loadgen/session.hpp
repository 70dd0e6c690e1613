#pragma once
#include <cstdint>
#include <string>

#include "loadgen/load_stats.hpp"
#include "loadgen/request_template.hpp"

namespace firedrill::loadgen {

// What a protocol session tells the connection it runs on. A slot is the connection's index of
// one in-flight request; the session hands it back with each event. Events come from inside
// on_read and on_eof: they must not call back into the session (submit), which the connection
// does once the read is over.
class SessionEvents {
 public:
  virtual void on_response_start(uint32_t slot) = 0;
  virtual void on_response(uint32_t slot, int status, uint64_t body_bytes) = 0;
  virtual void on_request_error(uint32_t slot, ErrorKind kind) = 0;
  // The server did not process the request in `slot` (HTTP/2 REFUSED_STREAM, or a GOAWAY below
  // its stream), so it is safe to send again (RFC 9113 section 8.7); `kind` is what it counts as
  // if it is not.
  virtual void on_request_refused(uint32_t slot, ErrorKind kind) { on_request_error(slot, kind); }
  // The session may now have more requests in flight than before, with none of them ending (the
  // server raised SETTINGS_MAX_CONCURRENT_STREAMS).
  virtual void on_capacity() {}

 protected:
  ~SessionEvents() = default;
};

// HTTP/1.1 and HTTP/2 behind one interface (as h2load does): the connection moves bytes, the
// session turns requests into bytes and bytes into events. Output is appended to `out`, which the
// connection writes to the socket once per event-loop turn.
class Session {
 public:
  virtual ~Session() = default;

  // Requests this session can have in flight right now.
  virtual uint32_t max_in_flight() const = 0;
  // False once no new request may start (GOAWAY, Connection: close, stream ids exhausted).
  virtual bool accepting() const = 0;
  // Starts a request in `slot`. False if the session cannot take it after all.
  virtual bool submit(uint32_t slot, const RequestTemplate& request, std::string& out) = 0;
  // Serialises whatever the protocol has queued (HTTP/2 frames) into `out`.
  virtual void flush(std::string& out) = 0;
  // Feeds received bytes. False on a fatal protocol error (see error_message()).
  virtual bool on_read(const uint8_t* data, size_t len) = 0;
  // The peer closed the connection cleanly; may complete a close-delimited response.
  virtual void on_eof() = 0;
  // Abandons the request in `slot` (timeout). False if only closing the connection can do that.
  virtual bool cancel(uint32_t slot) = 0;
  virtual const std::string& error_message() const = 0;
};

}  // namespace firedrill::loadgen
