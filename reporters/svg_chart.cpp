#include "reporters/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "reporters/report_text.hpp"

namespace firedrill::reporters::svg {

namespace {

constexpr double kWidth = 1100;
constexpr double kLeft = 64;
constexpr double kRight = 28;  // room for the last tick's label
constexpr double kTop = 34;    // room for the marker labels
constexpr double kBottom = 30;
constexpr double kLineChartHeight = 250;
constexpr double kHistogramHeight = 220;

std::string num(double v) {
  return fixed(v, 1);
}

// A value scale onto pixels; log scales need positive bounds.
struct Axis {
  double lo = 0;
  double hi = 1;
  Scale scale = Scale::Linear;
  double from_px = 0;
  double to_px = 1;

  double operator()(double v) const {
    double t = scale == Scale::Log
                   ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                   : (v - lo) / (hi - lo);
    return from_px + std::clamp(t, 0.0, 1.0) * (to_px - from_px);
  }
};

double nice_step(double range, int target_ticks) {
  double raw = range / target_ticks;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double n = raw / magnitude;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude;
}

// From 0 to the first tick at or above `top`, so the highest value stays inside the plot.
std::vector<double> linear_ticks(double top, int target_ticks) {
  std::vector<double> ticks;
  double step = nice_step(top, target_ticks);
  for (int i = 0; ticks.empty() || ticks.back() < top * (1 - 1e-9); ++i) ticks.push_back(i * step);
  return ticks;
}

// The 1-2-5 series: ..., 0.5, 1, 2, 5, 10, 20, ...
double grid_at_or_below(double v) {
  double decade = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {5.0, 2.0, 1.0}) {
    if (m * decade <= v * (1 + 1e-9)) return m * decade;
  }
  return decade;
}
double grid_at_or_above(double v) {
  double decade = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * decade >= v * (1 - 1e-9)) return m * decade;
  }
  return 10 * decade;
}

// 1-2-5 ticks while they are few, decades alone over a wide range.
std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> all;
  std::vector<double> decades;
  for (double d = std::floor(std::log10(lo)); d <= std::ceil(std::log10(hi)); ++d) {
    for (double m : {1.0, 2.0, 5.0}) {
      double v = m * std::pow(10.0, d);
      if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
      all.push_back(v);
      if (m == 1.0) decades.push_back(v);
    }
  }
  return all.size() <= 9 || decades.size() < 2 ? all : decades;
}

std::vector<double> time_ticks(double lo, double hi) {
  const double steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400};
  double step = steps[std::size(steps) - 1];
  for (double s : steps) {
    if ((hi - lo) / s <= 12) {
      step = s;
      break;
    }
  }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9; t += step) ticks.push_back(t);
  return ticks;
}

void open_svg(std::ostringstream& out, double height, const std::string& title,
              const std::string& css_class) {
  out << "<svg class=\"" << css_class << "\" viewBox=\"0 0 " << num(kWidth) << " " << num(height)
      << "\" role=\"img\" aria-label=\"" << xml_escape(title, Quoting::Attribute) << "\">\n";
}

void horizontal_grid(std::ostringstream& out, const Axis& y, const std::vector<double>& ticks,
                     const std::function<std::string(double)>& label) {
  out << "<g class=\"grid\">\n";
  for (double t : ticks) {
    double py = y(t);
    out << "<line x1=\"" << num(kLeft) << "\" x2=\"" << num(kWidth - kRight) << "\" y1=\""
        << num(py) << "\" y2=\"" << num(py) << "\"/>"
        << "<text class=\"tick\" x=\"" << num(kLeft - 6) << "\" y=\"" << num(py + 4)
        << "\" text-anchor=\"end\">" << xml_escape(label(t)) << "</text>\n";
  }
  out << "</g>\n";
}

void vertical_ticks(std::ostringstream& out, const Axis& x, const std::vector<double>& ticks,
                    double bottom, const std::function<std::string(double)>& label) {
  out << "<g class=\"grid\">\n";
  for (double t : ticks) {
    double px = x(t);
    out << "<line class=\"vgrid\" x1=\"" << num(px) << "\" x2=\"" << num(px) << "\" y1=\""
        << num(kTop) << "\" y2=\"" << num(bottom) << "\"/>"
        << "<text class=\"tick\" x=\"" << num(px) << "\" y=\"" << num(bottom + 18)
        << "\" text-anchor=\"middle\">" << xml_escape(label(t)) << "</text>\n";
  }
  out << "</g>\n";
}

void frame(std::ostringstream& out, double bottom) {
  out << "<rect class=\"frame\" x=\"" << num(kLeft) << "\" y=\"" << num(kTop) << "\" width=\""
      << num(kWidth - kLeft - kRight) << "\" height=\"" << num(bottom - kTop) << "\"/>\n";
}

