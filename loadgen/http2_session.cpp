#include "loadgen/http2_session.hpp"

#include <algorithm>
#include <cstring>

namespace firedrill::loadgen {

namespace {

// Large windows so that flow control never throttles a load test (h2load does the same).
constexpr int32_t kWindowSize = (1 << 30) - 1;

}  // namespace

Http2Session::Http2Session(SessionEvents& events, uint32_t streams)
    : events_(events), streams_(streams), slots_(streams) {
  nghttp2_session_callbacks* cb;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &Http2Session::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, &Http2Session::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Http2Session::on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Http2Session::on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Http2Session::on_stream_close);
  nghttp2_session_client_new(&session_, cb, this);
  nghttp2_session_callbacks_del(cb);

  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kWindowSize)},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kWindowSize);
}

Http2Session::~Http2Session() {
  nghttp2_session_del(session_);
}

uint32_t Http2Session::max_in_flight() const {
  uint32_t peer =
      nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  return std::min(streams_, peer);
}

Http2Session::Stream* Http2Session::stream_of(int32_t stream_id) {
  auto tag = reinterpret_cast<uintptr_t>(nghttp2_session_get_stream_user_data(session_, stream_id));
  if (tag == 0) return nullptr;
  // A cancelled stream's slot may already carry a newer request: match the stream id too.
  Stream* s = &slots_[tag - 1];
  return s->id == stream_id ? s : nullptr;
}

bool Http2Session::submit(uint32_t slot, const RequestTemplate& request, std::string&) {
  if (!accepting_) return false;
  Stream& s = slots_[slot];
  s = Stream{};
  s.request = &request;
  nghttp2_data_provider body{};
  body.read_callback = &Http2Session::read_body;
  int32_t id = nghttp2_submit_request(
      session_, nullptr, request.h2_headers.data(), request.h2_headers.size(),
      request.body.empty() ? nullptr : &body, reinterpret_cast<void*>(uintptr_t{slot} + 1));
  if (id < 0) {
    // NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE: this connection has used all 2^31 stream ids.
    accepting_ = false;
    return false;
  }
  s.id = id;
  return true;
}

void Http2Session::flush(std::string& out) {
  for (;;) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) {
    accepting_ = false;
  }
}

bool Http2Session::on_read(const uint8_t* data, size_t len) {
  ssize_t rv = nghttp2_session_mem_recv(session_, data, len);
  if (rv < 0) {
    error_ = std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(rv));
    return false;
  }
  return true;
}

void Http2Session::on_eof() {
  accepting_ = false;
}

bool Http2Session::cancel(uint32_t slot) {
  Stream& s = slots_[slot];
  s.cancelled = true;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_CANCEL);
  return true;
}

int Http2Session::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<Http2Session*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_RESPONSE) return 0;
  Stream* s = self->stream_of(frame->hd.stream_id);
  if (s && !s->cancelled)
    self->events_.on_response_start(static_cast<uint32_t>(s - &self->slots_[0]));
  return 0;
}

int Http2Session::on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                            size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                            void* user) {
  auto* self = static_cast<Http2Session*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || namelen != 7 || std::memcmp(name, ":status", 7) != 0) {
    return 0;
  }
  Stream* s = self->stream_of(frame->hd.stream_id);
  if (!s || valuelen != 3) return 0;
  int status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
  // Interim 1xx responses are followed by the final one; only the final status counts.
  if (status >= 200) s->status = status;
  return 0;
}

int Http2Session::on_data_chunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t*,
                                size_t len, void* user) {
  auto* self = static_cast<Http2Session*>(user);
  if (Stream* s = self->stream_of(stream_id)) s->body_bytes += len;
  return 0;
}

int Http2Session::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<Http2Session*>(user);
  if (frame->hd.type == NGHTTP2_GOAWAY) {
    self->accepting_ = false;
    self->goaway_ = true;
    self->goaway_last_stream_ = frame->goaway.last_stream_id;
  }
  return 0;
}

int Http2Session::on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code,
                                  void* user) {
  auto* self = static_cast<Http2Session*>(user);
  Stream* s = self->stream_of(stream_id);
  if (!s || s->cancelled) return 0;
  auto slot = static_cast<uint32_t>(s - &self->slots_[0]);
  if (error_code == NGHTTP2_NO_ERROR && s->status != 0) {
    self->events_.on_response(slot, s->status, s->body_bytes);
  } else if (self->goaway_ && stream_id > self->goaway_last_stream_) {
    self->events_.on_request_error(slot, ErrorKind::Goaway);
  } else if (error_code == NGHTTP2_NO_ERROR) {
    self->events_.on_request_error(slot, ErrorKind::Protocol);
  } else {
    self->events_.on_request_error(slot, ErrorKind::StreamReset);
  }
  return 0;
}

ssize_t Http2Session::read_body(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                                uint32_t* data_flags, nghttp2_data_source*, void* user) {
  auto* self = static_cast<Http2Session*>(user);
  Stream* s = self->stream_of(stream_id);
  if (!s) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  const std::string& body = s->request->body;
  size_t n = std::min(length, body.size() - s->body_sent);
  std::memcpy(buf, body.data() + s->body_sent, n);
  s->body_sent += n;
  if (s->body_sent == body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

}  // namespace firedrill::loadgen
