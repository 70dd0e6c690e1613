#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace firedrill::common {

using WallClock = std::chrono::system_clock;

// "2018-07-04T20:27:12.60602144+02:00", "2023-01-01T00:00:00Z", "2017-01-12T16:30:42.236+0000":
// what Prometheus, Alertmanager, Grafana and AWS write. nullopt for anything else, and for instants
// the clock cannot hold (Go's zero time 0001-01-01T00:00:00Z, which Alertmanager uses for "no
// end").
std::optional<WallClock::time_point> parse_rfc3339(std::string_view text);

// UTC with milliseconds: "2026-11-21T07:06:08.123Z".
std::string format_rfc3339(WallClock::time_point t);

}  // namespace firedrill::common
