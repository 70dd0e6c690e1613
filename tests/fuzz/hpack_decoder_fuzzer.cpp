// The HPACK decoder on any header blocks, two in a row so that the dynamic table carries over.
#include <cstddef>
#include <cstdint>

#include "loadgen/hpack_decoder.hpp"

namespace {

class Ignore final : public firedrill::loadgen::HpackFieldSink {
 public:
  void on_field(std::string_view, std::string_view) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  firedrill::loadgen::HpackDecoder decoder;
  Ignore sink;
  const std::size_t cut = size / 2;
  if (decoder.decode(data, cut, sink)) decoder.decode(data + cut, size - cut, sink);
  return 0;
}
