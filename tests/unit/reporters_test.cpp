// The run result document (docs/run-result.md), the console report and the format registry.
#include <gtest/gtest.h>

#include <sstream>

#include "loadgen/load_result_json.hpp"
#include "reporters/report_text.hpp"
#include "reporters/reporter.hpp"
#include "tests/fixtures/sample_run_result.hpp"

namespace firedrill::reporters {
namespace {

using nlohmann::json;
using testing::sample_run_result;

RunResult reparsed(const RunResult& r) {
  return run_result_from_json(json::parse(to_json(r).dump()));
}

std::string console(const RunResult& r) {
  std::ostringstream out;
  write_console(r, out);
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Whether one line holds all `parts`, in this order: table rows, whatever the column widths.
bool has_line(const std::string& text, const std::vector<std::string>& parts) {
  for (const auto& line : lines_of(text)) {
    size_t at = 0;
    bool all = true;
    for (const auto& part : parts) {
      at = line.find(part, at);
      if (at == std::string::npos) {
        all = false;
        break;
      }
      at += part.size();
    }
    if (all) return true;
  }
  return false;
}

std::string error_of(const json& doc) {
  try {
    run_result_from_json(doc);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(RunResultJson, RoundTripIsExact) {
  RunResult r = sample_run_result();
  json doc = to_json(r);
  RunResult back = reparsed(r);
  EXPECT_EQ(to_json(back), doc);
  EXPECT_EQ(to_json(back).dump(), doc.dump());

  ASSERT_EQ(back.checks.size(), r.checks.size());
  for (size_t i = 0; i < r.checks.size(); ++i) {
    const CheckResult& a = r.checks[i];
    const CheckResult& b = back.checks[i];
    EXPECT_EQ(b.step, a.step);
    EXPECT_EQ(b.kind, a.kind);
    EXPECT_EQ(b.description, a.description);
    EXPECT_EQ(b.window, a.window);
    EXPECT_EQ(b.window_s, a.window_s);
    EXPECT_EQ(b.verdict, a.verdict);
    EXPECT_EQ(b.message, a.message);
    EXPECT_EQ(b.evidence, a.evidence);
    EXPECT_EQ(b.time_to_detect_s, a.time_to_detect_s);
    EXPECT_EQ(b.started_s, a.started_s);
    EXPECT_EQ(b.ended_s, a.ended_s);
    EXPECT_EQ(b.polls, a.polls);
  }
  ASSERT_EQ(back.faults.size(), 1u);
  EXPECT_EQ(back.faults[0].reverted_s, r.faults[0].reverted_s);
  ASSERT_EQ(back.timeline.size(), r.timeline.size());
  EXPECT_EQ(back.timeline[6].detail, r.timeline[6].detail);
  EXPECT_EQ(back.thresholds[1].observed, r.thresholds[1].observed);
  EXPECT_EQ(back.started_at, r.started_at);
  EXPECT_EQ(back.duration_s, r.duration_s);

  ASSERT_EQ(back.loads.size(), 2u);
  for (size_t i = 0; i < r.loads.size(); ++i) {
    const loadgen::LoadResult& a = r.loads[i].result;
    const loadgen::LoadResult& b = back.loads[i].result;
    EXPECT_EQ(back.loads[i].profile, r.loads[i].profile);
    EXPECT_EQ(back.loads[i].started_s, r.loads[i].started_s);
    EXPECT_TRUE(b.stats.latency == a.stats.latency);
    EXPECT_TRUE(b.stats.service_time == a.stats.service_time);
    EXPECT_EQ(b.stats.failed, a.stats.failed);
    EXPECT_EQ(b.config.protocol, a.config.protocol);
    EXPECT_EQ(b.config.timeout, a.config.timeout);
    EXPECT_EQ(b.config.stages.size(), a.config.stages.size());
    ASSERT_EQ(b.series.size(), a.series.size());
    for (size_t k = 0; k < a.series.size(); ++k) {
      EXPECT_EQ(b.series[k].p50_ns, a.series[k].p50_ns) << "second " << k;
      EXPECT_EQ(b.series[k].p99_ns, a.series[k].p99_ns) << "second " << k;
      EXPECT_EQ(b.series[k].responses, a.series[k].responses);
    }
  }
}

TEST(RunResultJson, EmptyResultRoundTrips) {
  RunResult r;
  r.drill_name = "nothing";
  r.verdict = RunVerdict::Passed;
  r.exit_code = common::kExitOk;
  json doc = to_json(r);
  EXPECT_EQ(to_json(reparsed(r)), doc);
  EXPECT_TRUE(doc.at("loads").empty());
  EXPECT_EQ(doc.at("summary").at("checks").at("total"), 0);
}

TEST(RunResultJson, MissingTimesAreNull) {
  RunResult r = sample_run_result();
  r.faults[0].reverted_s.reset();
  json doc = to_json(r);
  EXPECT_TRUE(doc.at("checks").at(3).at("time_to_detect_s").is_null());
  EXPECT_EQ(doc.at("checks").at(1).at("time_to_detect_s"), 12.4);
  EXPECT_TRUE(doc.at("faults").at(0).at("reverted_s").is_null());
  RunResult back = reparsed(r);
  EXPECT_FALSE(back.checks[3].time_to_detect_s.has_value());
  EXPECT_FALSE(back.faults[0].reverted_s.has_value());
}

TEST(RunResultJson, IsVersionedAndSummarised) {
  json doc = to_json(sample_run_result());
  EXPECT_EQ(doc.at("schema"), "firedrill/run-result/v1");
  EXPECT_EQ(doc.at("summary").at("checks"),
            json({{"total", 5}, {"passed", 3}, {"failed", 1}, {"inconclusive", 1}}));
  EXPECT_EQ(doc.at("summary").at("thresholds").at("failed"), 1);
  EXPECT_EQ(doc.at("loads").at(0).at("result").at("schema"), loadgen::kLoadResultSchema);
}

TEST(RunResultJson, LoadHistogramsMergeAcrossResults) {
  RunResult r = sample_run_result();
  json doc = to_json(r);
  loadgen::LatencyHistogram merged;
  for (const auto& load : doc.at("loads")) {
    merged.merge(
        loadgen::LatencyHistogram::from_json(load.at("result").at("histograms").at("latency")));
  }
  loadgen::LatencyHistogram expected = r.loads[0].result.stats.latency;
  expected.merge(r.loads[1].result.stats.latency);
  EXPECT_TRUE(merged == expected);
  EXPECT_EQ(merged.count(),
            r.loads[0].result.stats.latency.count() + r.loads[1].result.stats.latency.count());
}

TEST(RunResultJson, RejectsAnotherSchema) {
  json doc = to_json(sample_run_result());
  doc["schema"] = "firedrill/run-result/v2";
  EXPECT_NE(error_of(doc).find("\"schema\" is \"firedrill/run-result/v2\", expected "
                               "\"firedrill/run-result/v1\""),
            std::string::npos)
      << error_of(doc);
  json load = loadgen::to_json(sample_run_result().loads[0].result);
  EXPECT_NE(error_of(load).find("firedrill load -o"), std::string::npos) << error_of(load);
  EXPECT_NE(error_of(json::array()).find("expected a JSON object"), std::string::npos);
  doc.erase("schema");
  EXPECT_NE(error_of(doc).find("no \"schema\""), std::string::npos);
}

TEST(RunResultJson, MalformedDocumentsNameThePlace) {
  const json good = to_json(sample_run_result());
  json doc = good;
  doc["checks"][1].erase("verdict");
  EXPECT_EQ(error_of(doc), "checks[1].verdict: missing");
  doc = good;
  doc["checks"][0]["polls"] = "31";
  EXPECT_EQ(error_of(doc), "checks[0].polls: expected an integer, got \"31\"");
  doc = good;
  doc["timeline"] = json::object();
  EXPECT_EQ(error_of(doc), "timeline: expected an array, got {}");
  doc = good;
  doc["faults"][0]["reverted_s"] = true;
  EXPECT_EQ(error_of(doc), "faults[0].reverted_s: expected a number, got true");
  doc = good;
  doc["loads"][1]["result"]["histograms"]["latency"]["unit"] = "ms";
  EXPECT_NE(error_of(doc).find("loads[1].result: "), std::string::npos) << error_of(doc);
  EXPECT_NE(error_of(doc).find("unit"), std::string::npos) << error_of(doc);
  doc = good;
  doc["loads"][0]["result"]["intended"].erase("warmup_s");
  EXPECT_NE(error_of(doc).find("loads[0].result: "), std::string::npos) << error_of(doc);
}

// A saved result is read back only as firedrill wrote it: a name this build does not write is an
// error at its place, never a default.
TEST(RunResultJson, UnknownNamesAreErrors) {
  const json good = to_json(sample_run_result());
  json doc = good;
  doc["verdict"] = "passed-ish";
  EXPECT_EQ(error_of(doc),
            "verdict: unknown verdict \"passed-ish\" (expected passed, failed, aborted or "
            "revert_failed)");
  doc = good;
  doc["checks"][2]["verdict"] = "maybe";
  EXPECT_NE(error_of(doc).find("checks[2].verdict: unknown verdict \"maybe\""), std::string::npos)
      << error_of(doc);
  doc = good;
  doc["checks"][0]["window"] = "sometimes";
  EXPECT_NE(error_of(doc).find("checks[0].window: unknown window \"sometimes\""), std::string::npos)
      << error_of(doc);
  doc = good;
  doc["timeline"][3]["type"] = "fault_maybe";
  EXPECT_NE(error_of(doc).find("timeline[3].type: unknown event type \"fault_maybe\""),
            std::string::npos)
      << error_of(doc);
  doc = good;
  doc["exit_code"] = 7;
  EXPECT_EQ(error_of(doc), "exit_code: expected an exit code from 0 to 4, got 7");
}

TEST(RunResultJson, EveryNameReadsBack) {
  for (CheckVerdict v : {CheckVerdict::Pending, CheckVerdict::Passed, CheckVerdict::Failed,
                         CheckVerdict::Inconclusive}) {
    EXPECT_EQ(parse_check_verdict(to_string(v)), v);
  }
  for (RunVerdict v :
       {RunVerdict::Passed, RunVerdict::Failed, RunVerdict::Aborted, RunVerdict::RevertFailed}) {
    EXPECT_EQ(parse_run_verdict(to_string(v)), v);
  }
  for (WindowKind w : {WindowKind::Eventually, WindowKind::Consistently}) {
    EXPECT_EQ(parse_window_kind(to_string(w)), w);
  }
  for (int t = 0; t <= static_cast<int>(EventType::DrillEnd); ++t) {
    const auto type = static_cast<EventType>(t);
    EXPECT_EQ(parse_event_type(to_string(type)), type) << to_string(type);
  }
}

TEST(JsonReport, IsTheDocumentAndSurvivesInvalidUtf8) {
  RunResult r = sample_run_result();
  r.checks[0].message = "bad byte \xFF here";
  r.checks[0].evidence = {{"body", "\xC3\x28"}};
  std::ostringstream out;
  write_json(r, out);
  json doc = json::parse(out.str());
  EXPECT_EQ(doc.at("checks").at(0).at("message"), "bad byte \xEF\xBF\xBD here");
  EXPECT_EQ(doc.at("drill_name"), r.drill_name);
  EXPECT_NO_THROW(run_result_from_json(doc));
}

TEST(ConsoleReport, ShowsEveryCheckWithVerdictWindowAndDetection) {
  std::string text = console(sample_run_result());
  for (const auto& c : sample_run_result().checks) {
    EXPECT_NE(text.find(c.description), std::string::npos) << c.description;
  }
  EXPECT_TRUE(has_line(text, {"  PASS ", " quiet under baseline ", " prometheus.alert ",
                              " consistently 1m00s ", " - ", " 31"}))
      << text;
  EXPECT_TRUE(has_line(
      text, {"  PASS ", " detect oom ", " kube.pod ", " eventually 3m00s ", " 12.4s ", " 7"}))
      << text;
  EXPECT_TRUE(has_line(text, {"  FAIL ", " detect oom ", " receiver.notification ", " - ", " 90"}))
      << text;
  EXPECT_TRUE(has_line(text, {"  INCONCLUSIVE ", " detect oom ", " cloudwatch.alarm "})) << text;
  EXPECT_NE(text.find("\n                -> DescribeAlarms failed: ExpiredToken\n"),
            std::string::npos)
      << text;
}

TEST(ConsoleReport, ShowsThresholdsFaultsAndLoadPerProfile) {
  RunResult r = sample_run_result();
  std::string text = console(r);
  EXPECT_TRUE(
      has_line(text, {"  PASS ", " http.latency.p99 ", " < 500ms ", " 231.211ms ", " all load"}))
      << text;
  EXPECT_TRUE(has_line(text, {"  FAIL ", " http.errors.rate ", " < 1% ",
                              " 1.210% (1,523 of 125,866) ", " baseline"}))
      << text;
  EXPECT_TRUE(
      has_line(text, {"  reverted ", " kill checkout ", " kube.oom ", " +1m40s ", " +4m20s"}))
      << text;
  EXPECT_NE(text.find("Load: 2 runs"), std::string::npos) << text;
  const loadgen::LoadResult& baseline = r.loads[0].result;
  std::string errors = format_count(baseline.stats.failed);
  EXPECT_TRUE(has_line(
      text,
      {"  baseline ", " 1 ", format_count(baseline.stats.completed()), fixed(baseline.rps(), 1),
       format_latency(baseline.stats.latency.value_at_quantile(0.5)),
       format_latency(baseline.stats.latency.value_at_quantile(0.99)), errors + " ("}))
      << text;
  EXPECT_TRUE(has_line(text, {"  spike ", " 1 ", "0 (0.00%)"})) << text;
}

TEST(ConsoleReport, VerdictLineComesLast) {
  std::vector<std::string> lines = lines_of(console(sample_run_result()));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines.back(), "Verdict: FAILED (exit 1)");
  EXPECT_EQ(lines[lines.size() - 2],
            "Summary: 5 checks: 3 passed, 1 failed, 1 inconclusive; 2 thresholds: 1 passed, 1 "
            "failed; 1 fault");
}

TEST(ConsoleReport, FitsIn100ColumnsWithoutEscapeSequences) {
  RunResult r = sample_run_result();
  r.checks[3].message = "\x1b[31mred\x1b[0m " + std::string(300, 'x') + " and then some words";
  r.checks[2].step = "a step name that is much longer than any column should ever get to be";
  r.abort_reason = std::string(150, 'y');
  std::string text = console(r);
  for (const auto& line : lines_of(text)) {
    EXPECT_LE(display_width(line), 100u) << line;
  }
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("\\u001b[31mred"), std::string::npos);
}

TEST(ConsoleReport, EmptyDrill) {
  RunResult r;
  r.drill_name = "empty";
  r.verdict = RunVerdict::Passed;
  r.exit_code = common::kExitOk;
  std::string text = console(r);
  EXPECT_NE(text.find("Checks: none"), std::string::npos) << text;
  EXPECT_NE(text.find("Thresholds: none"), std::string::npos) << text;
  EXPECT_NE(text.find("Faults: none"), std::string::npos) << text;
  EXPECT_NE(text.find("Load: none"), std::string::npos) << text;
  std::vector<std::string> lines = lines_of(text);
  EXPECT_EQ(lines[lines.size() - 2], "Summary: no checks; no thresholds");
  EXPECT_EQ(lines.back(), "Verdict: PASSED (exit 0)");
}

TEST(ConsoleReport, AbortedDrillAndChecksWithoutDetection) {
  RunResult r = sample_run_result();
  r.verdict = RunVerdict::Aborted;
  r.exit_code = common::kExitAborted;
  r.abort_reason = "interrupted (SIGINT); faults reverted";
  r.checks.resize(1);
  r.checks[0].time_to_detect_s.reset();
  r.loads[0].result.unreachable = true;
  r.loads[0].result.unreachable_reason = "connect: connection refused";
  std::string text = console(r);
  EXPECT_NE(text.find("  aborted   interrupted (SIGINT); faults reverted"), std::string::npos);
  EXPECT_TRUE(has_line(text, {"  PASS ", " consistently 1m00s ", " - "})) << text;
  EXPECT_NE(text.find("unreachable: connect: connection refused"), std::string::npos) << text;
  r.loads.resize(1);
  EXPECT_NE(console(r).find("\nLoad: 1 run\n"), std::string::npos);
  EXPECT_EQ(lines_of(text).back(), "Verdict: ABORTED (exit 3)");
}

TEST(ConsoleReport, RevertFailure) {
  RunResult r = sample_run_result();
  r.verdict = RunVerdict::RevertFailed;
  r.exit_code = common::kExitRevertFailed;
  r.faults[0].reverted_s.reset();
  r.faults[0].revert_failed = true;
  r.faults[0].error = "patch deployment/checkout: 403 Forbidden";
  std::string text = console(r);
  EXPECT_TRUE(has_line(text, {"  REVERT FAILED ", " kill checkout ", " +1m40s ", " -"})) << text;
  EXPECT_NE(text.find("-> patch deployment/checkout: 403 Forbidden"), std::string::npos) << text;
  EXPECT_NE(text.find("Verdict: REVERT FAILED (exit 4)"), std::string::npos) << text;
  size_t summary = text.find("Summary: ");
  std::string unwrapped = text.substr(summary, text.find("Verdict: ") - summary);
  for (size_t at; (at = unwrapped.find("\n         ")) != std::string::npos;) {
    unwrapped.replace(at, 10, " ");
  }
  EXPECT_NE(unwrapped.find("; 1 fault, 1 failed to revert\n"), std::string::npos) << unwrapped;
}

TEST(ReportFormats, RegistryListsEachFormat) {
  std::vector<std::string> names;
  for (const auto& f : report_formats()) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"console", "json", "junit", "html"}));
  ASSERT_NE(find_report_format("junit"), nullptr);
  EXPECT_EQ(find_report_format("junit")->extension, ".xml");
  EXPECT_EQ(find_report_format("html")->write, &write_html);
  EXPECT_EQ(find_report_format("prometheus"), nullptr);
}

}  // namespace
}  // namespace firedrill::reporters
