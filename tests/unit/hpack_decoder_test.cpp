// The HPACK decoder against RFC 7541 Appendix C, malformed blocks, and python3-hpack's encoder (an
// independent implementation) on random header lists.
#include "loadgen/hpack_decoder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/subprocess.hpp"
#include "loadgen/hpack_huffman.hpp"

namespace firedrill::loadgen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Field = std::pair<std::string, std::string>;
using Fields = std::vector<Field>;

// Hex digits, spaces ignored (the RFC prints its dumps in groups of four).
std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> bytes;
  int high = -1;
  for (const char c : hex) {
    if (c == ' ') continue;
    const int digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    if (high < 0) {
      high = digit;
    } else {
      bytes.push_back(static_cast<uint8_t>(high << 4 | digit));
      high = -1;
    }
  }
  return bytes;
}

std::string bytes_from_hex(std::string_view hex) {
  const std::vector<uint8_t> bytes = from_hex(hex);
  return {bytes.begin(), bytes.end()};
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const char c : bytes) {
    hex += kDigits[static_cast<uint8_t>(c) >> 4];
    hex += kDigits[static_cast<uint8_t>(c) & 15];
  }
  return hex;
}

// A field with a literal name and raw strings (each shorter than 127 bytes); `representation` is
// 0x40 (incremental indexing), 0x00 (without indexing) or 0x10 (never indexed).
std::string literal_hex(char representation, std::string_view name, std::string_view value) {
  std::string bytes(1, representation);
  for (const std::string_view s : {name, value}) {
    bytes += static_cast<char>(s.size());
    bytes += s;
  }
  return to_hex(bytes);
}

class CollectingSink : public HpackFieldSink {
 public:
  Fields fields;
  void on_field(std::string_view name, std::string_view value) override {
    fields.emplace_back(name, value);
  }
};

struct Decoded {
  bool ok = false;
  Fields fields;
  std::string error;
};

Decoded decode(HpackDecoder& decoder, std::string_view hex) {
  const std::vector<uint8_t> block = from_hex(hex);
  CollectingSink sink;
  Decoded d;
  d.ok = decoder.decode(block.data(), block.size(), sink);
  d.fields = std::move(sink.fields);
  d.error = decoder.error();
  return d;
}

// --- RFC 7541 C.1: integer representation ---

struct IntegerRead {
  HpackIntegerStatus status;
  uint32_t value = 0;
  size_t consumed = 0;
};

IntegerRead read_integer(std::string_view hex, int prefix_bits) {
  const std::vector<uint8_t> bytes = from_hex(hex);
  const uint8_t* pos = bytes.data();
  IntegerRead r;
  r.status = hpack_decode_integer(pos, bytes.data() + bytes.size(), prefix_bits, r.value);
  r.consumed = static_cast<size_t>(pos - bytes.data());
  return r;
}

TEST(HpackIntegerTest, RfcC11TenWithFiveBitPrefix) {
  // The three high bits belong to the representation, not the integer.
  const IntegerRead r = read_integer("ea", 5);
  EXPECT_EQ(r.status, HpackIntegerStatus::Ok);
  EXPECT_EQ(r.value, 10u);
  EXPECT_EQ(r.consumed, 1u);
}

TEST(HpackIntegerTest, RfcC12ThirteenThirtySevenWithFiveBitPrefix) {
  const IntegerRead r = read_integer("ff9a0a", 5);
  EXPECT_EQ(r.status, HpackIntegerStatus::Ok);
  EXPECT_EQ(r.value, 1337u);
  EXPECT_EQ(r.consumed, 3u);
}

TEST(HpackIntegerTest, RfcC13FortyTwoOnAnOctetBoundary) {
  const IntegerRead r = read_integer("2a", 8);
  EXPECT_EQ(r.status, HpackIntegerStatus::Ok);
  EXPECT_EQ(r.value, 42u);
  EXPECT_EQ(r.consumed, 1u);
}

TEST(HpackIntegerTest, ReadsTheLargest32BitValue) {
  const IntegerRead r = read_integer("1fe0ffffff0f", 5);
  EXPECT_EQ(r.status, HpackIntegerStatus::Ok);
  EXPECT_EQ(r.value, UINT32_MAX);
  EXPECT_EQ(r.consumed, 6u);
}

