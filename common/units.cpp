#include "common/units.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "common/errors.hpp"

namespace firedrill::common {
namespace {

constexpr std::string_view kDurationHint =
    "use a number with a unit (ns, us, ms, s, m, h), like 500ms, 30s or 1m30s";
constexpr std::string_view kRateHint =
    "use requests per second, minute or hour, like 20000/s, 300/m or 10/h (a bare number means "
    "per second)";
constexpr std::string_view kStagesHint =
    "write stages as DURATION:RATE separated by commas, like 30s:1000/s,2m:5000/s";

constexpr int64_t kMicrosecond = 1'000;
constexpr int64_t kMillisecond = 1'000'000;
constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;

struct Unit {
  std::string_view name;
  int64_t ns;
};

// Both the micro sign (U+00B5) and the Greek mu (U+03BC) are accepted: they look identical and
// people paste either.
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", kMicrosecond},
    {"\xC2\xB5s", kMicrosecond},
    {"\xCE\xBCs", kMicrosecond},
    {"ms", kMillisecond},
    {"s", kSecond},
    {"m", kMinute},
    {"h", kHour},
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad_duration(std::string_view text, std::string_view why) {
  throw ValueError(fmt::format("\"{}\" is not a duration: {}; {}", text, why, kDurationHint));
}

[[noreturn]] void bad_rate(std::string_view text, std::string_view why) {
  throw ValueError(fmt::format("\"{}\" is not a rate: {}; {}", text, why, kRateHint));
}

// `value` nanoseconds in units of `scale` with only the fraction digits that are needed.
std::string decimal(uint64_t value, uint64_t scale) {
  std::string out = fmt::format("{}", value / scale);
  uint64_t frac = value % scale;
  if (frac == 0) return out;
  int width = 0;
  for (uint64_t s = scale; s > 1; s /= 10) ++width;
  std::string digits = fmt::format("{:0{}}", frac, width);
  digits.erase(digits.find_last_not_of('0') + 1);
  return out + "." + digits;
}

}  // namespace

Duration parse_duration(std::string_view original) {
  const std::string_view text = trim(original);
  if (text.empty()) bad_duration(original, "it is empty");
  if (text == "0") return Duration{0};
  if (text.front() == '-') bad_duration(original, "durations cannot be negative");

  // Summed in 128 bits so that any single term, and the running total, cannot wrap before the
  // range check against int64 nanoseconds.
  constexpr unsigned __int128 kMax = std::numeric_limits<int64_t>::max();
  unsigned __int128 total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t number_start = pos;
    unsigned __int128 whole = 0;
    bool any_digit = false;
    for (; pos < text.size() && is_digit(text[pos]); ++pos) {
      any_digit = true;
      // Once past the limit the value only has to stay past it, and stop growing.
      if (whole <= kMax) whole = whole * 10 + static_cast<unsigned>(text[pos] - '0');
    }
    // Fraction digits beyond 18 are below a nanosecond even for hours, so they are dropped.
    uint64_t frac = 0;
    uint64_t scale = 1;
    if (pos < text.size() && text[pos] == '.') {
      for (++pos; pos < text.size() && is_digit(text[pos]); ++pos) {
        any_digit = true;
        if (scale < 1'000'000'000'000'000'000ULL) {
          frac = frac * 10 + static_cast<uint64_t>(text[pos] - '0');
          scale *= 10;
        }
      }
    }
    if (!any_digit) {
      bad_duration(original, fmt::format("expected a number at \"{}\"", text.substr(number_start)));
    }
    const std::string_view number = text.substr(number_start, pos - number_start);

    const size_t unit_start = pos;
    while (pos < text.size() && !is_digit(text[pos]) && text[pos] != '.') ++pos;
    const std::string_view unit_name = text.substr(unit_start, pos - unit_start);
    if (unit_name.empty()) bad_duration(original, fmt::format("{} has no unit", number));
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == unit_name) unit = &u;
    }
    if (unit == nullptr) bad_duration(original, fmt::format("unknown unit \"{}\"", unit_name));

    const auto unit_ns = static_cast<unsigned __int128>(unit->ns);
    total += whole * unit_ns + (frac * unit_ns + scale / 2) / scale;
    if (total > kMax) {
      bad_duration(original, "it is too long (the longest is 2562047h47m16.854775807s)");
    }
  }
  return Duration{static_cast<int64_t>(total)};
}

