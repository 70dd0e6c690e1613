// The HTTP/2 client session's frame reader on any bytes a server could send, with requests in
// flight: frames, HPACK, flow control, GOAWAY and resets.
#include <cstddef>
#include <cstdint>
#include <string>

#include "loadgen/http2_session.hpp"

namespace {

class Ignore final : public firedrill::loadgen::SessionEvents {
 public:
  void on_response_start(uint32_t) override {}
  void on_response(uint32_t, int, uint64_t) override {}
  void on_request_error(uint32_t, firedrill::loadgen::ErrorKind) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  Ignore events;
  firedrill::loadgen::Http2Session session(events, 4);
  firedrill::loadgen::RequestTemplate get;
  std::string out;
  for (uint32_t slot = 0; slot < 3; ++slot) session.submit(slot, get, out);
  // Two reads, split where the first byte says, so frames also arrive cut in two.
  const std::size_t cut = size == 0 ? 0 : data[0] % size;
  if (session.on_read(data, cut) && session.on_read(data + cut, size - cut)) {
    session.flush(out);
    session.on_eof();
  }
  return 0;
}
