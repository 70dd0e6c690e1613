#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "loadgen/latency_histogram.hpp"

namespace firedrill::reporters::svg {

// Inline SVG charts for the HTML report: drawn here, so the report needs no script or library.
// Colours of markers come from the page's CSS classes; everything else is in the SVG itself.

struct Point {
  double x = 0;
  double y = 0;
};

struct Line {
  std::string color;
  bool dashed = false;
  // Each segment is drawn as one path; the gaps between them are seconds without data.
  std::vector<std::vector<Point>> segments;
};

// A vertical line across the plot, labelled above it, e.g. a fault injection.
struct Marker {
  double x = 0;
  std::string css_class;  // its colour, e.g. "m-fault"
  std::string label;      // a few characters: the event's number in the timeline
  std::string title;      // shown on hover
};

enum class Scale { Linear, Log };

struct LineChart {
  std::string title;  // for screen readers
  double x_min = 0;
  double x_max = 1;  // seconds from the drill start
  std::string y_title;
  Scale y_scale = Scale::Linear;
  std::function<std::string(double)> y_format;
  std::vector<Line> lines;
  std::vector<Marker> markers;
};

// Over a logarithmic latency axis: a bar holds the counts of values in [low_ns, high_ns).
struct Bar {
  double low_ns = 0;
  double high_ns = 0;
  uint64_t count = 0;
};

struct HistogramChart {
  std::string title;
  std::string color;
  std::vector<Bar> bars;
  std::vector<Marker> markers;  // x in nanoseconds, e.g. p50 and p99
};

std::string render(const LineChart& chart);
std::string render(const HistogramChart& chart);

// The histogram's counts gathered into bars of equal width on a log scale, `per_decade` bars per
// power of ten, from the bar of the minimum to the bar of the maximum (empty ones included). A
// bar's counts are exact to within the histogram's 0.1% buckets at its bounds.
std::vector<Bar> log_bars(const loadgen::LatencyHistogram& histogram, int per_decade);

// Tick labels: "0:00", "1:30", "1:02:03" on a time axis; "500us", "20ms", "1.5s" on a latency one.
std::string latency_label(double ns);
std::string clock_label(double seconds);

}  // namespace firedrill::reporters::svg
