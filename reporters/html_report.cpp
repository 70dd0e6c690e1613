#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "reporters/report_summary.hpp"
#include "reporters/report_text.hpp"
#include "reporters/reporter.hpp"
#include "reporters/svg_chart.hpp"

namespace firedrill::reporters {

namespace {

// One file that opens anywhere, offline: styles inline, charts as inline SVG, no script.
constexpr const char* kStyle = R"css(
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f3f4f6;--card:#fff;
--mono:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px}
.banner{border-radius:10px;padding:18px 24px;color:#fff;display:flex;flex-wrap:wrap;
align-items:center;gap:6px 20px}
.banner .what{font-size:12px;text-transform:uppercase;letter-spacing:.08em;opacity:.85;
flex-basis:100%}
.banner h1{margin:0;font-size:26px;font-weight:650}
.banner .verdict{font-size:18px;font-weight:700;letter-spacing:.05em;padding:3px 12px;
border-radius:6px;background:rgba(255,255,255,.2)}
.banner .counts{flex-basis:100%;margin:0;opacity:.95}
.v-passed{background:#15803d}.v-failed{background:#b91c1c}.v-aborted{background:#b45309}
.v-revert_failed{background:#7f1d1d}.v-other{background:#374151}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:14px 4px}
.meta dt{color:var(--muted)}.meta dd{margin:0;font-family:var(--mono);font-size:13px;
overflow-wrap:anywhere}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;
margin:14px 0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.tile .k{color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.06em}
.tile .v{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.tile .s{color:var(--muted);font-size:12px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:16px 20px;margin:14px 0}
h2{font-size:17px;margin:0 0 10px}
h3{font-size:14px;margin:18px 0 4px}
.none{color:var(--muted);margin:0}
table{border-collapse:collapse;width:100%}
th{text-align:left;font-size:11px;color:var(--muted);text-transform:uppercase;
letter-spacing:.05em;border-bottom:2px solid var(--line);padding:6px 8px;white-space:nowrap}
td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.time{white-space:nowrap;font-variant-numeric:tabular-nums}
tr:last-child td{border-bottom:none}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:650;
white-space:nowrap}
.pass{background:#dcfce7;color:#166534}.fail{background:#fee2e2;color:#991b1b}
.warn{background:#fef3c7;color:#92400e}.info{background:#e5e7eb;color:#374151}
.kind{font-family:var(--mono);font-size:12px;background:#eef2ff;color:#3730a3;padding:1px 6px;
border-radius:4px;white-space:nowrap}
.msg{color:#4b5563;margin-top:3px;overflow-wrap:anywhere}
.desc{overflow-wrap:anywhere}
details{margin-top:4px}
summary{cursor:pointer;color:#2563eb;font-size:12px}
pre{background:#0f172a;color:#e2e8f0;padding:10px 12px;border-radius:6px;overflow:auto;
max-height:340px;margin:6px 0 0;font:12px/1.45 var(--mono);white-space:pre-wrap;
overflow-wrap:anywhere}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12px;color:#374151;margin:2px 0 6px}
.swatch{display:inline-block;width:20px;height:0;border-top:3px solid;vertical-align:middle;
margin-right:6px}
.swatch.dashed{border-top-style:dashed}
.key{display:inline-block;width:10px;height:10px;border-radius:50%;background:currentColor;
vertical-align:middle;margin-right:6px}
.chart{width:100%;height:auto;display:block;margin:4px 0 10px}
.chart .grid line{stroke:#eceef1}
.chart .tick{fill:#6b7280;font-size:11px}
.chart .axis-title{fill:#374151;font-size:12px}
.chart .frame{fill:none;stroke:#d1d5db}
.chart .series{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.chart .empty{fill:var(--muted);font-size:14px}
.marker line{stroke:currentColor;stroke-width:1.5;stroke-dasharray:4 3}
.marker-label rect{fill:currentColor}
.marker-label text{fill:#fff;font-size:10px;font-weight:700}
.histogram .marker text{fill:currentColor;font-size:12px;font-weight:650}
.m-step{color:#94a3b8}.m-fault{color:#dc2626}.m-revert{color:#65a30d}
.m-revert-failed{color:#7c2d12}.m-detect{color:#7c3aed}.m-check-failed{color:#ea580c}
.m-abort{color:#111827}.m-mixed{color:#374151}.m-p50{color:#0f766e}.m-p99{color:#9d174d}
footer{color:var(--muted);font-size:12px;text-align:center;margin:18px 0 8px}
)css";

constexpr const char* kPalette[] = {"#2563eb", "#0891b2", "#db2777",
                                    "#ca8a04", "#4f46e5", "#059669"};

struct MarkerStyle {
  EventType type;
  const char* css_class;
  const char* label;
};

// Timeline events drawn on the time axis; the others are listed in the timeline table only.
constexpr MarkerStyle kMarkerStyles[] = {
    {EventType::StepStart, "m-step", "step start"},
    {EventType::FaultInjected, "m-fault", "fault injected"},
    {EventType::FaultReverted, "m-revert", "fault reverted"},
    {EventType::FaultRevertFailed, "m-revert-failed", "revert failed"},
    {EventType::CheckPassed, "m-detect", "check passed"},
    {EventType::CheckFailed, "m-check-failed", "check failed"},
    {EventType::Aborted, "m-abort", "aborted"},
};

const MarkerStyle* marker_style(EventType type) {
  for (const auto& s : kMarkerStyles) {
    if (type == s.type) return &s;
  }
  return nullptr;
}

std::string esc(std::string_view text) {
  return xml_escape(text);
}

std::string pill(const std::string& css, const std::string& text) {
  return "<span class=\"pill " + css + "\">" + esc(text) + "</span>";
}

std::string check_pill(const CheckResult& c) {
  if (check_passed(c)) return pill("pass", "passed");
  if (check_failed(c)) return pill("fail", "failed");
  return pill("warn", to_string(c.verdict));
}

std::string short_number(double v) {
  char buf[32];
  if (v >= 10000) {
    std::snprintf(buf, sizeof buf, "%gk", v / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%g", v);
  }
  return buf;
}

std::string ms_tick(double ms) {
  return svg::latency_label(ms * 1e6);
}

// Colours by profile, so two runs of one profile read as one line.
std::map<std::string, std::string> profile_colors(const RunResult& r) {
  std::map<std::string, std::string> colors;
  for (const auto& run : r.loads) {
    if (colors.count(run.profile) == 0) {
      colors[run.profile] = kPalette[colors.size() % std::size(kPalette)];
    }
  }
  return colors;
}

std::vector<svg::Marker> timeline_markers(const RunResult& r) {
  std::vector<svg::Marker> markers;
  for (size_t i = 0; i < r.timeline.size(); ++i) {
    const TimelineEvent& e = r.timeline[i];
    const MarkerStyle* style = marker_style(e.type);
    if (!style) continue;
    std::string title = format_offset(e.at_s) + " " + style->label;
    if (!e.name.empty()) title += ": " + e.name;
    if (!e.detail.empty()) title += " \xE2\x80\x94 " + e.detail;
    markers.push_back({e.at_s, style->css_class, std::to_string(i + 1), title});
  }
  return markers;
}

double chart_end(const RunResult& r) {
  double end = r.duration_s;
  for (const auto& e : r.timeline) end = std::max(end, e.at_s);
  for (const auto& run : r.loads) {
    if (!run.result.series.empty()) {
      end = std::max(end, run.started_s + run.result.series.back().elapsed_s);
    }
  }
  return end;
}

void write_header(std::ostream& out, const RunResult& r) {
  out << "<header class=\"banner v-" << to_string(r.verdict) << "\">"
      << "<div class=\"what\">firedrill drill</div><h1>" << esc(r.drill_name) << "</h1>"
      << "<div class=\"verdict\">" << esc(verdict_title(r.verdict)) << "</div>"
      << "<p class=\"counts\">" << esc(verdict_counts(r)) << "</p>";
  if (!r.abort_reason.empty()) {
    out << "<p class=\"counts\">aborted: " << esc(r.abort_reason) << "</p>";
  }
  out << "</header>\n";
  out << "<dl class=\"meta\">";
  auto item = [&](const char* key, const std::string& value) {
    if (!value.empty()) out << "<dt>" << key << "</dt><dd>" << esc(value) << "</dd>";
  };
  item("run", r.run_id);
  item("drill file", r.drill_file);
  item("started", r.started_at);
  item("duration", format_seconds(r.duration_s));
  item("exit code", std::to_string(r.exit_code));
  item("aborted", r.abort_reason);
  out << "</dl>\n";
}

void tile(std::ostream& out, const std::string& key, const std::string& value,
          const std::string& sub) {
  out << "<div class=\"tile\"><div class=\"k\">" << esc(key) << "</div><div class=\"v\">"
      << esc(value) << "</div><div class=\"s\">" << esc(sub) << "</div></div>";
}

void write_tiles(std::ostream& out, const RunResult& r) {
  out << "<div class=\"tiles\">";
  Tally checks = tally_checks(r.checks);
  std::string checks_note = checks.total() == 0 ? "none in this drill" : "passed";
  if (checks.failed > 0) checks_note += ", " + std::to_string(checks.failed) + " failed";
  if (checks.other > 0) checks_note += ", " + std::to_string(checks.other) + " inconclusive";
  tile(out, "checks", std::to_string(checks.passed) + " / " + std::to_string(checks.total()),
       checks_note);
  std::vector<double> detections;
  for (const auto& c : r.checks) {
    if (c.time_to_detect_s) detections.push_back(*c.time_to_detect_s);
  }
  if (!detections.empty()) {
    auto [fastest, slowest] = std::minmax_element(detections.begin(), detections.end());
    tile(out, "slowest detection", format_seconds(*slowest),
         "fastest " + format_seconds(*fastest) + " of " + std::to_string(detections.size()));
  }
  Tally thresholds = tally_thresholds(r.thresholds);
  tile(out, "thresholds",
       std::to_string(thresholds.passed) + " / " + std::to_string(thresholds.total()),
       thresholds.total() == 0 ? "none in this drill" : "passed");
  int not_reverted = revert_failures(r.faults);
  tile(out, "faults", std::to_string(r.faults.size()),
       r.faults.empty()   ? "none injected"
       : not_reverted > 0 ? std::to_string(not_reverted) + " failed to revert"
                          : "injected and reverted");
  if (!r.loads.empty()) {
    loadgen::LoadStats all;
    for (const auto& run : r.loads) all.merge(run.result.stats);
    uint64_t errors = all.failed + all.errored + all.dropped;
    tile(out, "requests", format_count(all.completed()),
         format_count(errors) + " errors" +
             (all.completed() + all.dropped > 0
                  ? " (" + fixed(100.0 * errors / (all.completed() + all.dropped), 2) + "%)"
                  : ""));
    if (all.latency.count() > 0) {
      tile(out, "latency p99", format_latency(all.latency.value_at_quantile(0.99)),
           "p50 " + format_latency(all.latency.value_at_quantile(0.5)));
    }
  }
  out << "</div>\n";
}

void write_charts(std::ostream& out, const RunResult& r) {
  out << "<section id=\"charts\"><h2>Load over the drill</h2>\n";
  if (r.loads.empty()) {
    out << "<p class=\"none\">No load was run in this drill.</p></section>\n";
    return;
  }
  auto colors = profile_colors(r);
  std::vector<svg::Marker> markers = timeline_markers(r);
  out << "<div class=\"legend\">";
  for (const auto& [profile, color] : colors) {
    out << "<span><span class=\"swatch\" style=\"border-color:" << color << "\"></span>"
        << esc(profile) << "</span>";
  }
  out << "</div>\n";

  svg::LineChart rps;
  rps.title = "Responses per second over the drill";
  rps.x_max = chart_end(r);
  rps.y_title = "responses/s";
  rps.y_format = short_number;
  rps.markers = markers;
  svg::LineChart latency = rps;
  latency.title = "Latency p50 and p99 over the drill";
  latency.y_title = "latency (log)";
  latency.y_scale = svg::Scale::Log;
  latency.y_format = ms_tick;
  bool has_target = false;
  for (const auto& run : r.loads) {
    const std::string& color = colors[run.profile];
    svg::Line line{color, false, {{}}};
    svg::Line target{"#9ca3af", true, {{}}};
    svg::Line p50{color, true, {}};
    svg::Line p99{color, false, {}};
    bool in_gap = true;
    for (const auto& p : run.result.series) {
      double t = run.started_s + p.elapsed_s;
      line.segments[0].push_back({t, static_cast<double>(p.responses)});
      if (p.target_rps > 0) {
        target.segments[0].push_back({t, p.target_rps});
        has_target = true;
      }
      // A second without responses has no latency: the lines break there.
      if (p.p50_ns == 0 || p.p99_ns == 0) {
        in_gap = true;
        continue;
      }
      if (in_gap) {
        p50.segments.emplace_back();
        p99.segments.emplace_back();
        in_gap = false;
      }
      p50.segments.back().push_back({t, static_cast<double>(p.p50_ns) / 1e6});
      p99.segments.back().push_back({t, static_cast<double>(p.p99_ns) / 1e6});
    }
    rps.lines.push_back(std::move(line));
    if (!target.segments[0].empty()) rps.lines.push_back(std::move(target));
    latency.lines.push_back(std::move(p50));
    latency.lines.push_back(std::move(p99));
  }
  out << "<h3>Throughput</h3>\n";
  if (has_target) {
    out << "<div class=\"legend\"><span><span class=\"swatch dashed\" "
           "style=\"border-color:#9ca3af\"></span>target rate (open loop)</span></div>\n";
  }
  out << svg::render(rps);
  out << "<h3>Latency</h3>\n<div class=\"legend\"><span><span class=\"swatch\" "
         "style=\"border-color:#4b5563\"></span>p99</span><span><span class=\"swatch dashed\" "
         "style=\"border-color:#4b5563\"></span>p50</span><span>per second, from the intended "
         "send time</span></div>\n";
  out << svg::render(latency);
  out << "<div class=\"legend\">";
  for (const auto& s : kMarkerStyles) {
    out << "<span class=\"" << s.css_class << "\"><span class=\"key\"></span>" << s.label
        << "</span>";
  }
  out << "<span>numbers refer to the timeline below</span></div>\n</section>\n";
}

std::string evidence_details(const nlohmann::json& evidence) {
  if (evidence.is_null() || (evidence.is_object() && evidence.empty())) return "";
  return "<details><summary>evidence</summary><pre>" + esc(evidence_text(evidence)) +
         "</pre></details>";
}

void write_checks(std::ostream& out, const RunResult& r) {
  out << "<section id=\"checks\"><h2>Checks</h2>\n";
  if (r.checks.empty()) {
    out << "<p class=\"none\">No checks in this drill.</p></section>\n";
    return;
  }
  out << "<table><thead><tr><th>verdict</th><th>step</th><th>check</th><th>window</th>"
         "<th class=\"num\">detected</th><th class=\"num\">polls</th><th>span</th></tr></thead>"
         "<tbody>\n";
  for (const auto& c : r.checks) {
    out << "<tr><td>" << check_pill(c) << "</td><td>" << esc(c.step) << "</td><td>"
        << "<span class=\"kind\">" << esc(c.kind) << "</span> <span class=\"desc\">"
        << esc(c.description) << "</span>";
    if (!c.message.empty()) out << "<div class=\"msg\">" << esc(c.message) << "</div>";
    out << evidence_details(c.evidence) << "</td><td class=\"time\">" << esc(to_string(c.window));
    if (c.window_s > 0) out << " " << format_seconds(c.window_s);
    out << "</td><td class=\"num\">"
        << (c.time_to_detect_s ? format_seconds(*c.time_to_detect_s) : "&mdash;")
        << "</td><td class=\"num\">" << c.polls << "</td><td class=\"time\">"
        << format_offset(c.started_s) << " &ndash; " << format_offset(c.ended_s) << "</td></tr>\n";
  }
  out << "</tbody></table></section>\n";
}

void write_thresholds(std::ostream& out, const RunResult& r) {
  out << "<section id=\"thresholds\"><h2>Thresholds</h2>\n";
  if (r.thresholds.empty()) {
    out << "<p class=\"none\">No thresholds in this drill.</p></section>\n";
    return;
  }
  out << "<table><thead><tr><th>result</th><th>metric</th><th>expression</th><th>observed</th>"
         "<th>profile</th></tr></thead><tbody>\n";
  for (const auto& t : r.thresholds) {
    out << "<tr><td>" << (t.passed ? pill("pass", "passed") : pill("fail", "failed"))
        << "</td><td><span class=\"kind\">" << esc(t.metric) << "</span></td><td>"
        << esc(t.expression) << "</td><td>" << esc(t.observed_text) << "</td><td>"
        << esc(t.profile.empty() ? "all load" : t.profile) << "</td></tr>\n";
  }
  out << "</tbody></table></section>\n";
}

void write_faults(std::ostream& out, const RunResult& r) {
  out << "<section id=\"faults\"><h2>Faults</h2>\n";
  if (r.faults.empty()) {
    out << "<p class=\"none\">No faults in this drill.</p></section>\n";
    return;
  }
  out << "<table><thead><tr><th>state</th><th>step</th><th>fault</th><th>injected</th>"
         "<th>reverted</th></tr></thead><tbody>\n";
  for (const auto& f : r.faults) {
    std::string state = f.revert_failed   ? pill("fail", "revert failed")
                        : f.reverted_s    ? pill("pass", "reverted")
                        : f.error.empty() ? pill("info", "not reverted")
                                          : pill("fail", "error");
    out << "<tr><td>" << state << "</td><td>" << esc(f.step) << "</td><td><span class=\"kind\">"
        << esc(f.kind) << "</span> <span class=\"desc\">" << esc(f.description) << "</span>";
    if (!f.error.empty()) out << "<div class=\"msg\">" << esc(f.error) << "</div>";
    out << "</td><td class=\"time\">" << format_offset(f.injected_s) << "</td><td class=\"time\">"
        << (f.reverted_s ? format_offset(*f.reverted_s) : "&mdash;") << "</td></tr>\n";
  }
  out << "</tbody></table></section>\n";
}

void write_loads(std::ostream& out, const RunResult& r) {
  out << "<section id=\"load\"><h2>Load</h2>\n";
  if (r.loads.empty()) {
    out << "<p class=\"none\">No load was run in this drill.</p></section>\n";
    return;
  }
  out << "<table><thead><tr><th>profile</th><th>step</th><th>start</th><th>duration</th>"
         "<th>protocol</th><th class=\"num\">requests</th><th class=\"num\">failed</th>"
         "<th class=\"num\">errored</th><th class=\"num\">dropped</th><th class=\"num\">req/s</th>"
         "<th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th>"
         "<th class=\"num\">max</th></tr></thead><tbody>\n";
  for (const auto& run : r.loads) {
    const loadgen::LoadResult& lr = run.result;
    const loadgen::LoadStats& s = lr.stats;
    auto q = [&](double quantile) {
      return s.latency.count() ? format_latency(s.latency.value_at_quantile(quantile))
                               : std::string("&mdash;");
    };
    out << "<tr><td>" << esc(run.profile) << "</td><td>" << esc(run.step)
        << "</td><td class=\"time\">" << format_offset(run.started_s) << "</td><td class=\"time\">"
        << format_seconds(lr.duration_s) << "</td><td>"
        << esc(lr.unreachable ? "unreachable" : lr.negotiated) << "</td><td class=\"num\">"
        << format_count(s.completed()) << "</td><td class=\"num\">" << format_count(s.failed)
        << "</td><td class=\"num\">" << format_count(s.errored) << "</td><td class=\"num\">"
        << format_count(s.dropped) << "</td><td class=\"num\">" << fixed(lr.rps(), 1)
        << "</td><td class=\"num\">" << q(0.5) << "</td><td class=\"num\">" << q(0.9)
        << "</td><td class=\"num\">" << q(0.99) << "</td><td class=\"num\">" << q(1.0)
        << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
  auto colors = profile_colors(r);
  for (const auto& run : r.loads) {
    const loadgen::LatencyHistogram& h = run.result.stats.latency;
    out << "<h3>Latency distribution: " << esc(run.profile) << " (" << esc(run.step) << ", "
        << format_count(h.count()) << " responses)</h3>\n";
    svg::HistogramChart chart;
    chart.title = "Latency distribution of " + run.profile;
    chart.color = colors[run.profile];
    chart.bars = svg::log_bars(h, 20);
    if (h.count() > 0) {
      for (auto [q, name, css] : {std::tuple{0.5, "p50", "m-p50"}, {0.99, "p99", "m-p99"}}) {
        uint64_t v = h.value_at_quantile(q);
        std::string label = std::string(name) + " " + format_latency(v);
        chart.markers.push_back({static_cast<double>(v), css, label, label});
      }
    }
    out << svg::render(chart);
  }
  out << "</section>\n";
}

const char* event_css(EventType type) {
  switch (type) {
    case EventType::CheckPassed:
    case EventType::FaultReverted:
      return "pass";
    case EventType::CheckFailed:
    case EventType::ThresholdFailed:
    case EventType::FaultRevertFailed:
    case EventType::Aborted:
    case EventType::FaultInjected:
      return "fail";
    default:
      return "info";
  }
}

std::string event_pill(EventType type) {
  std::string text = to_string(type);
  std::replace(text.begin(), text.end(), '_', ' ');
  return pill(event_css(type), text);
}

void write_timeline(std::ostream& out, const RunResult& r) {
  out << "<section id=\"timeline\"><h2>Timeline</h2>\n";
  if (r.timeline.empty()) {
    out << "<p class=\"none\">No events were recorded.</p></section>\n";
    return;
  }
  out << "<table><thead><tr><th class=\"num\">#</th><th>at</th><th>event</th><th>name</th>"
         "<th>detail</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < r.timeline.size(); ++i) {
    const TimelineEvent& e = r.timeline[i];
    out << "<tr><td class=\"num\">" << i + 1 << "</td><td class=\"time\">" << format_offset(e.at_s)
        << "</td><td>" << event_pill(e.type) << "</td><td>" << esc(e.name)
        << "</td><td class=\"desc\">" << esc(e.detail) << "</td></tr>\n";
  }
  out << "</tbody></table></section>\n";
}

}  // namespace

void write_html(const RunResult& r, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << esc(r.drill_name) << ": " << esc(verdict_title(r.verdict))
      << " \xE2\x80\x94 firedrill</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n<main>\n";
  write_header(out, r);
  write_tiles(out, r);
  write_charts(out, r);
  write_checks(out, r);
  write_thresholds(out, r);
  write_faults(out, r);
  write_loads(out, r);
  write_timeline(out, r);
  out << "<footer>" << esc(kRunResultSchema);
  if (!r.run_id.empty()) out << " &middot; run " << esc(r.run_id);
  out << "</footer>\n</main>\n</body>\n</html>\n";
}

}  // namespace firedrill::reporters
