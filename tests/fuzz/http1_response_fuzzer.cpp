// The load engine's HTTP/1 response parser on any bytes a server could send, fed in pieces.
#include <cstddef>
#include <cstdint>

#include "loadgen/http1_response_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  firedrill::loadgen::Http1ResponseParser parser;
  // The first byte chooses a HEAD request and the size of the pieces.
  parser.set_head_request(data[0] & 1);
  const std::size_t piece = 1 + (data[0] >> 1);
  const char* p = reinterpret_cast<const char*>(data + 1);
  std::size_t left = size - 1;
  using State = firedrill::loadgen::Http1ResponseParser::State;
  while (left > 0 && parser.state() == State::InProgress) {
    std::size_t used = parser.feed(p, left < piece ? left : piece);
    if (used == 0 && parser.state() == State::InProgress) break;
    p += used;
    left -= used;
    if (parser.state() == State::Complete) {
      parser.reset();
      parser.set_head_request(data[0] & 1);
    }
  }
  parser.on_eof();
  return 0;
}
