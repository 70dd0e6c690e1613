#pragma once
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "reporters/run_result.hpp"

namespace firedrill::reporters {

// Who a report is for: `firedrill run` names the files for people first.
enum class Audience { People, Tools };

// A way to render a finished drill. Adding one is a file plus one line in reporters/registry.cpp.
struct ReportFormat {
  std::string name;       // console, json, junit, html
  std::string extension;  // default file extension: .txt, .json, .xml, .html
  // The file `firedrill run` writes it to in its output directory; empty: standard output.
  std::string run_file;
  Audience audience;
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

// What `firedrill run` asks of the live outputs.
struct LiveSettings {
  std::string drill_name;
  std::string run_id;
  std::ostream* progress = nullptr;  // where progress lines go; null: none (--quiet)
  bool live_line = false;            // progress on a terminal: also a redrawn status line
  std::string metrics_listen;        // HOST:PORT to serve live metrics on, or empty
  std::string pushgateway;           // where the final metrics go (http://host:port), or empty
};

// A live view of the drill that may also deliver something once the reports are written.
class LiveOutput : public RunObserver {
 public:
  // Throws std::runtime_error when the delivery fails (a push refused).
  virtual void deliver(const RunResult&) {}
};

// A way to watch a running drill: null when the settings do not ask for it. Throws
// std::runtime_error when it cannot start. Adding one is a file plus one line in
// reporters/registry.cpp.
using LiveOutputFactory = std::unique_ptr<LiveOutput> (*)(const LiveSettings& settings);

// In the order they see each event: the console progress, the Prometheus exporter.
const std::vector<LiveOutputFactory>& live_outputs();

std::unique_ptr<LiveOutput> create_console_progress(const LiveSettings& settings);
std::unique_ptr<LiveOutput> create_prometheus_exporter(const LiveSettings& settings);

}  // namespace firedrill::reporters
