// The request-side HPACK encoder, decoded by python3-hpack's Decoder (an independent
// implementation): every block must decode to the request's fields, in sequence, through table
// evictions and the server lowering its table size.
#include "loadgen/hpack_encoder.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/subprocess.hpp"

namespace firedrill::loadgen {
namespace {

namespace fs = std::filesystem;
using Fields = std::vector<std::pair<std::string, std::string>>;

// Reads [{"settings": N?, "block": hex}, ...] from the file argv[1]; prints, per block, the decoded
// fields and the decoder's table size after it.
constexpr const char* kPythonDecoder = R"py(
import json, sys
try:
    from hpack import Decoder
except ImportError as e:
    sys.stderr.write("cannot import hpack: %s\n" % e)
    sys.exit(3)
decoder = Decoder()
out = []
for item in json.load(open(sys.argv[1])):
    if "settings" in item:
        decoder.max_allowed_table_size = item["settings"]
    fields = decoder.decode(bytes.fromhex(item["block"]), raw=True)
    out.append({"fields": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in fields],
                "table_size": decoder.header_table._current_size})
json.dump(out, sys.stdout)
)py";

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

nlohmann::json decode_with_python(const nlohmann::json& items) {
  fs::path input = fs::temp_directory_path() /
                   ("firedrill-hpack-blocks-" + std::to_string(::getpid()) + ".json");
  std::ofstream(input) << items.dump();
  common::SubprocessRequest request;
  request.argv = {"/usr/bin/python3", "-c", kPythonDecoder, input.string()};
  request.timeout = std::chrono::seconds(60);
  request.output_cap = 64u << 20;
  common::SubprocessResult result = common::run_subprocess(request);
  fs::remove(input);
  if (result.exited && result.exit_code == 3) {
    ADD_FAILURE() << "python3-hpack is not installed for /usr/bin/python3: run tools/install-deps";
    return nlohmann::json::array();
  }
  if (!result.succeeded()) {
    ADD_FAILURE() << "the python3-hpack decoder failed: " << result.err;
    return nlohmann::json::array();
  }
  return nlohmann::json::parse(result.out);
}

TEST(HpackRequestEncoderTest, PythonHpackDecodesEveryBlockInSequence) {
  const std::vector<Fields> requests = {
      {{":method", "GET"},
       {":scheme", "http"},
       {":authority", "127.0.0.1:8080"},
       {":path", "/a"},
       {"user-agent", "firedrill/0.1"}},
      {{":method", "POST"},
       {":scheme", "https"},
       {":authority", "example.test"},
       {":path", "/index.html"},
       {"content-type", "application/json"},
       {"x-trace", std::string(1500, 't')},
       {"content-length", "12"}},
      // Larger than the whole table: never indexed, always sent as literals.
      {{":method", "GET"},
       {":scheme", "http"},
       {":path", "/big"},
       {"cookie", std::string(5000, 'c')}},
      {{":method", "DELETE"}, {":scheme", "http"}, {":path", "/"}, {"x-empty", ""}},
  };
  std::vector<HpackRequestFields> prepared;
  for (const auto& r : requests) prepared.push_back(hpack_prepare_request(r));

  HpackRequestEncoder encoder;
  std::mt19937 rng(7541);
  std::vector<uint32_t> sent;
  nlohmann::json items = nlohmann::json::array();
  size_t repeat_bytes = 0;
  size_t repeats = 0;
  std::vector<bool> seen(requests.size());
  for (int n = 0; n < 400; ++n) {
    nlohmann::json item;
    if (n == 150 || n == 300) {
      uint32_t size = n == 150 ? 1024 : 0;
      encoder.set_peer_table_size(size);
      item["settings"] = size;
    }
    auto id = static_cast<uint32_t>(rng() % requests.size());
    std::string block;
    encoder.encode(prepared[id], id, block);
    if (id == 0 && seen[0] && n < 150) {
      repeat_bytes += block.size();
      ++repeats;
    }
    seen[id] = true;
    item["block"] = hex(block);
    items.push_back(item);
    sent.push_back(id);
  }
  nlohmann::json decoded = decode_with_python(items);
  ASSERT_EQ(decoded.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    Fields fields;
    for (const auto& f : decoded[i].at("fields")) fields.emplace_back(f.at(0), f.at(1));
    ASSERT_EQ(fields, requests[sent[i]]) << "block " << i;
  }
  // Once the first request put its fields in the table, repeating it is five indexes.
  ASSERT_GT(repeats, 0u);
  EXPECT_EQ(repeat_bytes, 5 * repeats);
  // With the server's table at 0, nothing more is added to it.
  EXPECT_EQ(decoded.back().at("table_size"), 0);
  EXPECT_LE(decoded[299].at("table_size").get<int>(), 1024);
}

TEST(HpackRequestEncoderTest, IntegersUseTheirPrefixAndContinuationBytes) {
  // RFC 7541 C.1: 10 and 1337 with a 5-bit prefix, 42 with an 8-bit prefix.
  std::string out;
  hpack_append_integer(out, 0x00, 5, 10);
  hpack_append_integer(out, 0x00, 5, 1337);
  hpack_append_integer(out, 0x00, 8, 42);
  EXPECT_EQ(out, std::string("\x0a\x1f\x9a\x0a\x2a", 5));
}

}  // namespace
}  // namespace firedrill::loadgen