// Every marker draws its own line; labels too close to tell apart share one ("6-8"), whose hover
// text lists them all, so that no label hides another.
void line_chart_markers(std::ostringstream& out, const Axis& x, const std::vector<Marker>& markers,
                        double bottom) {
  struct Label {
    std::vector<const Marker*> members;
    double first_px = 0;
    double last_px = 0;
    std::string text() const {
      if (members.size() == 1) return members[0]->label;
      return members.front()->label + (members.size() == 2 ? "," : "\xE2\x80\x93") +
             members.back()->label;
    }
    double width() const {
      return std::max(16.0, 6.5 * static_cast<double>(display_width(text())) + 8);
    }
    double center() const { return (first_px + last_px) / 2; }
  };
  std::vector<Label> labels;
  out << "<g class=\"markers\">\n";
  for (const auto& m : markers) {
    const double px = x(m.x);
    out << "<g class=\"marker " << xml_escape(m.css_class, Quoting::Attribute) << "\"><title>"
        << xml_escape(m.title) << "</title><line x1=\"" << num(px) << "\" x2=\"" << num(px)
        << "\" y1=\"" << num(kTop - 10) << "\" y2=\"" << num(bottom) << "\"/></g>\n";
    if (!labels.empty() && px - 8 < labels.back().center() + labels.back().width() / 2 + 2) {
      labels.back().members.push_back(&m);
      labels.back().last_px = px;
    } else {
      labels.push_back({{&m}, px, px});
    }
  }
  for (const auto& label : labels) {
    std::string css = label.members.front()->css_class;
    std::string title;
    for (const Marker* m : label.members) {
      if (m->css_class != css) css = "m-mixed";
      title += (title.empty() ? "" : "\n") + m->title;
    }
    const double w = label.width();
    out << "<g class=\"marker-label " << xml_escape(css, Quoting::Attribute) << "\"><title>"
        << xml_escape(title) << "</title><rect x=\"" << num(label.center() - w / 2) << "\" y=\""
        << num(kTop - 26) << "\" width=\"" << num(w) << "\" height=\"16\" rx=\"8\"/><text x=\""
        << num(label.center()) << "\" y=\"" << num(kTop - 14.5) << "\" text-anchor=\"middle\">"
        << xml_escape(label.text()) << "</text></g>\n";
  }
  out << "</g>\n";
}

}  // namespace

std::string latency_label(double ns) {
  char buf[32];
  if (ns >= 1e9) {
    std::snprintf(buf, sizeof buf, "%gs", ns / 1e9);
  } else if (ns >= 1e6) {
    std::snprintf(buf, sizeof buf, "%gms", ns / 1e6);
  } else if (ns >= 1e3) {
    std::snprintf(buf, sizeof buf, "%gus", ns / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%gns", ns);
  }
  return buf;
}

std::string clock_label(double seconds) {
  auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", total / 60, total % 60);
  }
  return buf;
}

