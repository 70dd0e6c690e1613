#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/hpack_decoder.hpp"
#include "loadgen/hpack_encoder.hpp"
#include "loadgen/session.hpp"
#include "loadgen/stream_slot_map.hpp"

namespace firedrill::loadgen {

// The client half of HTTP/2 (RFC 9113), written for load: requests go out as HPACK blocks of
// indexes into what the connection's first request put in the server's table (RequestTemplate::
// h2_fields), and responses are decoded only as far as the status, the body length and the HPACK
// table need. A general-purpose library spends more CPU per
// request (header copies and validation, per-stream allocations, per-request compression) and
// keeps ~11 KiB per connection; this session keeps what its streams need, so tens of thousands
// of connections stay cheap.
class Http2Session final : public Session, private HpackFieldSink {
 public:
  Http2Session(SessionEvents& events, uint32_t streams);
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
    int32_t id = 0;  // 0: no open stream in this slot
    int status = 0;
    bool headers_seen = false;
    uint32_t recv_unacked = 0;  // DATA received since this stream's last WINDOW_UPDATE
    uint64_t body_bytes = 0;
    const RequestTemplate* request = nullptr;
    size_t body_sent = 0;
    int64_t send_window = 0;
  };
  struct PendingBody {
    uint32_t slot;
    int32_t id;
  };
  struct FrameHeader {
    uint32_t length = 0;
    uint8_t type = 0;
    uint8_t flags = 0;
    int32_t stream = 0;
  };
  enum class ReadState : uint8_t { FrameHeader, Payload, Data };

  bool begin_frame();
  bool on_frame(const uint8_t* payload, size_t len);
  bool on_data(const uint8_t* payload, size_t len);
  bool on_headers(const uint8_t* payload, size_t len);
  bool on_continuation(const uint8_t* payload, size_t len);
  bool on_header_block(int32_t id, bool end_stream, const uint8_t* block, size_t len);
  bool on_rst_stream(const uint8_t* payload, size_t len);
  bool on_settings(const uint8_t* payload, size_t len);
  bool on_ping(const uint8_t* payload, size_t len);
  bool on_goaway(const uint8_t* payload, size_t len);
  bool on_window_update(const uint8_t* payload, size_t len);
  void on_field(std::string_view name, std::string_view value) override;

  bool start_data();
  void count_data(size_t len);
  bool end_data();
  void end_response(uint32_t slot);
  void complete(uint32_t slot);
  void close_stream(Stream& s);
  void fail_stream(uint32_t slot, ErrorKind kind);
  void refuse_stream(uint32_t slot, ErrorKind kind);
  void reset_stream(uint32_t slot, uint32_t error_code, ErrorKind kind);
  bool send_body(Stream& s, std::string& out);
  bool connection_error(const std::string& what, const char* code);

  SessionEvents& events_;
  std::vector<Stream> slots_;
  StreamSlotMap ids_;
  HpackDecoder decoder_;
  HpackRequestEncoder encoder_;
  std::string block_;    // the header block being sent
  std::string control_;  // frames the session owes the peer (preface, ACKs, WINDOW_UPDATE, RST)
  std::vector<PendingBody> pending_bodies_;  // request bodies held back by flow control

  ReadState state_ = ReadState::FrameHeader;
  uint8_t header_bytes_[9] = {};
  size_t header_have_ = 0;
  FrameHeader frame_;
  size_t remaining_ = 0;  // payload bytes of the current frame still to come
  std::string payload_;   // a frame payload split across reads
  int32_t data_stream_ = 0;
  int64_t data_slot_ = -1;
  std::string header_block_;  // HEADERS + CONTINUATION fragments of an unfinished block
  int32_t continuation_stream_ = 0;
  bool continuation_end_stream_ = false;
  int status_field_ = 0;

  int64_t next_stream_id_ = 1;
  uint32_t peer_max_streams_ = 100;  // until the server's SETTINGS say otherwise (as nghttp2)
  uint32_t peer_max_frame_ = 16384;
  int64_t peer_initial_window_ = 65535;
  int64_t connection_send_window_ = 65535;
  uint32_t connection_recv_unacked_ = 0;
  bool accepting_ = true;
  std::string error_;
};

}  // namespace firedrill::loadgen
