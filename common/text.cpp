#include "common/text.hpp"

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/errors.hpp"
#include "common/secret_values.hpp"

namespace firedrill::common {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

// Length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 when the first byte does not start one.
std::size_t sequence_length(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  uint8_t low = 0x80, high = 0xBF;  // the valid range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

std::string excerpt(std::string_view raw, std::size_t max_bytes) {
  // Before the cut: a secret cut in two would no longer be recognised, and its start would show.
  const std::string shown = secret_values().redact(raw);
  std::string_view text = shown;
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + kEllipsis.size());
  while (!text.empty()) {
    std::size_t length = sequence_length(text);
    std::string_view piece = length ? text.substr(0, length) : kReplacement;
    if (out.size() + piece.size() > max_bytes) {
      out += kEllipsis;
      break;
    }
    out += piece;
    text.remove_prefix(length ? length : 1);
  }
  return out;
}

std::string trimmed(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(kSpace) - first + 1));
}

std::string quoted_excerpt(std::string_view text) {
  return nlohmann::json(excerpt(text, 120)).dump();
}

std::regex compile_regex(const std::string& pattern) {
  try {
    // libstdc++'s __polynomial selects its breadth-first matcher, which needs no recursion.
    return std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
  } catch (const std::regex_error& e) {
    if (e.code() == std::regex_constants::error_complexity) {
      throw ValueError("back-references (\\1) are not supported in \"" + pattern + "\"");
    }
    throw ValueError("not a valid ECMAScript regular expression: \"" + pattern + "\" (" + e.what() +
                     ")");
  }
}

std::string double_quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string escape_terminal_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto escape = [&out](unsigned cp) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    out += buf;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
      escape(c);
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      escape(static_cast<unsigned char>(text[i + 1]));
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace firedrill::common
