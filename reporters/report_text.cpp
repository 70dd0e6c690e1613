#include "reporters/report_text.hpp"

#include <cmath>
#include <cstdio>

namespace firedrill::reporters {

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string format_seconds(double seconds) {
  if (!std::isfinite(seconds)) return fixed(seconds, 0);
  if (seconds == 0) return "0s";
  if (seconds < 0) return "-" + format_seconds(-seconds);
  if (seconds < 1) return fixed(seconds * 1e3, 0) + "ms";
  if (seconds < 60) return fixed(seconds, seconds < 10 ? 2 : 1) + "s";
  char buf[64];
  auto total = static_cast<long long>(std::llround(seconds));
  if (total < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", total / 60, total % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", total / 3600, total / 60 % 60,
                  total % 60);
  }
  return buf;
}

std::string format_offset(double seconds) {
  return seconds < 0 ? format_seconds(seconds) : "+" + format_seconds(seconds);
}

std::string format_latency(uint64_t ns) {
  double value = static_cast<double>(ns);
  if (ns < 1'000) return std::to_string(ns) + "ns";
  if (ns < 1'000'000) return fixed(value / 1e3, value < 1e4 ? 2 : 1) + "us";
  if (ns < 1'000'000'000) return fixed(value / 1e6, value < 1e7 ? 2 : 1) + "ms";
  return fixed(value / 1e9, 2) + "s";
}

std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

// Length of the valid UTF-8 sequence at the start of `s`, or 0. Rejects overlong forms,
// surrogates and code points above U+10FFFF, which XML parsers reject too.
size_t utf8_sequence(std::string_view s, char32_t& code_point) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    code_point = b0;
    return 1;
  }
  size_t length = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, code_point = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, code_point = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, code_point = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  if (code_point < min || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

}  // namespace

std::string clean_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    char32_t cp = 0;
    size_t n = utf8_sequence(text, cp);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      text.remove_prefix(1);
      continue;
    }
    // C1 controls too: some terminals take U+009B as the start of an escape sequence.
    bool control = (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F);
    if (control) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
    } else if (cp == 0xFFFE || cp == 0xFFFF) {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

std::string xml_escape(std::string_view text, Quoting quoting) {
  bool attribute = quoting == Quoting::Attribute;
  std::string clean = clean_text(text);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\'':
        out += attribute ? "&#39;" : "'";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

size_t display_width(std::string_view text) {
  size_t width = 0;
  for (char c : text) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return width;
}

std::string evidence_text(const nlohmann::json& evidence) {
  return evidence.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace firedrill::reporters
