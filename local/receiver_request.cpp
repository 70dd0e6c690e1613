#include "local/receiver_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace firedrill::local {

namespace {

// A chunk-size line or a trailer field; longer is abuse.
constexpr std::size_t kMaxLineBytes = 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string ReceiverRequest::path() const {
  return target.substr(0, target.find_first_of("?#"));
}

const std::string* ReceiverRequest::header(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::string lower_case(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool parse_request_head(std::string_view head, ReceiverRequest& request) {
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return false;
  request.method = std::string(line.substr(0, sp1));
  request.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  request.version = std::string(line.substr(sp2 + 1));
  if (request.method.empty() || request.target.empty() || !request.version.starts_with("HTTP/1.")) {
    return false;
  }
  while (eol != std::string_view::npos) {
    std::size_t start = eol + 2;
    eol = head.find("\r\n", start);
    std::string_view field = head.substr(start, eol == std::string_view::npos ? eol : eol - start);
    std::size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    request.headers.emplace_back(lower_case(std::string(field.substr(0, colon))),
                                 std::string(trim(field.substr(colon + 1))));
  }
  return true;
}

std::optional<std::size_t> parse_size(std::string_view text, int base) {
  text = trim(text);
  std::size_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

Chunked decode_chunked(std::string_view data, std::size_t max_body, std::string& body,
                       std::size_t& used) {
  body.clear();
  std::size_t pos = 0;
  auto line_end = [&](std::size_t from, std::size_t& eol) {
    eol = data.find("\r\n", from);
    if (eol != std::string_view::npos)
      return eol - from <= kMaxLineBytes ? Chunked::Complete : Chunked::Malformed;
    return data.size() - from > kMaxLineBytes ? Chunked::Malformed : Chunked::Incomplete;
  };
  for (;;) {
    std::size_t eol = 0;
    if (Chunked r = line_end(pos, eol); r != Chunked::Complete) return r;
    std::string_view line = data.substr(pos, eol - pos);
    auto size = parse_size(line.substr(0, line.find(';')), 16);
    if (!size) return Chunked::Malformed;
    pos = eol + 2;
    if (*size == 0) break;
    if (*size > max_body - body.size()) return Chunked::TooLarge;
    if (data.size() < pos + *size + 2) return Chunked::Incomplete;
    if (data.substr(pos + *size, 2) != "\r\n") return Chunked::Malformed;
    body.append(data.substr(pos, *size));
    pos += *size + 2;
  }
  // Trailer fields, ignored, up to the blank line.
  for (;;) {
    std::size_t eol = 0;
    if (Chunked r = line_end(pos, eol); r != Chunked::Complete) return r;
    bool blank = eol == pos;
    pos = eol + 2;
    if (blank) {
      used = pos;
      return Chunked::Complete;
    }
  }
}

}  // namespace firedrill::local
