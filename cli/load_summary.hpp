#pragma once
#include <ostream>
#include <string>

#include "loadgen/load_stats.hpp"

namespace firedrill::cli {

// The end-of-run summary of `firedrill load`, in the spirit of h2load's.
void print_load_summary(std::ostream& out, const loadgen::LoadResult& result);
// The one-line live progress shown once a second on a terminal.
std::string progress_line(const loadgen::TimeSeriesPoint& point);
// 850ns, 12.3us, 4.56ms, 1.20s: three significant digits with the unit that fits.
std::string format_latency(uint64_t ns);

}  // namespace firedrill::cli
