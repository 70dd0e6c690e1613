#include "loadgen/hpack_huffman.hpp"

#include <array>

namespace firedrill::loadgen {

namespace {

constexpr int kSymbols = 257;  // the 256 byte values and EOS
constexpr int kEos = 256;
constexpr int kMinLength = 5;
constexpr int kMaxLength = 30;

// The code length of each symbol, from RFC 7541 Appendix B (index 256 is EOS). The code is
// canonical: the codes of one length are consecutive in symbol order and the first of each length
// follows on from the last code of the shorter lengths, so the lengths alone determine the codes.
// clang-format off
constexpr std::array<uint8_t, kSymbols> kCodeLengths = {
    /*   0 */ 13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
    /*  16 */ 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    /*  32 */  6, 10, 10, 12, 13,  6,  8, 11, 10, 10,  8, 11,  8,  6,  6,  6,
    /*  48 */  5,  5,  5,  6,  6,  6,  6,  6,  6,  6,  7,  8, 15,  6, 12, 10,
    /*  64 */ 13,  6,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,
    /*  80 */  7,  7,  7,  7,  7,  7,  7,  7,  8,  7,  8, 13, 19, 13, 14,  6,
    /*  96 */ 15,  5,  6,  5,  6,  5,  6,  6,  6,  5,  7,  7,  6,  6,  6,  5,
    /* 112 */  6,  7,  6,  5,  5,  6,  7,  7,  7,  7,  7, 15, 11, 14, 13, 28,
    /* 128 */ 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
    /* 144 */ 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
    /* 160 */ 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
    /* 176 */ 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
    /* 192 */ 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
    /* 208 */ 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
    /* 224 */ 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
    /* 240 */ 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
    /* 256 */ 30,
};
// clang-format on

// The tables of canonical decoding. A window is the next 32 bits of input, first bit most
// significant, zero-filled past the end.
struct CanonicalCode {
  // One past the last code of each length, shifted to the top of a window: a window starts with a
  // code of the smallest length whose limit is above it.
  std::array<uint64_t, kMaxLength + 1> limit{};
  std::array<uint32_t, kMaxLength + 1> first_code{};
  // Where the symbols of each length start in `symbols`.
  std::array<uint16_t, kMaxLength + 1> first_rank{};
  // Ordered by code length, then symbol: the order of the codes.
  std::array<uint16_t, kSymbols> symbols{};
};

constexpr CanonicalCode build_canonical_code() {
  CanonicalCode c;
  std::array<uint16_t, kMaxLength + 1> count{};
  for (const uint8_t length : kCodeLengths) ++count[length];
  uint32_t code = 0;
  uint16_t rank = 0;
  for (int length = 1; length <= kMaxLength; ++length) {
    code <<= 1;
    c.first_code[length] = code;
    c.first_rank[length] = rank;
    code += count[length];
    rank = static_cast<uint16_t>(rank + count[length]);
    c.limit[length] = uint64_t{code} << (32 - length);
  }
  std::array<uint16_t, kMaxLength + 1> next = c.first_rank;
  for (int symbol = 0; symbol < kSymbols; ++symbol) {
    c.symbols[next[kCodeLengths[symbol]]++] = static_cast<uint16_t>(symbol);
  }
  return c;
}

constexpr CanonicalCode kCode = build_canonical_code();

static_assert(kCode.limit[kMinLength - 1] == 0, "no code is shorter than 5 bits");
// Kraft equality: the code is complete, so every window starts with some code.
static_assert(kCode.limit[kMaxLength] == uint64_t{1} << 32, "the code is complete");
// The last code of a complete canonical code is all ones: EOS's 30 bits, whose prefixes are the
// only valid padding.
static_assert(kCode.symbols[kSymbols - 1] == kEos && kCodeLengths[kEos] == kMaxLength,
              "EOS is the all-ones code");

}  // namespace

const char* huffman_status_text(HuffmanStatus status) {
  switch (status) {
    case HuffmanStatus::Ok:
      return "ok";
    case HuffmanStatus::PaddingTooLong:
      return "Huffman-coded string ends in more than 7 bits of padding";
    case HuffmanStatus::PaddingNotEos:
      return "Huffman-coded string is padded with bits that are not the start of EOS (all ones)";
    case HuffmanStatus::EosInString:
      return "Huffman-coded string contains the EOS symbol";
  }
  return "unknown Huffman status";
}

HuffmanStatus huffman_decode(const uint8_t* data, size_t len, char* out, size_t& written) {
  uint64_t bits = 0;  // pending input, first bit most significant
  int count = 0;      // how many bits of `bits` are input
  size_t next = 0;
  char* o = out;
  for (;;) {
    while (count <= 56 && next < len) {
      bits |= uint64_t{data[next++]} << (56 - count);
      count += 8;
    }
    if (count == 0) break;
    const uint64_t window = bits >> 32;
    int length = kMinLength;
    while (window >= kCode.limit[length]) ++length;
    if (length > count) {
      // The input ended inside a code (refills keep more than 30 bits while input is left): what
      // is left is padding.
      if (count > 7) return HuffmanStatus::PaddingTooLong;
      if (window >> (32 - count) != (uint64_t{1} << count) - 1) return HuffmanStatus::PaddingNotEos;
      break;
    }
    const uint32_t offset =
        static_cast<uint32_t>(window >> (32 - length)) - kCode.first_code[length];
    const uint16_t symbol = kCode.symbols[kCode.first_rank[length] + offset];
    if (symbol == kEos) return HuffmanStatus::EosInString;
    *o++ = static_cast<char>(symbol);
    bits <<= length;
    count -= length;
  }
  written = static_cast<size_t>(o - out);
  return HuffmanStatus::Ok;
}

}  // namespace firedrill::loadgen
