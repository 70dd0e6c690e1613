#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace firedrill::common {

using Duration = std::chrono::nanoseconds;

// "500ms", "30s", "2m", "1h", "1m30s", "250us", "0". A bare number other than 0 is rejected: a
// unit is required so that "5" is never silently read as 5 ns or 5 s. Throws ValueError.
Duration parse_duration(std::string_view text);
// Shortest exact rendering: 90s -> "1m30s", 1500us -> "1.5ms".
std::string format_duration(Duration d);

// "20000/s", "300/m", "10/h", or a bare number meaning per second. Returns requests per second;
// must be >= 0 and finite. Throws ValueError.
double parse_rate(std::string_view text);

// A memory quantity as Kubernetes writes it: "64Mi", "1Gi", "512Ki", "100M" (decimal), or plain
// bytes "1048576". Must be more than 0. Throws ValueError.
uint64_t parse_bytes(std::string_view text);
// The largest binary unit that divides it exactly: 67108864 -> "64Mi", 1000 -> "1000".
std::string format_bytes(uint64_t bytes);

// One segment of a ramping arrival rate: ramp linearly from the previous target (the start rate
// for the first stage) to `target_rps` over `duration` (k6 ramping-arrival-rate semantics).
struct Stage {
  Duration duration{0};
  double target_rps = 0;
};

// "30s:1000/s,2m:5000/s,30s:0/s". Throws ValueError naming the bad segment.
std::vector<Stage> parse_stages(std::string_view text);

}  // namespace firedrill::common
