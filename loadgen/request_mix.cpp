#include "loadgen/request_mix.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>

#include "common/errors.hpp"

namespace firedrill::loadgen {
namespace {

constexpr std::string_view kLineFormat = "each line is [weight] METHOD URL [BODY_FILE]";

[[noreturn]] void fail(const std::string& path, size_t line, std::string_view what) {
  throw common::ValueError(fmt::format("{}:{}: {}", path, line, what));
}

std::vector<std::string_view> split_whitespace(std::string_view line) {
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (true) {
    pos = line.find_first_not_of(" \t\r", pos);
    if (pos == std::string_view::npos) break;
    const size_t end = std::min(line.find_first_of(" \t\r", pos), line.size());
    tokens.push_back(line.substr(pos, end - pos));
    pos = end;
  }
  return tokens;
}

bool is_method(std::string_view token) {
  if (token.empty() || token.front() < 'A' || token.front() > 'Z') return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool is_url(std::string_view token) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (token.starts_with(scheme)) {
      return token.size() > scheme.size() && token[scheme.size()] != '/';
    }
  }
  return false;
}

uint32_t parse_weight(const std::string& path, size_t line, std::string_view token) {
  uint32_t weight = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), weight);
  if (ec != std::errc{} || end != token.data() + token.size() || weight == 0) {
    fail(path, line,
         fmt::format("weight \"{}\" must be a positive integer up to {} (how often this request "
                     "is picked relative to the others)",
                     token, std::numeric_limits<uint32_t>::max()));
  }
  return weight;
}

std::string read_body(const std::string& path, size_t line, const std::filesystem::path& dir,
                      std::string_view name) {
  const std::filesystem::path resolved = dir / name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(resolved, ec)) {
    fail(path, line,
         fmt::format("body file \"{}\" ({}) does not exist or is not a regular file", name,
                     resolved.string()));
  }
  std::ifstream in(resolved, std::ios::binary);
  if (!in) {
    fail(path, line,
         fmt::format("cannot read body file \"{}\" ({}): {}", name, resolved.string(),
                     std::strerror(errno)));
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

RequestMix::RequestMix(const std::vector<uint32_t>& weights, uint64_t seed) : state_(seed) {
  uint64_t total = 0;
  cumulative_.reserve(weights.size());
  for (const uint32_t weight : weights) {
    total += weight;
    cumulative_.push_back(total);
  }
  if (total == 0) {
    throw common::ValueError(
        "the request weights add up to 0: at least one request needs a positive weight");
  }
}

size_t RequestMix::next() noexcept {
  // splitmix64: one word of state, statistically sound for picking, and cheap per request.
  state_ += 0x9E3779B97F4A7C15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  // Scales to [0, total) with a multiply instead of a modulo; the bias is at most total / 2^64.
  const auto pick =
      static_cast<uint64_t>((static_cast<unsigned __int128>(z) * cumulative_.back()) >> 64);
  // upper_bound skips zero-weight requests, whose cumulative weight equals their predecessor's.
  return static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), pick) -
                             cumulative_.begin());
}

std::vector<RequestSpec> parse_requests_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw common::ValueError(fmt::format("{}: is a directory, not a requests file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw common::ValueError(
        fmt::format("{}: cannot open requests file: {}", path, std::strerror(errno)));
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();

  std::vector<RequestSpec> specs;
  std::string text;
  for (size_t line = 1; std::getline(in, text); ++line) {
    const std::vector<std::string_view> tokens = split_whitespace(text);
    if (tokens.empty() || tokens.front().starts_with('#')) continue;

    RequestSpec spec;
    size_t i = 0;
    // A method never starts with a digit or a sign, so such a token can only be a weight.
    if (const char c = tokens[0].front(); (c >= '0' && c <= '9') || c == '-' || c == '+') {
      spec.weight = parse_weight(path, line, tokens[i++]);
    }
    if (i == tokens.size())
      fail(path, line, fmt::format("METHOD and URL are missing; {}", kLineFormat));
    if (!is_method(tokens[i])) {
      fail(path, line,
           fmt::format("method \"{}\" must be an uppercase token like GET or POST; {}", tokens[i],
                       kLineFormat));
    }
    spec.method = tokens[i++];
    if (i == tokens.size()) fail(path, line, fmt::format("URL is missing; {}", kLineFormat));
    if (!is_url(tokens[i])) {
      fail(path, line,
           fmt::format("URL \"{}\" must start with http:// or https:// and a host", tokens[i]));
    }
    spec.url = tokens[i++];
    if (i < tokens.size()) spec.body = read_body(path, line, dir, tokens[i++]);
    if (i < tokens.size()) {
      fail(path, line,
           fmt::format("unexpected \"{}\" after the body file; {}", tokens[i], kLineFormat));
    }
    specs.push_back(std::move(spec));
  }
  if (specs.empty()) {
    throw common::ValueError(fmt::format("{}: has no requests; {}", path, kLineFormat));
  }
  return specs;
}

}  // namespace firedrill::loadgen
