#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "reporters/run_result.hpp"

namespace firedrill::reporters {

// A way to render a finished drill. Adding one is a file plus one line in reporters/registry.cpp.
struct ReportFormat {
  std::string name;       // console, json, junit, html
  std::string extension;  // default file extension: .txt, .json, .xml, .html
  void (*write)(const RunResult& result, std::ostream& out);
};

const std::vector<ReportFormat>& report_formats();
const ReportFormat* find_report_format(const std::string& name);

void write_console(const RunResult& result, std::ostream& out);
void write_json(const RunResult& result, std::ostream& out);
void write_junit(const RunResult& result, std::ostream& out);
void write_html(const RunResult& result, std::ostream& out);

// Live view of a running drill: the Runner calls these as things happen (from its own thread).
// The console progress line and the Prometheus exporter implement it.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_event(const TimelineEvent&) {}
  virtual void on_load_second(const std::string& /*profile*/, const loadgen::TimeSeriesPoint&) {}
  virtual void on_check(const CheckResult&) {}  // each poll's latest state
  virtual void on_finish(const RunResult&) {}
};

}  // namespace firedrill::reporters