TEST(HpackIntegerTest, RejectsValuesAbove32Bits) {
  EXPECT_EQ(read_integer("1fe1ffffff0f", 5).status, HpackIntegerStatus::Overflow);
  EXPECT_EQ(read_integer("ffffffffff7f", 8).status, HpackIntegerStatus::Overflow);
}

TEST(HpackIntegerTest, RejectsEncodingsLongerThanAny32BitValueNeeds) {
  // Redundant zero continuation bytes: small value, absurd length.
  EXPECT_EQ(read_integer("1f8080808000", 5).status, HpackIntegerStatus::Ok);
  EXPECT_EQ(read_integer("1f808080808000", 5).status, HpackIntegerStatus::Overflow);
}

TEST(HpackIntegerTest, ReportsTruncation) {
  EXPECT_EQ(read_integer("", 5).status, HpackIntegerStatus::Truncated);
  EXPECT_EQ(read_integer("1f", 5).status, HpackIntegerStatus::Truncated);
  EXPECT_EQ(read_integer("1f9a", 5).status, HpackIntegerStatus::Truncated);
}

// --- RFC 7541 C.2: header field representations, each on a fresh decoder ---

TEST(HpackDecoderTest, RfcC21LiteralWithIndexing) {
  HpackDecoder decoder;
  const Decoded d = decode(decoder,
                           "400a 6375 7374 6f6d 2d6b 6579 0d63 7573"
                           "746f 6d2d 6865 6164 6572");
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_THAT(d.fields, ElementsAre(Field{"custom-key", "custom-header"}));
  EXPECT_EQ(decoder.table_size(), 55u);
  EXPECT_THAT(decode(decoder, "be").fields, ElementsAre(Field{"custom-key", "custom-header"}));
}

TEST(HpackDecoderTest, RfcC22LiteralWithoutIndexing) {
  HpackDecoder decoder;
  const Decoded d = decode(decoder, "040c 2f73 616d 706c 652f 7061 7468");
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_THAT(d.fields, ElementsAre(Field{":path", "/sample/path"}));
  EXPECT_EQ(decoder.table_size(), 0u);
}

TEST(HpackDecoderTest, RfcC23LiteralNeverIndexed) {
  HpackDecoder decoder;
  const Decoded d = decode(decoder,
                           "1008 7061 7373 776f 7264 0673 6563 7265"
                           "74");
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_THAT(d.fields, ElementsAre(Field{"password", "secret"}));
  EXPECT_EQ(decoder.table_size(), 0u);
}

TEST(HpackDecoderTest, RfcC24Indexed) {
  HpackDecoder decoder;
  const Decoded d = decode(decoder, "82");
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_THAT(d.fields, ElementsAre(Field{":method", "GET"}));
  EXPECT_EQ(decoder.table_size(), 0u);
}

// --- RFC 7541 C.3 to C.6: consecutive blocks on one connection ---

struct RfcBlock {
  const char* hex;
  Fields fields;
  size_t table_size;
};

// Decodes the blocks in order on one decoder, then reads the dynamic table back through indexed
// fields (62 is the newest entry) and compares it with the table the RFC lists last.
void expect_sequence(HpackDecoder& decoder, const std::vector<RfcBlock>& blocks,
                     const Fields& final_table) {
  for (size_t i = 0; i < blocks.size(); ++i) {
    SCOPED_TRACE("block " + std::to_string(i + 1));
    const Decoded d = decode(decoder, blocks[i].hex);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.fields, blocks[i].fields);
    EXPECT_EQ(decoder.table_size(), blocks[i].table_size);
  }
  std::string indexes;
  for (size_t i = 0; i < final_table.size(); ++i) indexes += static_cast<char>(0x80 | (62 + i));
  const Decoded table = decode(decoder, to_hex(indexes));
  ASSERT_TRUE(table.ok) << table.error;
  EXPECT_EQ(table.fields, final_table);
}

