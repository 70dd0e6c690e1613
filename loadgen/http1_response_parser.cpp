#include "loadgen/http1_response_parser.hpp"

#include <algorithm>
#include <cstring>

namespace firedrill::loadgen {

namespace {

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

// `lower` is all lower case, so only `s` needs folding.
bool iequals(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (ascii_lower(s[i]) != lower[i]) return false;
  }
  return true;
}

// Calls `fn` with each comma-separated element of a field value, OWS trimmed, empty ones included
// (Content-Length rejects them, the token lists skip them).
template <typename Fn>
void for_each_element(std::string_view value, Fn fn) {
  for (;;) {
    const size_t comma = value.find(',');
    fn(trim_ows(value.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

size_t Http1ResponseParser::feed(const char* data, size_t len) {
  size_t pos = 0;
  while (pos < len && state_ == State::InProgress) {
    switch (phase_) {
      case Phase::Body:
      case Phase::ChunkData: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, len - pos));
        pos += n;
        remaining_ -= n;
        body_bytes_ += n;
        if (remaining_ == 0) {
          if (phase_ == Phase::Body) {
            complete();
          } else {
            phase_ = Phase::ChunkDataEnd;
          }
        }
        break;
      }
      case Phase::UntilClose:
        body_bytes_ += len - pos;
        pos = len;
        break;
      default: {
        const char* start = data + pos;
        const size_t avail = len - pos;
        const char* nl = static_cast<const char*>(std::memchr(start, '\n', avail));
        // The limit is the same whether a line arrives whole or in pieces, so the outcome does not
        // depend on how the peer's bytes were split into reads.
        const size_t piece = nl ? static_cast<size_t>(nl - start) : avail;
        if (piece > sizeof(line_) - line_len_) {
          fail(phase_ == Phase::ChunkSize      ? "chunk size line too long"
               : phase_ == Phase::ChunkDataEnd ? "chunk data longer than its size"
                                               : "header line too long");
          return pos;
        }
        if (!nl) {
          std::memcpy(line_ + line_len_, start, avail);
          line_len_ += avail;
          return len;
        }
        pos += piece + 1;
        std::string_view line(start, piece);
        if (line_len_ > 0) {
          std::memcpy(line_ + line_len_, start, piece);
          line = std::string_view(line_, line_len_ + piece);
          line_len_ = 0;
        }
        // A bare LF ends a line too (RFC 9112 section 2.2).
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        on_line(line);
        break;
      }
    }
  }
  return pos;
}

void Http1ResponseParser::on_line(std::string_view line) {
  switch (phase_) {
    case Phase::StatusLine:
      on_status_line(line);
      break;
    case Phase::HeaderLine:
      on_header_line(line);
      break;
    case Phase::ChunkSize:
      on_chunk_size_line(line);
      break;
    case Phase::ChunkDataEnd:
      if (line.empty()) {
        phase_ = Phase::ChunkSize;
      } else {
        fail("chunk data longer than its size");
      }
      break;
    case Phase::Trailer:
      if (line.empty()) complete();
      break;
    default:
      break;
  }
}

void Http1ResponseParser::on_status_line(std::string_view line) {
  // "HTTP/1.x SSS" then an optional " reason".
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || !is_digit(line[7]) || line[8] != ' ' ||
      !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
      (line.size() > 12 && line[12] != ' ') || line[9] == '0') {
    fail("malformed status line");
    return;
  }
  status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  http10_ = line[7] == '0';
  // An interim response may have sent any of these; only the final response's own count.
  connection_close_ = false;
  connection_keep_alive_ = false;
  has_transfer_encoding_ = false;
  chunked_ = false;
  has_length_ = false;
  content_length_ = 0;
  length_error_ = nullptr;
  last_field_ = Field::Other;
  phase_ = Phase::HeaderLine;
}

void Http1ResponseParser::on_header_line(std::string_view line) {
  if (line.empty()) {
    on_headers_end();
    return;
  }
  if (is_ows(line.front())) {
    // obs-fold: RFC 9112 section 5.2 has a user agent read it as a space within the value.
    if (last_field_ == Field::ContentLength) {
      if (!length_error_) length_error_ = "invalid Content-Length";
    } else {
      on_field_value(last_field_, line);
    }
    return;
  }
  const size_t colon = line.find(':');
  // Whitespace before the colon would hide a framing header from an exact name match, and a
  // peer that sends it cannot be trusted to frame the body consistently either.
  if (colon == std::string_view::npos || colon == 0 || is_ows(line[colon - 1])) {
    fail("malformed header line");
    return;
  }
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = line.substr(colon + 1);
  // The names differ in length, so the length picks the one candidate worth comparing.
  switch (name.size()) {
    case 10:
      last_field_ = iequals(name, "connection") ? Field::Connection : Field::Other;
      break;
    case 14:
      last_field_ = iequals(name, "content-length") ? Field::ContentLength : Field::Other;
      break;
    case 17:
      last_field_ = iequals(name, "transfer-encoding") ? Field::TransferEncoding : Field::Other;
      break;
    default:
      last_field_ = Field::Other;
      break;
  }
  on_field_value(last_field_, value);
}

void Http1ResponseParser::on_field_value(Field field, std::string_view value) {
  switch (field) {
    case Field::Connection:
      for_each_element(value, [this](std::string_view token) {
        if (iequals(token, "close")) connection_close_ = true;
        if (iequals(token, "keep-alive")) connection_keep_alive_ = true;
      });
      break;
    case Field::TransferEncoding:
      has_transfer_encoding_ = true;
      for_each_element(value, [this](std::string_view coding) {
        if (coding.empty()) return;
        const size_t end = std::min(coding.find(';'), coding.size());
        // Only the last coding decides, across all Transfer-Encoding lines.
        chunked_ = iequals(trim_ows(coding.substr(0, end)), "chunked");
      });
      break;
    case Field::ContentLength:
      on_content_length(value);
      break;
    case Field::Other:
      break;
  }
}

void Http1ResponseParser::on_content_length(std::string_view value) {
  if (length_error_) return;
  // RFC 9110 section 8.6 allows a list of identical values ("42, 42"), as from repeated lines.
  for_each_element(value, [this](std::string_view number) {
    if (length_error_) return;
    if (number.empty()) {
      length_error_ = "invalid Content-Length";
      return;
    }
    uint64_t n = 0;
    for (char c : number) {
      const uint64_t digit = static_cast<uint64_t>(c - '0');
      if (!is_digit(c) || n > (UINT64_MAX - digit) / 10) {
        length_error_ = "invalid Content-Length";
        return;
      }
      n = n * 10 + digit;
    }
    if (has_length_ && n != content_length_) {
      length_error_ = "conflicting Content-Length values";
      return;
    }
    has_length_ = true;
    content_length_ = n;
  });
}

void Http1ResponseParser::on_headers_end() {
  // 101 is not skipped like the other 1xx: after it the connection no longer speaks HTTP/1.1.
  if (status_ < 200 && status_ != 101) {
    phase_ = Phase::StatusLine;
    return;
  }
  keep_alive_ = !connection_close_ && (!http10_ || connection_keep_alive_);
  if (status_ == 101) {
    keep_alive_ = false;
    complete();
    return;
  }
  if (head_request_ || status_ == 204 || status_ == 304) {
    complete();
    return;
  }
  if (has_transfer_encoding_) {
    // RFC 9112 section 6.1: an HTTP/1.0 peer cannot chunk, so its framing is faulty.
    if (http10_) {
      fail("Transfer-Encoding in an HTTP/1.0 response");
    } else if (chunked_) {
      phase_ = Phase::ChunkSize;
    } else {
      keep_alive_ = false;
      phase_ = Phase::UntilClose;
    }
    return;
  }
  if (length_error_) {
    fail(length_error_);
  } else if (!has_length_) {
    keep_alive_ = false;
    phase_ = Phase::UntilClose;
  } else if (content_length_ == 0) {
    complete();
  } else {
    remaining_ = content_length_;
    phase_ = Phase::Body;
  }
}

void Http1ResponseParser::on_chunk_size_line(std::string_view line) {
  uint64_t size = 0;
  size_t i = 0;
  for (; i < line.size(); ++i) {
    const int digit = hex_digit(line[i]);
    if (digit < 0) break;
    if (size >> 60 != 0) {
      fail("bad chunk size");
      return;
    }
    size = size << 4 | static_cast<uint64_t>(digit);
  }
  // Extensions after ';' carry nothing the load generator uses, so they are not parsed.
  while (i < line.size() && is_ows(line[i])) ++i;
  if (i == 0 || (i < line.size() && line[i] != ';')) {
    fail("bad chunk size");
    return;
  }
  if (size == 0) {
    phase_ = Phase::Trailer;
  } else {
    remaining_ = size;
    phase_ = Phase::ChunkData;
  }
}

void Http1ResponseParser::on_eof() {
  if (state_ != State::InProgress) return;
  if (phase_ == Phase::UntilClose) {
    complete();
  } else if (phase_ == Phase::StatusLine && line_len_ == 0 && status_ == 0) {
    fail("connection closed before a response");
  } else {
    fail("connection closed in the middle of a response");
  }
}

void Http1ResponseParser::reset() {
  phase_ = Phase::StatusLine;
  state_ = State::InProgress;
  head_request_ = false;
  keep_alive_ = true;
  http10_ = false;
  connection_close_ = false;
  connection_keep_alive_ = false;
  has_transfer_encoding_ = false;
  chunked_ = false;
  has_length_ = false;
  last_field_ = Field::Other;
  status_ = 0;
  content_length_ = 0;
  remaining_ = 0;
  body_bytes_ = 0;
  error_ = nullptr;
  length_error_ = nullptr;
  line_len_ = 0;
}

void Http1ResponseParser::complete() {
  phase_ = Phase::Done;
  state_ = State::Complete;
}

void Http1ResponseParser::fail(const char* message) {
  state_ = State::Error;
  error_ = message;
}

}  // namespace firedrill::loadgen
