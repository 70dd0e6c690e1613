#pragma once
#include <nghttp2/nghttp2.h>

#include <vector>

#include "loadgen/session.hpp"

namespace firedrill::loadgen {

// HTTP/2 client session on nghttp2 (the library h2load uses), driven through its memory
// interface: no socket callbacks, so the connection owns all I/O and batching.
class Http2Session final : public Session {
 public:
  Http2Session(SessionEvents& events, uint32_t streams);
  ~Http2Session() override;
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  uint32_t max_in_flight() const override;
  bool accepting() const override { return accepting_; }
  bool submit(uint32_t slot, const RequestTemplate& request, std::string& out) override;
  void flush(std::string& out) override;
  bool on_read(const uint8_t* data, size_t len) override;
  void on_eof() override;
  bool cancel(uint32_t slot) override;
  const std::string& error_message() const override { return error_; }

 private:
  struct Stream {
    int32_t id = 0;
    int status = 0;
    uint64_t body_bytes = 0;
    const RequestTemplate* request = nullptr;
    size_t body_sent = 0;
    bool cancelled = false;
  };

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                       size_t namelen, const uint8_t* value, size_t valuelen, uint8_t flags,
                       void* self);
  static int on_data_chunk(nghttp2_session*, uint8_t flags, int32_t stream_id, const uint8_t* data,
                           size_t len, void* self);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* self);
  static ssize_t read_body(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                           uint32_t* data_flags, nghttp2_data_source* source, void* self);

  Stream* stream_of(int32_t stream_id);

  SessionEvents& events_;
  uint32_t streams_;
  nghttp2_session* session_ = nullptr;
  std::vector<Stream> slots_;
  bool accepting_ = true;
  bool goaway_ = false;
  int32_t goaway_last_stream_ = 0;
  std::string error_;
};

}  // namespace firedrill::loadgen
