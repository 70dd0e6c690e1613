#pragma once
#include <cstddef>
#include <cstdint>

namespace firedrill::loadgen {

// Huffman decoding of HPACK string literals (RFC 7541 section 5.2, code of Appendix B).

enum class HuffmanStatus : uint8_t { Ok, PaddingTooLong, PaddingNotEos, EosInString };

// What a failed status means, for error messages.
const char* huffman_status_text(HuffmanStatus status);

// The most bytes `len` coded bytes can decode to: the shortest code is 5 bits long.
constexpr size_t huffman_max_decoded_size(size_t len) {
  return len * 8 / 5;
}

// Decodes `len` coded bytes into `out`, which has room for huffman_max_decoded_size(len) bytes;
// `written` gets the decoded length. Fails on padding longer than 7 bits, padding that is not
// the most significant bits of EOS, and EOS inside the string, as section 5.2 requires.
HuffmanStatus huffman_decode(const uint8_t* data, size_t len, char* out, size_t& written);

}  // namespace firedrill::loadgen
