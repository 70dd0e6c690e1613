#pragma once
#include <chrono>
#include <string>

namespace firedrill::scenarios {

// "<drill>-YYYYMMDD-HHMMSS-xxxx" (UTC, four random hex digits): names the run's journal, its
// output directory and what it creates.
std::string generate_run_id(const std::string& drill_name);

// ISO 8601 in UTC with milliseconds, e.g. "2025-03-14T09:26:53.412Z".
std::string iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace firedrill::scenarios
