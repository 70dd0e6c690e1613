#include "reporters/reporter.hpp"

namespace firedrill::reporters {

const std::vector<ReportFormat>& report_formats() {
  static const std::vector<ReportFormat> formats = {
      {"console", ".txt", "", Audience::People, &write_console},
      {"json", ".json", "result.json", Audience::Tools, &write_json},
      {"junit", ".xml", "junit.xml", Audience::Tools, &write_junit},
      {"html", ".html", "report.html", Audience::People, &write_html},
  };
  return formats;
}

const std::vector<LiveOutputFactory>& live_outputs() {
  static const std::vector<LiveOutputFactory> factories = {
      &create_console_progress,
      &create_prometheus_exporter,
  };
  return factories;
}

const ReportFormat* find_report_format(const std::string& name) {
  for (const auto& format : report_formats()) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

}  // namespace firedrill::reporters
