#include "target/process_metrics.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

namespace firedrill::target {

namespace {

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return {std::move(name), std::move(help), type, {metric}};
}

// utime + stime: fields 14 and 15 of /proc/self/stat, counted after the command name, which
// may itself hold spaces and parentheses.
double cpu_seconds() {
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos) return 0;
  std::istringstream fields(stat.substr(name_end + 1));
  std::string skipped;
  for (int field = 3; field <= 13; ++field) fields >> skipped;
  double user_ticks = 0;
  double system_ticks = 0;
  fields >> user_ticks >> system_ticks;
  return (user_ticks + system_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Memory {
  double virtual_bytes = 0;
  double resident_bytes = 0;
};

Memory memory() {
  std::ifstream in("/proc/self/statm");
  double size_pages = 0;
  double resident_pages = 0;
  in >> size_pages >> resident_pages;
  double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  return {size_pages * page, resident_pages * page};
}

}  // namespace

ProcessMetrics::ProcessMetrics()
    : start_time_seconds_(
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count()) {}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  using prometheus::MetricType;
  Memory now = memory();
  return {
      family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
             now.resident_bytes),
      family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
             now.virtual_bytes),
      family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
             MetricType::Counter, cpu_seconds()),
      family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
             MetricType::Gauge, start_time_seconds_),
  };
}

}  // namespace firedrill::target