std::string format_duration(Duration d) {
  if (d.count() == 0) return "0";
  std::string out = d.count() < 0 ? "-" : "";
  // Negated in unsigned arithmetic so that the most negative value does not overflow.
  const uint64_t ns =
      d.count() < 0 ? 0 - static_cast<uint64_t>(d.count()) : static_cast<uint64_t>(d.count());
  if (ns < kMicrosecond) return out + fmt::format("{}ns", ns);
  if (ns < kMillisecond) return out + decimal(ns, kMicrosecond) + "us";
  if (ns < kSecond) return out + decimal(ns, kMillisecond) + "ms";
  if (const uint64_t hours = ns / kHour; hours > 0) out += fmt::format("{}h", hours);
  if (const uint64_t minutes = ns % kHour / kMinute; minutes > 0) {
    out += fmt::format("{}m", minutes);
  }
  if (const uint64_t rest = ns % kMinute; rest > 0) out += decimal(rest, kSecond) + "s";
  return out;
}

double parse_rate(std::string_view original) {
  const std::string_view text = trim(original);
  if (text.empty()) bad_rate(original, "it is empty");

  std::string_view number = text;
  double seconds_per_unit = 1;
  if (const size_t slash = text.find('/'); slash != std::string_view::npos) {
    number = trim(text.substr(0, slash));
    const std::string_view unit = trim(text.substr(slash + 1));
    if (unit == "m") {
      seconds_per_unit = 60;
    } else if (unit == "h") {
      seconds_per_unit = 3600;
    } else if (unit != "s") {
      bad_rate(original, fmt::format("unknown unit \"/{}\" (use /s, /m or /h)", unit));
    }
  }
  if (number.empty()) bad_rate(original, "the number is missing");
  if (number.front() == '-') bad_rate(original, "rates cannot be negative");

  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec == std::errc::result_out_of_range) bad_rate(original, "the number is too large");
  if (ec != std::errc{} || end != number.data() + number.size()) {
    bad_rate(original, fmt::format("\"{}\" is not a number", number));
  }
  if (!std::isfinite(value)) bad_rate(original, "the number must be finite");
  return value / seconds_per_unit;
}

uint64_t parse_bytes(std::string_view original) {
  const std::string_view text = trim(original);
  static constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"Ki", 1ull << 10}, {"Mi", 1ull << 20}, {"Gi", 1ull << 30},   {"Ti", 1ull << 40},
      {"k", 1'000},       {"M", 1'000'000},   {"G", 1'000'000'000}, {"T", 1'000'000'000'000}};
  std::string_view number = text;
  uint64_t multiplier = 1;
  for (const auto& [suffix, factor] : kUnits) {
    if (text.ends_with(suffix)) {
      number = text.substr(0, text.size() - suffix.size());
      multiplier = factor;
      break;
    }
  }
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc{} || end != number.data() + number.size()) {
    throw ValueError(fmt::format(
        "\"{}\" is not a memory quantity; use bytes or a unit: Ki, Mi, Gi, Ti (powers of 1024) or "
        "k, M, G, T, like 64Mi",
        original));
  }
  if (value == 0) throw ValueError(fmt::format("\"{}\": must be more than 0", original));
  if (value > UINT64_MAX / multiplier) {
    throw ValueError(fmt::format("\"{}\" is too large", original));
  }
  return value * multiplier;
}

std::string format_bytes(uint64_t bytes) {
  static constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"Ti", 1ull << 40}, {"Gi", 1ull << 30}, {"Mi", 1ull << 20}, {"Ki", 1ull << 10}};
  for (const auto& [suffix, factor] : kUnits) {
    if (bytes >= factor && bytes % factor == 0) return fmt::format("{}{}", bytes / factor, suffix);
  }
  return std::to_string(bytes);
}

std::vector<Stage> parse_stages(std::string_view original) {
  const std::string_view text = trim(original);
  if (text.empty())
    throw ValueError(fmt::format("\"{}\" has no stages; {}", original, kStagesHint));

  std::vector<Stage> stages;
  size_t index = 1;
  for (size_t pos = 0;; ++index) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view segment = trim(text.substr(pos, comma - pos));
    const std::string where = fmt::format("stage {} \"{}\" of \"{}\"", index, segment, text);
    if (segment.empty()) {
      throw ValueError(fmt::format("stage {} of \"{}\" is empty; {}", index, text, kStagesHint));
    }
    const size_t colon = segment.find(':');
    if (colon == std::string_view::npos) {
      throw ValueError(fmt::format("{}: it has no \":RATE\"; {}", where, kStagesHint));
    }
    try {
      stages.push_back(
          {parse_duration(segment.substr(0, colon)), parse_rate(segment.substr(colon + 1))});
    } catch (const ValueError& e) {
      throw ValueError(fmt::format("{}: {}", where, e.what()));
    }
    if (comma == text.size()) break;
    pos = comma + 1;
  }
  return stages;
}

}  // namespace firedrill::common
