#include "loadgen/http2_session.hpp"

#include <algorithm>
#include <cstring>

namespace firedrill::loadgen {

namespace {

enum FrameType : uint8_t {
  kData = 0x0,
  kHeaders = 0x1,
  kRstStream = 0x3,
  kSettings = 0x4,
  kPushPromise = 0x5,
  kPing = 0x6,
  kGoaway = 0x7,
  kWindowUpdate = 0x8,
  kContinuation = 0x9,
};
constexpr uint8_t kEndStream = 0x1;
constexpr uint8_t kAck = 0x1;
constexpr uint8_t kEndHeaders = 0x4;
constexpr uint8_t kPadded = 0x8;
constexpr uint8_t kPriority = 0x20;

constexpr uint32_t kNoError = 0x0;
constexpr uint32_t kProtocolError = 0x1;
constexpr uint32_t kFlowControlError = 0x3;
constexpr uint32_t kRefusedStream = 0x7;
constexpr uint32_t kCancel = 0x8;

constexpr uint16_t kSettingsHeaderTableSize = 0x1;
constexpr uint16_t kSettingsEnablePush = 0x2;
constexpr uint16_t kSettingsMaxConcurrentStreams = 0x3;
constexpr uint16_t kSettingsInitialWindowSize = 0x4;
constexpr uint16_t kSettingsMaxFrameSize = 0x5;

// The frame size this client accepts: the protocol default, never raised in its SETTINGS.
constexpr uint32_t kMaxFrameSize = 16384;
constexpr int64_t kMaxWindow = 0x7fffffff;
constexpr int64_t kMaxStreamId = 0x7fffffff;
// Large receive windows so that flow control never throttles a load test (h2load does the same);
// WINDOW_UPDATE goes out once half of a window is used.
constexpr uint32_t kRecvWindow = (1u << 30) - 1;
constexpr uint32_t kDefaultWindow = 65535;
// A header block this large is an attack or a bug, not a response worth measuring.
constexpr size_t kMaxHeaderBlock = 1 << 20;

constexpr char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

uint32_t read_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void append_u32(std::string& out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(bytes, 4);
}

void append_frame_header(std::string& out, size_t length, uint8_t type, uint8_t flags,
                         int32_t stream) {
  const char bytes[5] = {static_cast<char>(length >> 16), static_cast<char>(length >> 8),
                         static_cast<char>(length), static_cast<char>(type),
                         static_cast<char>(flags)};
  out.append(bytes, 5);
  append_u32(out, static_cast<uint32_t>(stream));
}

void append_window_update(std::string& out, int32_t stream, uint32_t increment) {
  append_frame_header(out, 4, kWindowUpdate, 0, stream);
  append_u32(out, increment);
}

void append_rst_stream(std::string& out, int32_t stream, uint32_t error_code) {
  append_frame_header(out, 4, kRstStream, 0, stream);
  append_u32(out, error_code);
}

void append_setting(std::string& out, uint16_t id, uint32_t value) {
  out.push_back(static_cast<char>(id >> 8));
  out.push_back(static_cast<char>(id));
  append_u32(out, value);
}

// Removes the Pad Length field and the padding (RFC 9113 section 6.1): false if they do not fit.
bool strip_padding(uint8_t flags, const uint8_t*& payload, size_t& len) {
  if (!(flags & kPadded)) return true;
  if (len < 1) return false;
  size_t pad = payload[0];
  if (pad >= len) return false;
  ++payload;
  len -= 1 + pad;
  return true;
}

}  // namespace

Http2Session::Http2Session(SessionEvents& events, uint32_t streams)
    : events_(events), slots_(streams), ids_(streams) {
  control_.append(kPreface, sizeof(kPreface) - 1);
  append_frame_header(control_, 12, kSettings, 0, 0);
  append_setting(control_, kSettingsEnablePush, 0);
  append_setting(control_, kSettingsInitialWindowSize, kRecvWindow);
  append_window_update(control_, 0, kRecvWindow - kDefaultWindow);
}

uint32_t Http2Session::max_in_flight() const {
  return std::min(static_cast<uint32_t>(slots_.size()), peer_max_streams_);
}

bool Http2Session::submit(uint32_t slot, const RequestTemplate& request, std::string& out) {
  if (!accepting_) return false;
  if (next_stream_id_ > kMaxStreamId) {
    accepting_ = false;  // this connection has used all 2^31 stream ids
    return false;
  }
  // The preface (and anything else owed) must precede the first HEADERS.
  out += control_;
  control_.clear();
  Stream& s = slots_[slot];
  s = Stream{};
  s.id = static_cast<int32_t>(next_stream_id_);
  next_stream_id_ += 2;
  s.request = &request;
  s.send_window = peer_initial_window_;
  ids_.insert(s.id, slot);

  block_.clear();
  encoder_.encode(request.h2_fields, request.index, block_);
  const std::string& block = block_;
  const uint8_t end_stream = request.body.empty() ? kEndStream : 0;
  size_t first = std::min<size_t>(block.size(), peer_max_frame_);
  append_frame_header(out, first, kHeaders, end_stream | (first == block.size() ? kEndHeaders : 0),
                      s.id);
  out.append(block, 0, first);
  for (size_t at = first; at < block.size();) {
    size_t n = std::min<size_t>(block.size() - at, peer_max_frame_);
    append_frame_header(out, n, kContinuation, at + n == block.size() ? kEndHeaders : 0, s.id);
    out.append(block, at, n);
    at += n;
  }
  if (!request.body.empty() && !send_body(s, out)) pending_bodies_.push_back({slot, s.id});
  return true;
}

bool Http2Session::send_body(Stream& s, std::string& out) {
  const std::string& body = s.request->body;
  while (s.body_sent < body.size()) {
    int64_t allowed = std::min({s.send_window, connection_send_window_, int64_t{peer_max_frame_}});
    if (allowed <= 0) return false;
    size_t n = std::min(static_cast<size_t>(allowed), body.size() - s.body_sent);
    bool last = s.body_sent + n == body.size();
    append_frame_header(out, n, kData, last ? kEndStream : 0, s.id);
    out.append(body, s.body_sent, n);
    s.body_sent += n;
    s.send_window -= static_cast<int64_t>(n);
    connection_send_window_ -= static_cast<int64_t>(n);
  }
  return true;
}

void Http2Session::flush(std::string& out) {
  out += control_;
  control_.clear();
  // Bodies whose stream has since ended (or whose slot holds a newer stream) are dropped.
  auto done = [&](const PendingBody& p) {
    Stream& s = slots_[p.slot];
    return s.id != p.id || send_body(s, out);
  };
  pending_bodies_.erase(std::remove_if(pending_bodies_.begin(), pending_bodies_.end(), done),
                        pending_bodies_.end());
}

bool Http2Session::on_read(const uint8_t* data, size_t len) {
  if (!error_.empty()) return false;
  while (len > 0) {
    if (state_ == ReadState::FrameHeader) {
      size_t n = std::min(len, sizeof(header_bytes_) - header_have_);
      std::memcpy(header_bytes_ + header_have_, data, n);
      header_have_ += n;
      data += n;
      len -= n;
      if (header_have_ < sizeof(header_bytes_)) return true;
      header_have_ = 0;
      if (!begin_frame()) return false;
      continue;
    }
    size_t n = std::min(len, remaining_);
    if (state_ == ReadState::Data) {
      count_data(n);
      data += n;
      len -= n;
      remaining_ -= n;
      if (remaining_ == 0 && !end_data()) return false;
      continue;
    }
    if (payload_.empty() && n == remaining_) {
      // The whole payload is in this read: handle it in place, without a copy.
      state_ = ReadState::FrameHeader;
      remaining_ = 0;
      data += n;
      len -= n;
      if (!on_frame(data - n, n)) return false;
      continue;
    }
    payload_.append(reinterpret_cast<const char*>(data), n);
    data += n;
    len -= n;
    remaining_ -= n;
    if (remaining_ == 0) {
      state_ = ReadState::FrameHeader;
      std::string payload = std::move(payload_);
      payload_.clear();
      if (!on_frame(reinterpret_cast<const uint8_t*>(payload.data()), payload.size())) {
        return false;
      }
    }
  }
  return true;
}

bool Http2Session::begin_frame() {
  const uint8_t* h = header_bytes_;
  frame_.length = (uint32_t{h[0]} << 16) | (uint32_t{h[1]} << 8) | h[2];
  frame_.type = h[3];
  frame_.flags = h[4];
  frame_.stream = static_cast<int32_t>(read_u32(h + 5) & 0x7fffffff);
  if (frame_.length > kMaxFrameSize) {
    return connection_error(
        "a frame of " + std::to_string(frame_.length) + " bytes exceeds the maximum of 16384",
        "FRAME_SIZE_ERROR");
  }
  if (continuation_stream_ != 0 &&
      (frame_.type != kContinuation || frame_.stream != continuation_stream_)) {
    return connection_error("a header block was interrupted by another frame", "PROTOCOL_ERROR");
  }
  remaining_ = frame_.length;
  if (frame_.type == kData && !(frame_.flags & kPadded)) {
    // Unpadded DATA is counted as it streams in: no need to hold a 16 KiB payload.
    if (!start_data()) return false;
    state_ = ReadState::Data;
    return remaining_ > 0 || end_data();
  }
  state_ = ReadState::Payload;
  if (remaining_ > 0) return true;
  state_ = ReadState::FrameHeader;
  return on_frame(nullptr, 0);
}

bool Http2Session::start_data() {
  if (frame_.stream == 0) return connection_error("DATA on stream 0", "PROTOCOL_ERROR");
  data_stream_ = frame_.stream;
  data_slot_ = ids_.find(frame_.stream);
  // Flow control counts the whole frame, padding included, whatever became of the stream.
  connection_recv_unacked_ += frame_.length;
  if (data_slot_ >= 0) slots_[data_slot_].recv_unacked += frame_.length;
  return true;
}

void Http2Session::count_data(size_t len) {
  // A stream cancelled (and its slot reused) while its DATA was arriving counts nothing more.
  if (data_slot_ >= 0 && slots_[data_slot_].id == data_stream_)
    slots_[data_slot_].body_bytes += len;
}

bool Http2Session::end_data() {
  state_ = ReadState::FrameHeader;
  if (connection_recv_unacked_ >= kRecvWindow / 2) {
    append_window_update(control_, 0, connection_recv_unacked_);
    connection_recv_unacked_ = 0;
  }
  if (data_slot_ < 0 || slots_[data_slot_].id != data_stream_) return true;
  auto slot = static_cast<uint32_t>(data_slot_);
  Stream& s = slots_[slot];
  if (frame_.flags & kEndStream) {
    end_response(slot);
  } else if (s.recv_unacked >= kRecvWindow / 2) {
    append_window_update(control_, s.id, s.recv_unacked);
    s.recv_unacked = 0;
  }
  return true;
}

bool Http2Session::on_frame(const uint8_t* payload, size_t len) {
  switch (frame_.type) {
    case kData:
      return on_data(payload, len);
    case kHeaders:
      return on_headers(payload, len);
    case kContinuation:
      return on_continuation(payload, len);
    case kRstStream:
      return on_rst_stream(payload, len);
    case kSettings:
      return on_settings(payload, len);
    case kPing:
      return on_ping(payload, len);
    case kGoaway:
      return on_goaway(payload, len);
    case kWindowUpdate:
      return on_window_update(payload, len);
    case kPushPromise:
      return connection_error("PUSH_PROMISE although this client disabled server push",
                              "PROTOCOL_ERROR");
    default:
      return true;  // PRIORITY and unknown frame types are ignored (RFC 9113 section 5.5)
  }
}

bool Http2Session::on_data(const uint8_t* payload, size_t len) {
  // Only padded DATA lands here; unpadded DATA streams through count_data().
  if (!start_data()) return false;
  if (!strip_padding(frame_.flags, payload, len)) {
    return connection_error("DATA padding longer than the frame", "PROTOCOL_ERROR");
  }
  count_data(len);
  return end_data();
}

bool Http2Session::on_headers(const uint8_t* payload, size_t len) {
  if (frame_.stream == 0) return connection_error("HEADERS on stream 0", "PROTOCOL_ERROR");
  if (!strip_padding(frame_.flags, payload, len)) {
    return connection_error("HEADERS padding longer than the frame", "PROTOCOL_ERROR");
  }
  if (frame_.flags & kPriority) {
    if (len < 5) return connection_error("HEADERS too short for its priority", "FRAME_SIZE_ERROR");
    payload += 5;
    len -= 5;
  }
  bool end_stream = frame_.flags & kEndStream;
  if (frame_.flags & kEndHeaders) return on_header_block(frame_.stream, end_stream, payload, len);
  header_block_.assign(reinterpret_cast<const char*>(payload), len);
  continuation_stream_ = frame_.stream;
  continuation_end_stream_ = end_stream;
  return true;
}

bool Http2Session::on_continuation(const uint8_t* payload, size_t len) {
  if (continuation_stream_ == 0) {
    return connection_error("CONTINUATION without a header block to continue", "PROTOCOL_ERROR");
  }
  if (header_block_.size() + len > kMaxHeaderBlock) {
    return connection_error("a header block larger than 1 MiB", "PROTOCOL_ERROR");
  }
  header_block_.append(reinterpret_cast<const char*>(payload), len);
  if (!(frame_.flags & kEndHeaders)) return true;
  int32_t id = continuation_stream_;
  continuation_stream_ = 0;
  std::string block = std::move(header_block_);
  header_block_ = std::string();
  return on_header_block(id, continuation_end_stream_,
                         reinterpret_cast<const uint8_t*>(block.data()), block.size());
}

bool Http2Session::on_header_block(int32_t id, bool end_stream, const uint8_t* block, size_t len) {
  // Every block is decoded, even for a stream this side cancelled: the HPACK table must follow
  // the server's.
  status_field_ = 0;
  if (!decoder_.decode(block, len, *this)) {
    return connection_error("header compression: " + decoder_.error(), "COMPRESSION_ERROR");
  }
  int64_t found = ids_.find(id);
  if (found < 0) return true;
  auto slot = static_cast<uint32_t>(found);
  Stream& s = slots_[slot];
  if (!s.headers_seen) {
    s.headers_seen = true;
    events_.on_response_start(slot);
  }
  // Interim 1xx responses are followed by the final one; only the final status counts.
  if (status_field_ >= 200 && s.status == 0) s.status = status_field_;
  if (end_stream) end_response(slot);
  return true;
}

void Http2Session::on_field(std::string_view name, std::string_view value) {
  if (name != ":status" || value.size() != 3) return;
  status_field_ = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
}

void Http2Session::close_stream(Stream& s) {
  ids_.erase(s.id);
  s.id = 0;
}

void Http2Session::end_response(uint32_t slot) {
  Stream& s = slots_[slot];
  // A server may answer before the whole request body went out (RFC 9113 section 8.1): the rest
  // is not wanted, and without END_STREAM or a reset the stream stays open on the server and
  // holds one of its concurrent streams.
  if (s.body_sent < s.request->body.size()) append_rst_stream(control_, s.id, kNoError);
  complete(slot);
}

void Http2Session::complete(uint32_t slot) {
  Stream& s = slots_[slot];
  close_stream(s);
  if (s.status != 0) {
    events_.on_response(slot, s.status, s.body_bytes);
  } else {
    events_.on_request_error(slot, ErrorKind::Protocol);  // ended without a final status
  }
}

void Http2Session::fail_stream(uint32_t slot, ErrorKind kind) {
  close_stream(slots_[slot]);
  events_.on_request_error(slot, kind);
}

void Http2Session::refuse_stream(uint32_t slot, ErrorKind kind) {
  close_stream(slots_[slot]);
  events_.on_request_refused(slot, kind);
}

void Http2Session::reset_stream(uint32_t slot, uint32_t error_code, ErrorKind kind) {
  append_rst_stream(control_, slots_[slot].id, error_code);
  fail_stream(slot, kind);
}

bool Http2Session::on_rst_stream(const uint8_t* payload, size_t len) {
  if (len != 4) return connection_error("RST_STREAM of the wrong length", "FRAME_SIZE_ERROR");
  if (frame_.stream == 0) return connection_error("RST_STREAM on stream 0", "PROTOCOL_ERROR");
  int64_t found = ids_.find(frame_.stream);
  if (found < 0) return true;
  auto slot = static_cast<uint32_t>(found);
  uint32_t code = read_u32(payload);
  if (code == kNoError && slots_[slot].status != 0) {
    complete(slot);  // the server had answered and needs no more of the request
  } else if (code == kRefusedStream) {
    refuse_stream(slot, ErrorKind::StreamReset);
  } else {
    fail_stream(slot, code == kNoError ? ErrorKind::Protocol : ErrorKind::StreamReset);
  }
  return true;
}

bool Http2Session::on_settings(const uint8_t* payload, size_t len) {
  if (frame_.stream != 0) return connection_error("SETTINGS on a stream", "PROTOCOL_ERROR");
  if (frame_.flags & kAck) {
    return len == 0 || connection_error("SETTINGS ACK with a payload", "FRAME_SIZE_ERROR");
  }
  if (len % 6 != 0) return connection_error("SETTINGS of a wrong length", "FRAME_SIZE_ERROR");
  const uint32_t could_open = max_in_flight();
  for (size_t at = 0; at < len; at += 6) {
    auto id = static_cast<uint16_t>((payload[at] << 8) | payload[at + 1]);
    uint32_t value = read_u32(payload + at + 2);
    if (id == kSettingsHeaderTableSize) {
      encoder_.set_peer_table_size(value);
    } else if (id == kSettingsMaxConcurrentStreams) {
      peer_max_streams_ = value;
    } else if (id == kSettingsInitialWindowSize) {
      if (value > kMaxWindow) {
        return connection_error("SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1", "FLOW_CONTROL_ERROR");
      }
      // The change applies to every open stream's window (RFC 9113 section 6.9.2).
      int64_t delta = int64_t{value} - peer_initial_window_;
      peer_initial_window_ = value;
      for (Stream& s : slots_) {
        if (s.id != 0) s.send_window += delta;
      }
    } else if (id == kSettingsMaxFrameSize) {
      if (value < 16384 || value > 16777215) {
        return connection_error("SETTINGS_MAX_FRAME_SIZE outside 16384..16777215",
                                "PROTOCOL_ERROR");
      }
      peer_max_frame_ = value;
    }
  }
  append_frame_header(control_, 0, kSettings, kAck, 0);
  // A raise must reach the connection now: with no stream open, no response would ever tell it.
  if (max_in_flight() > could_open) events_.on_capacity();
  return true;
}

bool Http2Session::on_ping(const uint8_t* payload, size_t len) {
  if (frame_.stream != 0) return connection_error("PING on a stream", "PROTOCOL_ERROR");
  if (len != 8) return connection_error("PING of the wrong length", "FRAME_SIZE_ERROR");
  if (frame_.flags & kAck) return true;
  append_frame_header(control_, 8, kPing, kAck, 0);
  control_.append(reinterpret_cast<const char*>(payload), 8);
  return true;
}

bool Http2Session::on_goaway(const uint8_t* payload, size_t len) {
  if (frame_.stream != 0) return connection_error("GOAWAY on a stream", "PROTOCOL_ERROR");
  if (len < 8) return connection_error("GOAWAY too short", "FRAME_SIZE_ERROR");
  accepting_ = false;
  auto last = static_cast<int32_t>(read_u32(payload) & 0x7fffffff);
  // Streams above the last id were never processed and never will be (RFC 9113 section 6.8).
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (slots_[slot].id > last) refuse_stream(slot, ErrorKind::Goaway);
  }
  return true;
}

