#include "reporters/reporter.hpp"

namespace firedrill::reporters {

const std::vector<ReportFormat>& report_formats() {
  static const std::vector<ReportFormat> formats = {
      {"console", ".txt", &write_console},
      {"json", ".json", &write_json},
      {"junit", ".xml", &write_junit},
      {"html", ".html", &write_html},
  };
  return formats;
}

const ReportFormat* find_report_format(const std::string& name) {
  for (const auto& format : report_formats()) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

}  // namespace firedrill::reporters
