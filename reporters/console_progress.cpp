#include "reporters/console_progress.hpp"

#include <fmt/format.h>

#include "common/safe_output.hpp"
#include "reporters/report_text.hpp"

namespace firedrill::reporters {

namespace {
// Back to the start of the line, erasing it: how the live line redraws itself.
constexpr std::string_view kEraseLine = "\r\033[K";
}  // namespace

std::unique_ptr<LiveOutput> create_console_progress(const LiveSettings& settings) {
  if (!settings.progress) return nullptr;
  return std::make_unique<ConsoleProgress>(*settings.progress, settings.live_line);
}

ConsoleProgress::ConsoleProgress(std::ostream& out, bool live_line) : out_(out), live_(live_line) {}

void ConsoleProgress::on_event(const TimelineEvent& e) {
  std::lock_guard lock(mutex_);
  // Names and details quote the drill file, which may not send the terminal its escapes.
  if (e.type == EventType::StepStart) step_ = clean_text(e.name);
  if (e.type == EventType::FaultInjected) ++faults_active_;
  if (e.type == EventType::FaultReverted || e.type == EventType::FaultRevertFailed) {
    --faults_active_;
  }
  if (e.type == EventType::StepEnd) return;
  if (line_shown_) common::write_verbatim(out_, kEraseLine);
  out_ << fmt::format("[{:7.1f}s] {:<19} {}{}{}\n", e.at_s, to_string(e.type), clean_text(e.name),
                      e.detail.empty() ? "" : ": ", clean_text(e.detail));
  line_shown_ = false;
  redraw();
}

void ConsoleProgress::on_load_second(const std::string& profile,
                                     const loadgen::TimeSeriesPoint& p) {
  std::lock_guard lock(mutex_);
  last_second_[profile] = p;
  redraw();
}

void ConsoleProgress::on_check(const CheckResult& c) {
  std::lock_guard lock(mutex_);
  checks_[c.step + "/" + c.description] = c.verdict;
  redraw();
}

void ConsoleProgress::on_finish(const RunResult&) {
  std::lock_guard lock(mutex_);
  if (line_shown_) common::write_verbatim(out_, kEraseLine);
  out_ << std::flush;
  line_shown_ = false;
}

void ConsoleProgress::redraw() {
  if (!live_) return;
  uint64_t rps = 0;
  uint64_t errors = 0;
  uint64_t p99 = 0;
  for (const auto& [profile, p] : last_second_) {
    rps += p.responses;
    errors += p.errors;
    p99 = std::max(p99, p.p99_ns);
  }
  int pending = 0, passed = 0, failed = 0;
  for (const auto& [name, verdict] : checks_) {
    if (verdict == CheckVerdict::Passed) {
      ++passed;
    } else if (verdict == CheckVerdict::Pending) {
      ++pending;
    } else {
      ++failed;
    }
  }
  common::write_verbatim(out_, kEraseLine);
  out_ << fmt::format(
              "> {} | {} req/s, p99 {:.1f}ms, {} errors/s | checks {} pending, {} "
              "passed, {} failed | {} faults active",
              step_, rps, p99 / 1e6, errors, pending, passed, failed, faults_active_)
       << std::flush;
  line_shown_ = true;
}

}  // namespace firedrill::reporters
