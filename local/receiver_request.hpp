#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace firedrill::local {

// One HTTP/1.1 request as the notification receiver reads it: what senders send is parsed here,
// apart from the sockets, so that it can be tested and fuzzed on its own.
struct ReceiverRequest {
  std::string method;
  std::string target;
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  const std::string* header(const std::string& name) const;
  std::string path() const;  // the target without its query or fragment
};

std::string lower_case(std::string s);

// The request line and header fields, without the blank line that ends them. False when they
// are not HTTP/1.x.
bool parse_request_head(std::string_view head, ReceiverRequest& request);

// A whole number in `base` (10 or 16), spaces and tabs around it allowed.
std::optional<std::size_t> parse_size(std::string_view text, int base);

enum class Chunked { Complete, Incomplete, TooLarge, Malformed };

// Decodes a whole chunked body from the start of `data` into `body` (at most `max_body` bytes),
// or says why it cannot yet; `used` is how much of `data` it took. Decoding starts over as more
// data arrives: bodies are small, and this keeps the parsing out of the receiver's coroutines.
Chunked decode_chunked(std::string_view data, std::size_t max_body, std::string& body,
                       std::size_t& used);

}  // namespace firedrill::local
