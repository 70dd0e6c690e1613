#pragma once
#include <chrono>
#include <string>
#include <string_view>

namespace firedrill::target {

// "2024-05-01T12:00:00.123Z": RFC 3339, UTC, milliseconds.
std::string rfc3339_utc(std::chrono::system_clock::time_point time);
void append_rfc3339_utc(std::string& out, std::chrono::system_clock::time_point time);

// Appends `text` as a JSON string, quotes included. Bytes outside printable ASCII are escaped
// one by one, so that any request path, even one that is not UTF-8, makes a valid JSON line.
void append_json_string(std::string& out, std::string_view text);

}  // namespace firedrill::target
