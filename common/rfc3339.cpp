#include "common/rfc3339.hpp"

#include <cstdint>
#include <cstdio>

namespace firedrill::common {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool digits(std::size_t count, int64_t& out) {
    if (pos_ + count > text_.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < count; ++i) {
      char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    pos_ += count;
    return true;
  }
  bool take(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool take_any(std::string_view chars, char& which) {
    if (pos_ < text_.size() && chars.find(text_[pos_]) != std::string_view::npos) {
      which = text_[pos_++];
      return true;
    }
    return false;
  }
  bool at_digit() const { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; }
  bool done() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<WallClock::time_point> parse_rfc3339(std::string_view text) {
  Cursor c(text);
  int64_t year, month, day, hour, minute, second;
  char separator;
  if (!c.digits(4, year) || !c.take('-') || !c.digits(2, month) || !c.take('-') ||
      !c.digits(2, day) || !c.take_any("Tt ", separator) || !c.digits(2, hour) || !c.take(':') ||
      !c.digits(2, minute) || !c.take(':') || !c.digits(2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  int64_t nanos = 0;
  if (c.take('.')) {
    if (!c.at_digit()) return std::nullopt;
    int64_t scale = 100'000'000;
    while (c.at_digit()) {
      int64_t digit = 0;
      c.digits(1, digit);
      nanos += digit * scale;
      scale /= 10;
    }
  }
  int64_t offset_minutes = 0;
  char zone;
  if (!c.take_any("Zz", zone)) {
    int64_t oh, om;
    // CloudWatch's StateChangeTime writes the offset without its colon: "+0000".
    if (!c.take_any("+-", zone) || !c.digits(2, oh) || !(c.take(':') || c.at_digit()) ||
        !c.digits(2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (zone == '-' ? -1 : 1);
  }
  if (!c.done()) return std::nullopt;
  // The nanosecond clock holds about 1678 to 2261; anything outside is a placeholder, not a time.
  if (year < 1678 || year > 2261) return std::nullopt;
  int64_t seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
      std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos)));
}

std::string format_rfc3339(WallClock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t millis = ms - seconds * 1000;
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t in_day = seconds - days * 86400;
  Civil date = civil_from_days(days);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<long long>(in_day / 3600), static_cast<long long>(in_day % 3600 / 60),
                static_cast<long long>(in_day % 60), static_cast<long long>(millis));
  return buffer;
}

}  // namespace firedrill::common
