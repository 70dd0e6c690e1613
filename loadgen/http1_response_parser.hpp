#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace firedrill::loadgen {

// Incremental HTTP/1.1 response parser for the load hot path: no allocation, headers are looked
// at only for what framing needs (Content-Length, Transfer-Encoding: chunked, Connection), and
// each call stops at the end of one response so pipelined responses are parsed in a loop.
class Http1ResponseParser {
 public:
  enum class State { InProgress, Complete, Error };

  // Call before the response to a HEAD request: it has headers only.
  void set_head_request(bool head) { head_request_ = head; }
  // Consumes bytes of the current response; returns how many were consumed (fewer than `len`
  // only when the response completed or an error was found). 1xx interim responses are skipped.
  size_t feed(const char* data, size_t len);
  // The peer closed the connection: completes a response delimited by close, else an error.
  void on_eof();
  // Ready for the next response on the same connection.
  void reset();

  State state() const { return state_; }
  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  uint64_t body_bytes() const { return body_bytes_; }
  const char* error() const { return error_; }

 private:
  enum class Phase {
    StatusLine,
    HeaderLine,
    Body,
    ChunkSize,
    ChunkData,
    ChunkDataEnd,
    Trailer,
    UntilClose,
    Done
  };
  // The framing header the previous header line belonged to, so that an obs-fold continuation
  // line is read as more of its value.
  enum class Field : uint8_t { Other, ContentLength, TransferEncoding, Connection };

  void on_line(std::string_view line);
  void on_status_line(std::string_view line);
  void on_header_line(std::string_view line);
  void on_field_value(Field field, std::string_view value);
  void on_content_length(std::string_view value);
  void on_headers_end();
  void on_chunk_size_line(std::string_view line);
  void complete();
  void fail(const char* message);

  Phase phase_ = Phase::StatusLine;
  State state_ = State::InProgress;
  // Cleared by reset(): set it again for every response to a HEAD request.
  bool head_request_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  bool has_transfer_encoding_ = false;
  bool chunked_ = false;
  bool has_length_ = false;
  Field last_field_ = Field::Other;
  int status_ = 0;
  uint64_t content_length_ = 0;
  uint64_t remaining_ = 0;
  uint64_t body_bytes_ = 0;
  const char* error_ = nullptr;
  // A bad Content-Length is an error only once the headers show it frames the body: with
  // Transfer-Encoding, or for a response that has no body, it is ignored.
  const char* length_error_ = nullptr;
  // A header or chunk-size line split across reads is collected here; longer lines are an error.
  char line_[8192];
  size_t line_len_ = 0;
};

}  // namespace firedrill::loadgen