std::string render(const LineChart& chart) {
  const double bottom = kLineChartHeight - kBottom;
  double x_max = chart.x_max > chart.x_min ? chart.x_max : chart.x_min + 1;
  Axis x{chart.x_min, x_max, Scale::Linear, kLeft, kWidth - kRight};

  double y_lo = INFINITY;
  double y_hi = 0;
  for (const auto& line : chart.lines) {
    for (const auto& segment : line.segments) {
      for (const auto& p : segment) {
        if (!std::isfinite(p.y)) continue;
        y_hi = std::max(y_hi, p.y);
        if (p.y > 0) y_lo = std::min(y_lo, p.y);
      }
    }
  }
  Axis y;
  y.scale = chart.y_scale;
  y.from_px = bottom;
  y.to_px = kTop;
  std::vector<double> y_ticks;
  if (chart.y_scale == Scale::Log) {
    if (!(y_lo < INFINITY)) y_lo = y_hi = 1;
    y.lo = grid_at_or_below(y_lo);
    y.hi = grid_at_or_above(y_hi);
    if (y.hi <= y.lo) y.hi = grid_at_or_above(y.lo * 1.01);
    y_ticks = log_ticks(y.lo, y.hi);
  } else {
    y_ticks = linear_ticks(y_hi > 0 ? y_hi * 1.05 : 1, 5);
    y.lo = 0;
    y.hi = y_ticks.back();
  }

  std::ostringstream out;
  open_svg(out, kLineChartHeight, chart.title, "chart");
  horizontal_grid(out, y, y_ticks, chart.y_format);
  vertical_ticks(out, x, time_ticks(chart.x_min, x_max), bottom, clock_label);
  out << "<text class=\"axis-title\" transform=\"translate(14 " << num((kTop + bottom) / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">" << xml_escape(chart.y_title) << "</text>\n";
  line_chart_markers(out, x, chart.markers, bottom);
  out << "<g class=\"lines\">\n";
  for (const auto& line : chart.lines) {
    for (const auto& segment : line.segments) {
      std::string d;
      for (const auto& p : segment) {
        bool drawable =
            std::isfinite(p.x) && std::isfinite(p.y) && (y.scale == Scale::Linear || p.y > 0);
        if (!drawable) continue;
        d += (d.empty() ? "M" : " L") + num(x(p.x)) + " " + num(y(p.y));
      }
      if (d.empty()) continue;
      out << "<path class=\"series\" d=\"" << d << "\" stroke=\""
          << xml_escape(line.color, Quoting::Attribute) << "\""
          << (line.dashed ? " stroke-dasharray=\"6 4\"" : "") << "/>\n";
    }
  }
  out << "</g>\n";
  frame(out, bottom);
  out << "</svg>\n";
  return out.str();
}

std::string render(const HistogramChart& chart) {
  const double bottom = kHistogramHeight - kBottom;
  std::ostringstream out;
  open_svg(out, kHistogramHeight, chart.title, "chart histogram");
  uint64_t highest = 0;
  for (const auto& b : chart.bars) highest = std::max(highest, b.count);
  if (chart.bars.empty() || highest == 0) {
    out << "<text class=\"empty\" x=\"" << num(kWidth / 2) << "\" y=\"" << num(kHistogramHeight / 2)
        << "\" text-anchor=\"middle\">no responses</text>\n";
    frame(out, bottom);
    out << "</svg>\n";
    return out.str();
  }
  Axis x{grid_at_or_below(chart.bars.front().low_ns), grid_at_or_above(chart.bars.back().high_ns),
         Scale::Log, kLeft, kWidth - kRight};
  std::vector<double> y_ticks = linear_ticks(static_cast<double>(highest) * 1.05, 4);
  Axis y{0, y_ticks.back(), Scale::Linear, bottom, kTop};

  horizontal_grid(out, y, y_ticks, [](double v) { return format_count(static_cast<uint64_t>(v)); });
  vertical_ticks(out, x, log_ticks(x.lo, x.hi), bottom, latency_label);
  out << "<text class=\"axis-title\" transform=\"translate(14 " << num((kTop + bottom) / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">responses</text>\n";
  out << "<g class=\"bars\" fill=\"" << xml_escape(chart.color, Quoting::Attribute) << "\">\n";
  for (const auto& b : chart.bars) {
    if (b.count == 0) continue;
    double left = x(b.low_ns);
    double width = std::max(1.0, x(b.high_ns) - left - 1);
    double top = y(static_cast<double>(b.count));
    out << "<rect x=\"" << num(left) << "\" y=\"" << num(top) << "\" width=\"" << num(width)
        << "\" height=\"" << num(std::max(0.5, bottom - top)) << "\"><title>"
        << format_latency(static_cast<uint64_t>(b.low_ns)) << " to "
        << format_latency(static_cast<uint64_t>(b.high_ns)) << ": " << format_count(b.count)
        << "</title></rect>\n";
  }
  out << "</g>\n<g class=\"markers\">\n";
  for (const auto& m : chart.markers) {
    double px = x(m.x);
    out << "<g class=\"marker " << xml_escape(m.css_class, Quoting::Attribute) << "\"><title>"
        << xml_escape(m.title) << "</title><line x1=\"" << num(px) << "\" x2=\"" << num(px)
        << "\" y1=\"" << num(kTop - 6) << "\" y2=\"" << num(bottom) << "\"/><text x=\""
        << num(px + 4) << "\" y=\"" << num(kTop - 10) << "\">" << xml_escape(m.label)
        << "</text></g>\n";
  }
  out << "</g>\n";
  frame(out, bottom);
  out << "</svg>\n";
  return out.str();
}

std::vector<Bar> log_bars(const loadgen::LatencyHistogram& histogram, int per_decade) {
  std::vector<Bar> bars;
  if (histogram.count() == 0) return bars;
  // The epsilon keeps a value on a bar's lower bound, e.g. 1000 ns, out of the bar below it.
  auto bar_of = [&](uint64_t ns) {
    return static_cast<int>(std::floor(std::log10(std::max<double>(1, ns)) * per_decade + 1e-9));
  };
  auto bound = [&](int bar) { return std::pow(10.0, static_cast<double>(bar) / per_decade); };
  // Values below a bar's (fractional) lower bound are those at or below its ceiling minus one.
  auto below = [&](double bound_ns) {
    const auto last = static_cast<uint64_t>(std::ceil(bound_ns - 1e-9));
    return last == 0 ? 0 : histogram.count_at_or_below(last - 1);
  };
  const int first = bar_of(histogram.min());
  const int last = bar_of(histogram.max());
  uint64_t before = 0;
  for (int bar = first; bar <= last; ++bar) {
    const uint64_t upto = bar == last ? histogram.count() : below(bound(bar + 1));
    bars.push_back({bound(bar), bound(bar + 1), upto - before});
    before = upto;
  }
  return bars;
}

}  // namespace firedrill::reporters::svg
