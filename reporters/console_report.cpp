#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "reporters/report_summary.hpp"
#include "reporters/report_text.hpp"
#include "reporters/reporter.hpp"

namespace firedrill::reporters {

namespace {

constexpr size_t kLineWidth = 100;

// Cuts at a code point boundary so that a cut never splits a UTF-8 sequence.
std::string fit(const std::string& text, size_t width) {
  if (display_width(text) <= width) return text;
  std::string out;
  size_t columns = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    bool starts_code_point = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_code_point && ++columns > width - 3) break;
    out += text[i];
  }
  return out + "...";
}

// Word-wrapped to kLineWidth: the first line starts with `prefix`, the others are indented to
// its width. A word longer than a line is split.
void print_wrapped(std::ostream& out, const std::string& text, const std::string& prefix) {
  const size_t indent = display_width(prefix);
  const size_t room = kLineWidth - indent;
  std::string line;
  bool first = true;
  auto flush = [&] {
    out << (first ? prefix : std::string(indent, ' ')) << line << "\n";
    line.clear();
    first = false;
  };
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    std::string paragraph = text.substr(start, end == std::string::npos ? end : end - start);
    size_t pos = 0;
    while (pos < paragraph.size()) {
      size_t space = paragraph.find(' ', pos);
      std::string word = paragraph.substr(pos, space == std::string::npos ? space : space - pos);
      pos = space == std::string::npos ? paragraph.size() : space + 1;
      if (word.empty()) continue;
      while (display_width(word) > room) {
        if (!line.empty()) flush();
        size_t cut = 0;
        for (size_t columns = 0; cut < word.size(); ++cut) {
          bool starts = (static_cast<unsigned char>(word[cut]) & 0xC0) != 0x80;
          if (starts && ++columns > room) break;
        }
        line = word.substr(0, cut);
        flush();
        word = word.substr(cut);
      }
      if (!line.empty() && display_width(line) + 1 + display_width(word) > room) flush();
      line += (line.empty() ? "" : " ") + word;
    }
    flush();
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

// Columns sized to their content up to a cap; lines of notes under a row are wrapped and aligned
// with the second column, so long descriptions and messages never widen the table.
class Table {
 public:
  Table(std::vector<std::string> headers, std::vector<size_t> caps)
      : headers_(std::move(headers)), caps_(std::move(caps)) {}

  void add(std::vector<std::string> cells, std::vector<std::string> notes = {}) {
    for (auto& c : cells) c = clean_text(c);
    for (auto& n : notes) n = clean_text(n);
    rows_.push_back({std::move(cells), std::move(notes)});
  }

  void print(std::ostream& out) const {
    std::vector<size_t> widths(headers_.size());
    for (size_t i = 0; i < headers_.size(); ++i) {
      widths[i] = display_width(headers_[i]);
      for (const auto& row : rows_) widths[i] = std::max(widths[i], display_width(row.cells[i]));
      widths[i] = std::min(widths[i], caps_[i]);
    }
    print_cells(out, headers_, widths);
    for (const auto& row : rows_) {
      print_cells(out, row.cells, widths);
      for (const auto& note : row.notes) print_wrapped(out, note, std::string(4 + widths[0], ' '));
    }
  }

 private:
  struct Row {
    std::vector<std::string> cells;
    std::vector<std::string> notes;
  };

  static void print_cells(std::ostream& out, const std::vector<std::string>& cells,
                          const std::vector<size_t>& widths) {
    std::string line = "  ";
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string cell = fit(cells[i], widths[i]);
      line += cell;
      if (i + 1 < cells.size()) line += std::string(widths[i] - display_width(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }

  std::vector<std::string> headers_;
  std::vector<size_t> caps_;
  std::vector<Row> rows_;
};

std::string check_verdict(const CheckResult& c) {
  if (check_passed(c)) return "PASS";
  if (check_failed(c)) return "FAIL";
  return verdict_title(c.verdict);
}

void print_header(std::ostream& out, const RunResult& r) {
  out << clean_text("Drill " + r.drill_name) << "\n";
  if (!r.drill_file.empty()) out << "  file      " << clean_text(r.drill_file) << "\n";
  if (!r.run_id.empty()) out << "  run       " << clean_text(r.run_id) << "\n";
  if (!r.started_at.empty()) out << "  started   " << clean_text(r.started_at) << "\n";
  out << "  duration  " << format_seconds(r.duration_s) << "\n";
  if (!r.abort_reason.empty()) print_wrapped(out, clean_text(r.abort_reason), "  aborted   ");
}

void print_checks(std::ostream& out, const RunResult& r) {
  Tally t = tally_checks(r.checks);
  out << "\nChecks: " << (t.total() == 0 ? "none" : std::to_string(t.total())) << "\n";
  if (r.checks.empty()) return;
  Table table({"VERDICT", "STEP", "KIND", "WINDOW", "DETECTED", "POLLS"}, {12, 24, 24, 22, 10, 6});
  for (const auto& c : r.checks) {
    std::string window =
        to_string(c.window) + (c.window_s > 0 ? " " + format_seconds(c.window_s) : "");
    std::string detect = c.time_to_detect_s ? format_seconds(*c.time_to_detect_s) : "-";
    std::vector<std::string> notes = {c.description};
    if (!c.message.empty()) notes.push_back("-> " + c.message);
    table.add({check_verdict(c), c.step, c.kind, window, detect, std::to_string(c.polls)}, notes);
  }
  table.print(out);
}

void print_thresholds(std::ostream& out, const RunResult& r) {
  out << "\nThresholds: " << (r.thresholds.empty() ? "none" : std::to_string(r.thresholds.size()))
      << "\n";
  if (r.thresholds.empty()) return;
  Table table({"RESULT", "METRIC", "EXPRESSION", "OBSERVED", "PROFILE"}, {6, 28, 16, 30, 20});
  for (const auto& t : r.thresholds) {
    table.add({t.passed ? "PASS" : "FAIL", t.metric, t.expression, t.observed_text,
               t.profile.empty() ? "all load" : t.profile});
  }
  table.print(out);
}

void print_faults(std::ostream& out, const RunResult& r) {
  out << "\nFaults: " << (r.faults.empty() ? "none" : std::to_string(r.faults.size())) << "\n";
  if (r.faults.empty()) return;
  Table table({"STATE", "STEP", "KIND", "INJECTED", "REVERTED"}, {14, 28, 24, 10, 10});
  for (const auto& f : r.faults) {
    std::string state = f.revert_failed ? "REVERT FAILED" : f.reverted_s ? "reverted" : "injected";
    if (!f.error.empty() && !f.revert_failed && !f.reverted_s) state = "ERROR";
    std::vector<std::string> notes = {f.description};
    if (!f.error.empty()) notes.push_back("-> " + f.error);
    table.add({state, f.step, f.kind, format_offset(f.injected_s),
               f.reverted_s ? format_offset(*f.reverted_s) : "-"},
              notes);
  }
  table.print(out);
}

void print_load(std::ostream& out, const RunResult& r) {
  out << "\nLoad: "
      << (r.loads.empty()       ? "none"
          : r.loads.size() == 1 ? "1 run"
                                : std::to_string(r.loads.size()) + " runs")
      << "\n";
  if (r.loads.empty()) return;
  Table table({"PROFILE", "RUNS", "REQUESTS", "REQ/S", "P50", "P99", "ERRORS"},
              {24, 4, 14, 12, 10, 10, 24});
  for (const auto& p : summarize_profiles(r.loads)) {
    const loadgen::LoadStats& s = p.stats;
    uint64_t attempted = s.completed() + s.dropped;
    std::string errors = format_count(p.errors());
    if (attempted > 0) errors += " (" + fixed(100.0 * p.errors() / attempted, 2) + "%)";
    bool measured = s.latency.count() > 0;
    std::vector<std::string> notes;
    if (!p.unreachable_reason.empty()) notes.push_back("unreachable: " + p.unreachable_reason);
    table.add({p.profile, std::to_string(p.runs), format_count(s.completed()), fixed(p.rps(), 1),
               measured ? format_latency(s.latency.value_at_quantile(0.5)) : "-",
               measured ? format_latency(s.latency.value_at_quantile(0.99)) : "-", errors},
              notes);
  }
  table.print(out);
}

}  // namespace

void write_console(const RunResult& result, std::ostream& out) {
  print_header(out, result);
  print_checks(out, result);
  print_thresholds(out, result);
  print_faults(out, result);
  print_load(out, result);
  out << "\n";
  print_wrapped(out, clean_text(verdict_counts(result)), "Summary: ");
  out << "Verdict: " << verdict_line(result) << "\n";
}

}  // namespace firedrill::reporters
