// The HTML report as text: one self-contained file, charts drawn from the result, the verdict
// tables, escaping and the edge cases. tests/integration/html_report_test.cpp renders it in a
// browser.
#include <gtest/gtest.h>

#include <sstream>

#include "reporters/reporter.hpp"
#include "tests/fixtures/sample_run_result.hpp"

namespace firedrill::reporters {
namespace {

using testing::sample_run_result;

std::string html(const RunResult& r) {
  std::ostringstream out;
  write_html(r, out);
  return out.str();
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The <svg> elements, in order.
std::vector<std::string> charts(const std::string& page) {
  std::vector<std::string> out;
  for (size_t at = page.find("<svg "); at != std::string::npos; at = page.find("<svg ", at + 1)) {
    out.push_back(page.substr(at, page.find("</svg>", at) - at));
  }
  return out;
}

// Points of the longest data path in a chart.
size_t longest_path(const std::string& svg) {
  size_t longest = 0;
  for (size_t at = svg.find("class=\"series\" d=\""); at != std::string::npos;
       at = svg.find("class=\"series\" d=\"", at + 1)) {
    size_t end = svg.find('"', at + 18);
    longest = std::max(longest, count_of(svg.substr(at, end - at), " L") + 1);
  }
  return longest;
}

TEST(HtmlReport, IsOneSelfContainedFile) {
  std::string page = html(sample_run_result());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count_of(page, "</html>"), 1u);
  for (const char* fetch : {"src=", "<link", "url(", "@import", "@font-face", "<script", "<img",
                            "<iframe", "<object", "href=\"http", "xlink:href"}) {
    EXPECT_EQ(page.find(fetch), std::string::npos) << fetch;
  }
  EXPECT_NE(page.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(page.find("<style>"), std::string::npos);
}

TEST(HtmlReport, ChartsAreDrawnFromTheSeriesWithMarkers) {
  RunResult r = sample_run_result();
  std::string page = html(r);
  std::vector<std::string> svgs = charts(page);
  // Throughput, latency, and one latency histogram per load run.
  ASSERT_EQ(svgs.size(), 4u);
  const std::string& rps = svgs[0];
  const std::string& latency = svgs[1];
  EXPECT_NE(rps.find("aria-label=\"Responses per second over the drill\""), std::string::npos);
  EXPECT_GE(longest_path(rps), r.loads[0].result.series.size());
  EXPECT_GE(longest_path(latency), 90u);
  EXPECT_NE(rps.find("stroke=\"#2563eb\""), std::string::npos);        // baseline
  EXPECT_NE(rps.find("stroke=\"#0891b2\""), std::string::npos);        // spike
  EXPECT_NE(rps.find("stroke-dasharray=\"6 4\""), std::string::npos);  // open-loop target rate
  for (const std::string* chart : {&rps, &latency}) {
    EXPECT_EQ(count_of(*chart, "class=\"marker m-fault\""), 1u);
    EXPECT_EQ(count_of(*chart, "class=\"marker m-revert\""), 1u);
    EXPECT_EQ(count_of(*chart, "class=\"marker m-detect\""), 3u);
    EXPECT_EQ(count_of(*chart, "class=\"marker m-check-failed\""), 1u);
    EXPECT_EQ(count_of(*chart, "class=\"marker m-step\""), 5u);
    EXPECT_NE(chart->find("<title>+1m40s fault injected: kube.oom"), std::string::npos);
    EXPECT_EQ(chart->find("nan"), std::string::npos);
    EXPECT_EQ(chart->find("inf"), std::string::npos);
  }
  // The fault at 100.2 s of a 300.25 s drill, on a plot from x = 64 to 1072: 64 + 336.4.
  EXPECT_NE(rps.find("<line x1=\"400.4\" x2=\"400.4\""), std::string::npos) << rps;
  const std::string& histogram = svgs[2];
  EXPECT_GT(count_of(histogram, "<rect x="), 20u);
  EXPECT_NE(histogram.find(">p50 "), std::string::npos);
  EXPECT_NE(histogram.find(">p99 "), std::string::npos);
}

TEST(HtmlReport, VerdictTablesWithEvidence) {
  RunResult r = sample_run_result();
  std::string page = html(r);
  EXPECT_NE(page.find("<header class=\"banner v-failed\">"), std::string::npos);
  EXPECT_NE(page.find("<div class=\"verdict\">FAILED</div>"), std::string::npos);
  for (const auto& c : r.checks) EXPECT_NE(page.find(c.kind), std::string::npos);
  EXPECT_EQ(count_of(page, "<details><summary>evidence</summary><pre>"), 5u);
  EXPECT_NE(page.find("\"reason\": \"OOMKilled\""), std::string::npos);
  EXPECT_NE(page.find("<span class=\"pill warn\">inconclusive</span>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"num\">12.4s</td>"), std::string::npos);
  EXPECT_NE(page.find("1.210% (1,523 of 125,866)"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"time\">+1m40s</td><td class=\"time\">+4m20s</td>"),
            std::string::npos);
  EXPECT_NE(page.find("<div class=\"k\">slowest detection</div><div class=\"v\">43.7s</div>"),
            std::string::npos);
  EXPECT_EQ(count_of(page, "<tr><td class=\"num\">"), r.timeline.size());
}

TEST(HtmlReport, EscapesEverythingFromTheResult) {
  RunResult r = sample_run_result();
  r.drill_name = "<script>alert(1)</script>";
  r.checks[0].evidence = {{"body", "</pre><img src=x onerror=alert(1)>"}};
  r.timeline[6].detail = "\"quoted\" & <b>bold</b>";
  std::string page = html(r);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("\"quoted\" &amp; &lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
}

TEST(HtmlReport, DrillWithoutLoadChecksOrFaults) {
  RunResult r;
  r.drill_name = "bare";
  r.verdict = RunVerdict::Aborted;
  r.exit_code = common::kExitAborted;
  r.abort_reason = "the drill file's target did not resolve";
  std::string page = html(r);
  EXPECT_TRUE(charts(page).empty());
  EXPECT_NE(page.find("No load was run in this drill."), std::string::npos);
  EXPECT_NE(page.find("No checks in this drill."), std::string::npos);
  EXPECT_NE(page.find("No thresholds in this drill."), std::string::npos);
  EXPECT_NE(page.find("No faults in this drill."), std::string::npos);
  EXPECT_NE(page.find("No events were recorded."), std::string::npos);
  EXPECT_NE(page.find("v-aborted"), std::string::npos);
  EXPECT_NE(page.find("<p class=\"counts\">aborted: the drill file's target did not resolve</p>"),
            std::string::npos);
}

TEST(HtmlReport, LoadThatGotNoResponses) {
  RunResult r = sample_run_result();
  loadgen::LoadResult& load = r.loads[1].result;
  load.stats = loadgen::LoadStats();
  load.unreachable = true;
  for (auto& p : load.series) {
    loadgen::TimeSeriesPoint silent;
    silent.elapsed_s = p.elapsed_s;
    p = silent;
  }
  std::string page = html(r);
  std::vector<std::string> svgs = charts(page);
  ASSERT_EQ(svgs.size(), 4u);
  EXPECT_NE(svgs[3].find(">no responses</text>"), std::string::npos);
  for (const auto& svg : svgs) EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_NE(page.find("<td>unreachable</td>"), std::string::npos);
}

}  // namespace
}  // namespace firedrill::reporters