bool Http2Session::on_window_update(const uint8_t* payload, size_t len) {
  if (len != 4) return connection_error("WINDOW_UPDATE of the wrong length", "FRAME_SIZE_ERROR");
  uint32_t increment = read_u32(payload) & 0x7fffffff;
  if (frame_.stream == 0) {
    if (increment == 0) return connection_error("WINDOW_UPDATE of 0", "PROTOCOL_ERROR");
    connection_send_window_ += increment;
    if (connection_send_window_ > kMaxWindow) {
      return connection_error("the connection window grew past 2^31-1", "FLOW_CONTROL_ERROR");
    }
    return true;
  }
  int64_t found = ids_.find(frame_.stream);
  if (found < 0) return true;
  auto slot = static_cast<uint32_t>(found);
  Stream& s = slots_[slot];
  s.send_window += increment;
  if (increment == 0) {
    reset_stream(slot, kProtocolError, ErrorKind::Protocol);
  } else if (s.send_window > kMaxWindow) {
    reset_stream(slot, kFlowControlError, ErrorKind::Protocol);
  }
  return true;
}

void Http2Session::on_eof() {
  accepting_ = false;
}

bool Http2Session::cancel(uint32_t slot) {
  Stream& s = slots_[slot];
  if (s.id == 0) return true;
  append_rst_stream(control_, s.id, kCancel);
  close_stream(s);
  return true;
}

bool Http2Session::connection_error(const std::string& what, const char* code) {
  accepting_ = false;
  error_ = "HTTP/2: " + what + " (" + code + ")";
  return false;
}

}  // namespace firedrill::loadgen