const Fields kRequest1 = {
    {":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}};
const Fields kRequest2 = {{":method", "GET"},
                          {":scheme", "http"},
                          {":path", "/"},
                          {":authority", "www.example.com"},
                          {"cache-control", "no-cache"}};
const Fields kRequest3 = {{":method", "GET"},
                          {":scheme", "https"},
                          {":path", "/index.html"},
                          {":authority", "www.example.com"},
                          {"custom-key", "custom-value"}};
const Fields kRequestTable = {{"custom-key", "custom-value"},
                              {"cache-control", "no-cache"},
                              {":authority", "www.example.com"}};

TEST(HpackDecoderTest, RfcC3RequestsWithoutHuffman) {
  HpackDecoder decoder;
  expect_sequence(decoder,
                  {
                      {"8286 8441 0f77 7777 2e65 7861 6d70 6c65"
                       "2e63 6f6d",
                       kRequest1, 57},
                      {"8286 84be 5808 6e6f 2d63 6163 6865", kRequest2, 110},
                      {"8287 85bf 400a 6375 7374 6f6d 2d6b 6579"
                       "0c63 7573 746f 6d2d 7661 6c75 65",
                       kRequest3, 164},
                  },
                  kRequestTable);
}

TEST(HpackDecoderTest, RfcC4RequestsWithHuffman) {
  HpackDecoder decoder;
  expect_sequence(decoder,
                  {
                      {"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4"
                       "ff",
                       kRequest1, 57},
                      {"8286 84be 5886 a8eb 1064 9cbf", kRequest2, 110},
                      {"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925"
                       "a849 e95b b8e8 b4bf",
                       kRequest3, 164},
                  },
                  kRequestTable);
}

const Fields kResponse1 = {{":status", "302"},
                           {"cache-control", "private"},
                           {"date", "Mon, 21 Oct 2013 20:13:21 GMT"},
                           {"location", "https://www.example.com"}};
const Fields kResponse2 = {{":status", "307"},
                           {"cache-control", "private"},
                           {"date", "Mon, 21 Oct 2013 20:13:21 GMT"},
                           {"location", "https://www.example.com"}};
const Fields kResponse3 = {
    {":status", "200"},
    {"cache-control", "private"},
    {"date", "Mon, 21 Oct 2013 20:13:22 GMT"},
    {"location", "https://www.example.com"},
    {"content-encoding", "gzip"},
    {"set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"}};
const Fields kResponseTable = {
    {"set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"},
    {"content-encoding", "gzip"},
    {"date", "Mon, 21 Oct 2013 20:13:22 GMT"}};

// The responses of C.5 and C.6 come with SETTINGS_HEADER_TABLE_SIZE 256, so entries are evicted.
TEST(HpackDecoderTest, RfcC5ResponsesWithoutHuffmanEvict) {
  HpackDecoder decoder(256);
  expect_sequence(decoder,
                  {
                      {"4803 3330 3258 0770 7269 7661 7465 611d"
                       "4d6f 6e2c 2032 3120 4f63 7420 3230 3133"
                       "2032 303a 3133 3a32 3120 474d 546e 1768"
                       "7474 7073 3a2f 2f77 7777 2e65 7861 6d70"
                       "6c65 2e63 6f6d",
                       kResponse1, 222},
                      {"4803 3330 37c1 c0bf", kResponse2, 222},
                      {"88c1 611d 4d6f 6e2c 2032 3120 4f63 7420"
                       "3230 3133 2032 303a 3133 3a32 3220 474d"
                       "54c0 5a04 677a 6970 7738 666f 6f3d 4153"
                       "444a 4b48 514b 425a 584f 5157 454f 5049"
                       "5541 5851 5745 4f49 553b 206d 6178 2d61"
                       "6765 3d33 3630 303b 2076 6572 7369 6f6e"
                       "3d31",
                       kResponse3, 215},
                  },
                  kResponseTable);
}

TEST(HpackDecoderTest, RfcC6ResponsesWithHuffmanEvict) {
  HpackDecoder decoder(256);
  expect_sequence(decoder,
                  {
                      {"4882 6402 5885 aec3 771a 4b61 96d0 7abe"
                       "9410 54d4 44a8 2005 9504 0b81 66e0 82a6"
                       "2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8"
                       "e9ae 82ae 43d3",
                       kResponse1, 222},
                      {"4883 640e ffc1 c0bf", kResponse2, 222},
                      {"88c1 6196 d07a be94 1054 d444 a820 0595"
                       "040b 8166 e084 a62d 1bff c05a 839b d9ab"
                       "77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b"
                       "3960 d5af 2708 7f36 72c1 ab27 0fb5 291f"
                       "9587 3160 65c0 03ed 4ee5 b106 3d50 07",
                       kResponse3, 215},
                  },
                  kResponseTable);
}

// --- Dynamic table behaviour beyond the RFC examples ---

TEST(HpackDecoderTest, EmptyBlockDecodesToNoFields) {
  HpackDecoder decoder;
  CollectingSink sink;
  EXPECT_TRUE(decoder.decode(nullptr, 0, sink));
  EXPECT_TRUE(sink.fields.empty());
  EXPECT_EQ(decoder.error(), "");
}

TEST(HpackDecoderTest, EntryLargerThanTheTableEmptiesIt) {
  HpackDecoder decoder(100);
  ASSERT_TRUE(decode(decoder, literal_hex(0x40, "a", "b")).ok);
  EXPECT_EQ(decoder.table_size(), 34u);
  // 1 + 68 + 32 = 101 bytes: delivered, but the table ends up empty (RFC 7541 section 4.4).
  const std::string value(68, 'd');
  const Decoded d = decode(decoder, literal_hex(0x40, "c", value));
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_THAT(d.fields, ElementsAre(Field{"c", value}));
  EXPECT_EQ(decoder.table_size(), 0u);
  EXPECT_THAT(decode(decoder, "be").error, HasSubstr("61 static and 0 dynamic entries"));
}

TEST(HpackDecoderTest, NewEntryMayUseTheNameOfTheEntryItEvicts) {
  HpackDecoder decoder(100);
  ASSERT_TRUE(decode(decoder, literal_hex(0x40, "aaaa", "bbbb")).ok);  // 40 bytes
  // The name of index 62 (aaaa) with a value of 60 bytes: 96 bytes, which evicts aaaa: bbbb.
  const std::string value(60, 'c');
  const Decoded d = decode(decoder, "7e3c" + to_hex(value));
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_THAT(d.fields, ElementsAre(Field{"aaaa", value}));
  EXPECT_EQ(decoder.table_size(), 96u);
  EXPECT_THAT(decode(decoder, "be").fields, ElementsAre(Field{"aaaa", value}));
}

TEST(HpackDecoderTest, SizeUpdatesEvictAndMayRepeatAtTheStartOfABlock) {
  HpackDecoder decoder;
  ASSERT_TRUE(decode(decoder, literal_hex(0x40, "a", "b") + literal_hex(0x40, "c", "d")).ok);
  EXPECT_EQ(decoder.table_size(), 68u);
  // Down to 40 (keeps only c: d), then back up to 4096, then a field.
  const Decoded d = decode(decoder, "3f09 3fe11f be");
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_THAT(d.fields, ElementsAre(Field{"c", "d"}));
  EXPECT_EQ(decoder.table_size(), 34u);
  ASSERT_TRUE(decode(decoder, "20").ok);
  EXPECT_EQ(decoder.table_size(), 0u);
  // With a maximum of 0 nothing is added.
  ASSERT_TRUE(decode(decoder, literal_hex(0x40, "a", "b")).ok);
  EXPECT_EQ(decoder.table_size(), 0u);
}

TEST(HpackDecoderTest, EntryThatExactlyFillsTheTableEvictsNothing) {
  HpackDecoder decoder(100);
  ASSERT_TRUE(decode(decoder, literal_hex(0x40, "a", "b")).ok);                   // 34 bytes
  ASSERT_TRUE(decode(decoder, literal_hex(0x40, "c", std::string(33, 'd'))).ok);  // 66 bytes
  EXPECT_EQ(decoder.table_size(), 100u);
  EXPECT_THAT(decode(decoder, "bf").fields, ElementsAre(Field{"a", "b"}));
}

TEST(HpackDecoderTest, ManyBlocksKeepTheTableConsistent) {
  // Enough insertions to evict and compact the storage many times over. After each block the
  // whole table is read back through indexed fields and compared with a model of RFC 7541's
  // eviction: newest first, oldest evicted until the new entry fits.
  constexpr size_t kMax = 256;
  HpackDecoder decoder(kMax);
  Fields model;  // newest first
  size_t model_size = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string name = "n" + std::to_string(i % 7);
    const std::string value(static_cast<size_t>(i * 37 % 101), static_cast<char>('a' + i % 26));
    model.insert(model.begin(), {name, value});
    model_size += name.size() + value.size() + 32;
    while (model_size > kMax) {
      model_size -= model.back().first.size() + model.back().second.size() + 32;
      model.pop_back();
    }
    std::string indexes;
    for (size_t k = 0; k < model.size(); ++k) indexes += static_cast<char>(0x80 | (62 + k));
    const Decoded d = decode(decoder, literal_hex(0x40, name, value) + to_hex(indexes));
    ASSERT_TRUE(d.ok) << "block " << i << ": " << d.error;
    Fields expected = model;
    expected.insert(expected.begin(), {name, value});
    ASSERT_EQ(d.fields, expected) << "block " << i;
    ASSERT_EQ(decoder.table_size(), model_size) << "block " << i;
  }
}

TEST(HpackDecoderTest, FailedDecoderKeepsItsError) {
  HpackDecoder decoder;
  ASSERT_FALSE(decode(decoder, "80").ok);
  const Decoded again = decode(decoder, "82");
  EXPECT_FALSE(again.ok);
  EXPECT_TRUE(again.fields.empty());
  EXPECT_THAT(again.error, HasSubstr("index 0"));
}

// --- Malformed blocks ---

struct Malformed {
  const char* name;
  const char* hex;
  const char* error;
};

void PrintTo(const Malformed& m, std::ostream* os) {
  *os << m.name << " (" << m.hex << ")";
}

class HpackMalformedTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(HpackMalformedTest, FailsWithAClearError) {
  HpackDecoder decoder(4096);
  const Decoded d = decode(decoder, GetParam().hex);
  EXPECT_FALSE(d.ok);
  EXPECT_THAT(d.error, HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Blocks, HpackMalformedTest,
    ::testing::Values(
        // :path with a 1-byte Huffman value: "a" (00011) padded with 000.
        Malformed{"HuffmanPaddingNotEos", "0481 18",
                  "field value: Huffman-coded string is padded with bits that are not the start "
                  "of EOS"},
        // "a" then 11 one bits.
        Malformed{"HuffmanPaddingTooLong", "0482 1fff", "more than 7 bits of padding"},
        // 30 one bits are EOS.
        Malformed{"HuffmanEos", "0484 ffff ffff", "contains the EOS symbol"},
        Malformed{"HuffmanNameBadPadding", "0081 1800", "field name: Huffman-coded string"},
        Malformed{"IndexZero", "80", "index 0 is not a valid table index"},
        Malformed{"IndexPastStaticTable", "be",
                  "index 62 is past the end of the tables (61 static and 0 dynamic entries)"},
        Malformed{"IndexPastDynamicTable", "4001 6101 62 bf",
                  "index 63 is past the end of the tables (61 static and 1 dynamic entries)"},
        Malformed{"NameIndexPastTables", "7e00", "index 62 is past the end of the tables"},
        Malformed{"NeverIndexedNamePastTables", "1f30 00", "index 63 is past the end"},
        Malformed{"SizeUpdateAboveMaximum", "3fe21f",
                  "dynamic table size update to 4097 exceeds the 4096 bytes this endpoint "
                  "advertised"},
        Malformed{"SizeUpdateAfterField", "82 20",
                  "dynamic table size update after a header field"},
        Malformed{"TruncatedIndex", "ff", "header block ends inside the integer of a field index"},
        Malformed{"TruncatedIndexContinuation", "ff80",
                  "header block ends inside the integer of a field index"},
        Malformed{"TruncatedSizeUpdate", "3f", "ends inside the integer of a dynamic table size"},
        Malformed{"MissingValue", "04", "header block ends before a field value"},
        Malformed{"MissingName", "00", "header block ends before a field name"},
        Malformed{"TruncatedString", "0405 6162",
                  "field value of 5 bytes runs past the end of the header block (2 bytes left)"},
        Malformed{"TruncatedHuffmanString", "0485 6162",
                  "field value of 5 bytes runs past the end of the header block"},
        Malformed{"IndexOverflow", "ffff ffff ff0f",
                  "the integer of a field index exceeds 32 bits"},
        Malformed{"IndexTooLong", "ff80 8080 8080 00", "the integer of a field index exceeds"},
        Malformed{"StringLengthOverflow", "047f ffff ffff 0f",
                  "the integer of a string length exceeds 32 bits"}),
    [](const ::testing::TestParamInfo<Malformed>& info) { return std::string(info.param.name); });

// --- Huffman decoding on its own ---

Decoded huffman(std::string_view hex) {
  const std::vector<uint8_t> coded = from_hex(hex);
  std::string out(huffman_max_decoded_size(coded.size()), '\0');
  size_t written = 0;
  const HuffmanStatus status = huffman_decode(coded.data(), coded.size(), out.data(), written);
  Decoded d;
  d.ok = status == HuffmanStatus::Ok;
  if (d.ok) {
    out.resize(written);
    d.fields.emplace_back(out, "");
  } else {
    d.error = huffman_status_text(status);
  }
  return d;
}

TEST(HpackHuffmanTest, DecodesRfcExamples) {
  EXPECT_THAT(huffman("f1e3 c2e5 f23a 6ba0 ab90 f4ff").fields,
              ElementsAre(Field{"www.example.com", ""}));
  EXPECT_THAT(huffman("").fields, ElementsAre(Field{"", ""}));
  // Five zero bits are the complete code of '0', not padding.
  EXPECT_THAT(huffman("07").fields, ElementsAre(Field{"0", ""}));
}

TEST(HpackHuffmanTest, RejectsBadPaddingAndEos) {
  EXPECT_EQ(huffman("18").error, huffman_status_text(HuffmanStatus::PaddingNotEos));
  EXPECT_EQ(huffman("ff").error, huffman_status_text(HuffmanStatus::PaddingTooLong));
  EXPECT_EQ(huffman("1fff").error, huffman_status_text(HuffmanStatus::PaddingTooLong));
  EXPECT_EQ(huffman("ffff fffc").error, huffman_status_text(HuffmanStatus::EosInString));
  // EOS followed by a valid symbol is still an error.
  EXPECT_EQ(huffman("ffff fffc 7f").error, huffman_status_text(HuffmanStatus::EosInString));
}

// --- Cross-check against python3-hpack ---

// Prints JSON: Huffman encodings of every byte value and of random strings, and a few hundred
// header blocks a single Encoder produced in sequence (Huffman on and off, never-indexed and
// without-indexing fields, static and dynamic table hits, table size changes), each with the
// fields it encodes and the encoder's dynamic table size after it.
constexpr const char* kPythonVectors = R"py(
import json, random, sys
try:
    from hpack import Encoder
    from hpack.hpack import INDEX_NONE
    from hpack.huffman import HuffmanEncoder
    from hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH
    from hpack.table import HeaderTable
except ImportError as e:
    sys.stderr.write("cannot import hpack: %s\n" % e)
    sys.exit(3)

rng = random.Random(7541)

def random_bytes(n):
    return bytes(rng.randrange(256) for _ in range(n))

def random_length(long_share):
    r = rng.random()
    if r < long_share:
        return rng.randrange(300, 5000)
    if r < 0.6:
        return rng.randrange(0, 16)
    return rng.randrange(16, 300)

coder = HuffmanEncoder(REQUEST_CODES, REQUEST_CODES_LENGTH)
strings = [bytes([b]) for b in range(256)]
strings += [bytes(range(256)), bytes(range(255, -1, -1)), b""]
strings += [random_bytes(random_length(0.1)) for _ in range(200)]
huffman = [{"coded": coder.encode(s).hex(), "plain": s.hex()} for s in strings]

encoder = Encoder()
history = []
blocks = []
for n in range(400):
    if rng.random() < 0.1:
        for _ in range(rng.choice([1, 1, 2])):
            encoder.header_table_size = rng.choice(
                [s for s in (0, 64, 256, 1000, 4096) if s != encoder.header_table_size])
    use_huffman = rng.random() < 0.5
    block = encoder.encode([], huffman=use_huffman)  # pending table size updates
    fields = []
    for _ in range(rng.randrange(0, 12)):
        r = rng.random()
        if r < 0.15:
            name, value = rng.choice(HeaderTable.STATIC_TABLE)
        elif r < 0.3:
            name, value = rng.choice(HeaderTable.STATIC_TABLE)[0], random_bytes(random_length(0.05))
        elif r < 0.5 and history:
            name, value = rng.choice(history[-6:])
            if rng.random() < 0.3:
                value = random_bytes(random_length(0.05))
        else:
            name = random_bytes(random_length(0.02))
            value = random_bytes(random_length(0.05))
        history = (history + [(name, value)])[-30:]
        mode = rng.random()
        if mode < 0.1:
            match = encoder.header_table.search(name, value)
            if match is None:
                block += encoder._encode_literal(name, value, INDEX_NONE, use_huffman)
            else:
                block += encoder._encode_indexed_literal(match[0], value, INDEX_NONE, use_huffman)
        else:
            block += encoder.encode([(name, value, mode < 0.2)], huffman=use_huffman)
        fields.append([name.hex(), value.hex()])
    blocks.append({"block": block.hex(), "fields": fields,
                   "table_size": encoder.header_table._current_size})

json.dump({"huffman": huffman, "blocks": blocks}, sys.stdout)
)py";

struct PythonVectors {
  std::string problem;  // empty when `data` holds the vectors
  nlohmann::json data;
};

const PythonVectors& python_vectors() {
  static const PythonVectors vectors = [] {
    PythonVectors v;
    common::SubprocessRequest request;
    request.argv = {"/usr/bin/python3", "-c", kPythonVectors};
    request.timeout = std::chrono::seconds(120);
    request.output_cap = 256u << 20;
    common::SubprocessResult result;
    try {
      result = common::run_subprocess(request);
    } catch (const std::exception& e) {
      v.problem = std::string("cannot run /usr/bin/python3 (run tools/install-deps): ") + e.what();
      return v;
    }
    if (result.exited && result.exit_code == 3) {
      v.problem = "python3-hpack is not installed for /usr/bin/python3: run tools/install-deps (" +
                  result.err + ")";
    } else if (!result.succeeded() || result.out_truncated) {
      v.problem = "the python3-hpack vector script failed: " + result.status_text(request.timeout) +
                  "\n" + result.err;
    } else {
      v.data = nlohmann::json::parse(result.out);
    }
    return v;
  }();
  return vectors;
}

TEST(HpackCrossCheckTest, HuffmanDecodesWhatPythonHpackEncodes) {
  const PythonVectors& vectors = python_vectors();
  ASSERT_EQ(vectors.problem, "");
  const nlohmann::json& cases = vectors.data.at("huffman");
  ASSERT_GE(cases.size(), 256u + 200u);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Decoded d = huffman(cases[i].at("coded").get<std::string>());
    ASSERT_TRUE(d.ok) << "string " << i << ": " << d.error;
    ASSERT_EQ(d.fields.at(0).first, bytes_from_hex(cases[i].at("plain").get<std::string>()))
        << "string " << i;
  }
}

TEST(HpackCrossCheckTest, DecodesPythonHpackEncoderBlocksInSequence) {
  const PythonVectors& vectors = python_vectors();
  ASSERT_EQ(vectors.problem, "");
  const nlohmann::json& blocks = vectors.data.at("blocks");
  ASSERT_GE(blocks.size(), 300u);
  HpackDecoder decoder;
  size_t fields_seen = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const nlohmann::json& b = blocks[i];
    const Decoded d = decode(decoder, b.at("block").get<std::string>());
    ASSERT_TRUE(d.ok) << "block " << i << ": " << d.error;
    Fields expected;
    for (const nlohmann::json& f : b.at("fields")) {
      expected.emplace_back(bytes_from_hex(f.at(0).get<std::string>()),
                            bytes_from_hex(f.at(1).get<std::string>()));
    }
    ASSERT_EQ(d.fields, expected) << "block " << i;
    ASSERT_EQ(decoder.table_size(), b.at("table_size").get<size_t>()) << "block " << i;
    fields_seen += expected.size();
  }
  EXPECT_GE(fields_seen, 1000u);
}

}  // namespace
}  // namespace firedrill::loadgen
