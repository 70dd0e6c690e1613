#include "target/log_line.hpp"

#include <cstdint>
#include <ctime>

namespace firedrill::target {

std::string rfc3339_utc(std::chrono::system_clock::time_point time) {
  std::string text;
  append_rfc3339_utc(text, time);
  return text;
}

void append_rfc3339_utc(std::string& out, std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  int64_t millis = duration_cast<milliseconds>(time.time_since_epoch()).count();
  int64_t seconds = millis / 1000;
  // Per thread, the date and time of the last second seen: most lines share it, and gmtime_r
  // takes a process-wide lock.
  thread_local int64_t cached_second = -1;
  thread_local char cached[24];
  if (seconds != cached_second) {
    std::time_t t = seconds;
    std::tm utc{};
    gmtime_r(&t, &utc);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &utc);
    cached_second = seconds;
  }
  int fraction = static_cast<int>(millis % 1000);
  out += cached;
  out += '.';
  out += static_cast<char>('0' + fraction / 100);
  out += static_cast<char>('0' + fraction / 10 % 10);
  out += static_cast<char>('0' + fraction % 10);
  out += 'Z';
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte > 0x7e) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace firedrill::target
