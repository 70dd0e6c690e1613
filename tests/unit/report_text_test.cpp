// Formatting, escaping and chart helpers shared by the reporters.
#include <gtest/gtest.h>

#include "reporters/report_summary.hpp"
#include "reporters/report_text.hpp"
#include "reporters/svg_chart.hpp"
#include "tests/fixtures/sample_run_result.hpp"

namespace firedrill::reporters {
namespace {

TEST(ReportText, FormatsTimesLatenciesAndCounts) {
  EXPECT_EQ(format_seconds(0.85), "850ms");
  EXPECT_EQ(format_seconds(4.25), "4.25s");
  EXPECT_EQ(format_seconds(12.4), "12.4s");
  EXPECT_EQ(format_seconds(43.7), "43.7s");
  EXPECT_EQ(format_seconds(185), "3m05s");
  EXPECT_EQ(format_seconds(3723), "1h02m03s");
  EXPECT_EQ(format_offset(100.2), "+1m40s");
  EXPECT_EQ(format_latency(850), "850ns");
  EXPECT_EQ(format_latency(12'345'678), "12.3ms");
  EXPECT_EQ(format_latency(1'200'000'000), "1.20s");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_count(999), "999");
}

TEST(ReportText, CleanTextKeepsUtf8AndShowsControlCharacters) {
  EXPECT_EQ(clean_text("caf\xC3\xA9 \xE2\x9C\x93"), "caf\xC3\xA9 \xE2\x9C\x93");
  EXPECT_EQ(clean_text("a\x01z"), "a\\u0001z");
  EXPECT_EQ(clean_text("tab\tnew\nline\r"), "tab\tnew\nline\\u000d");
  EXPECT_EQ(clean_text("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(clean_text("cut \xE2\x9C"), "cut \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(clean_text("overlong \xC0\xAF"), "overlong \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(clean_text("surrogate \xED\xA0\x80"), "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(clean_text("nonchar \xEF\xBF\xBF"), "nonchar \xEF\xBF\xBD");
}

TEST(ReportText, XmlEscape) {
  EXPECT_EQ(xml_escape("<a href='x'>&\"</a>"), "&lt;a href='x'&gt;&amp;\"&lt;/a&gt;");
  EXPECT_EQ(xml_escape("<a href='x'>&\"</a>", Quoting::Attribute),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(xml_escape("one\ntwo\tthree"), "one\ntwo\tthree");
  EXPECT_EQ(xml_escape("one\ntwo\tthree", Quoting::Attribute), "one&#10;two&#9;three");
  EXPECT_EQ(xml_escape("\x1b[0m"), "\\u001b[0m");
}

TEST(ReportSummary, TalliesAndVerdictLine) {
  RunResult r = testing::sample_run_result();
  Tally checks = tally_checks(r.checks);
  EXPECT_EQ(checks.passed, 3);
  EXPECT_EQ(checks.failed, 1);
  EXPECT_EQ(checks.other, 1);
  EXPECT_EQ(verdict_line(r), "FAILED (exit 1)");
  EXPECT_EQ(verdict_counts(r),
            "5 checks: 3 passed, 1 failed, 1 inconclusive; 2 thresholds: 1 passed, 1 failed; 1 "
            "fault");
  r.checks[0].verdict = CheckVerdict::Pending;
  EXPECT_EQ(tally_checks(r.checks).passed, 2);
  EXPECT_EQ(verdict_title(RunVerdict::RevertFailed), "REVERT FAILED");
}

TEST(ReportSummary, ProfilesMergeTheirRuns) {
  RunResult r = testing::sample_run_result();
  r.loads.push_back(r.loads[0]);
  r.loads.back().started_s = 290;
  std::vector<ProfileSummary> profiles = summarize_profiles(r.loads);
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[0].profile, "baseline");
  EXPECT_EQ(profiles[0].runs, 2);
  EXPECT_EQ(profiles[0].stats.latency.count(), 2 * r.loads[0].result.stats.latency.count());
  EXPECT_DOUBLE_EQ(profiles[0].duration_s, 2 * r.loads[0].result.duration_s);
  EXPECT_NEAR(profiles[0].rps(), r.loads[0].result.rps(), 1e-9);
  EXPECT_EQ(profiles[1].profile, "spike");
  EXPECT_EQ(profiles[0].errors(), 2 * r.loads[0].result.stats.failed);
}

TEST(SvgChart, LogBarsKeepEveryCountInTheRightBar) {
  loadgen::LatencyHistogram h;
  h.record_n(1'000'000, 5);    // 1 ms: the lower bound of a bar
  h.record_n(12'000'000, 7);   // 12 ms
  h.record_n(900'000'000, 2);  // 900 ms
  std::vector<svg::Bar> bars = svg::log_bars(h, 20);
  uint64_t total = 0;
  for (size_t i = 0; i < bars.size(); ++i) {
    total += bars[i].count;
    if (i > 0) {
      EXPECT_DOUBLE_EQ(bars[i].low_ns, bars[i - 1].high_ns);
    }
  }
  EXPECT_EQ(total, 14u);
  ASSERT_FALSE(bars.empty());
  EXPECT_NEAR(bars.front().low_ns, 1e6, 1);
  EXPECT_EQ(bars.front().count, 5u);
  EXPECT_EQ(bars.back().count, 2u);
  EXPECT_LE(bars.back().low_ns, 9e8);
  EXPECT_GT(bars.back().high_ns, 9e8);
  // 3 decades at 20 per decade, from the 1 ms bar to the 900 ms one.
  EXPECT_EQ(bars.size(), 60u);
  for (const auto& b : bars) {
    if (b.low_ns <= 12e6 && 12e6 < b.high_ns) {
      EXPECT_EQ(b.count, 7u);
    }
  }
  EXPECT_TRUE(svg::log_bars(loadgen::LatencyHistogram(), 20).empty());
}

TEST(SvgChart, ClockLabels) {
  EXPECT_EQ(svg::clock_label(0), "0:00");
  EXPECT_EQ(svg::clock_label(90), "1:30");
  EXPECT_EQ(svg::clock_label(3723), "1:02:03");
}

TEST(SvgChart, LineChartDrawsFiniteCoordinatesOnly) {
  svg::LineChart chart;
  chart.x_max = 10;
  chart.y_scale = svg::Scale::Log;
  chart.y_format = [](double v) { return std::to_string(v); };
  chart.lines.push_back({"#000", false, {{{1, 0}, {2, 5}, {3, INFINITY}, {4, 50}}}});
  chart.markers.push_back({5, "m-fault", "1", "fault <injected>"});
  std::string out = svg::render(chart);
  EXPECT_NE(out.find("<path class=\"series\" d=\"M"), std::string::npos) << out;
  EXPECT_EQ(out.find("nan"), std::string::npos) << out;
  EXPECT_EQ(out.find("inf"), std::string::npos) << out;
  EXPECT_NE(out.find("<title>fault &lt;injected&gt;</title>"), std::string::npos) << out;
  EXPECT_NE(out.find("class=\"marker m-fault\""), std::string::npos) << out;
}

}  // namespace
}  // namespace firedrill::reporters
