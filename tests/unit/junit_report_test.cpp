// The JUnit report: counts, one testcase per check and threshold, failures with evidence, errors
// for inconclusive checks, failed reverts and aborted drills, and escaping. Its validity against
// the JUnit schema is checked with xmllint in tests/integration/report_command_test.cpp.
#include <gtest/gtest.h>

#include <sstream>

#include "reporters/reporter.hpp"
#include "tests/fixtures/sample_run_result.hpp"

namespace firedrill::reporters {
namespace {

using testing::sample_run_result;

std::string junit(const RunResult& r) {
  std::ostringstream out;
  write_junit(r, out);
  return out.str();
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The opening tag of the testcase whose name attribute starts with `name`, through its end.
std::string testcase(const std::string& xml, const std::string& name) {
  size_t at = xml.find("name=\"" + name);
  if (at == std::string::npos) return "";
  at = xml.rfind("<testcase", at);
  size_t end = xml.find("<testcase", at + 1);
  size_t suite_end = xml.find("<system-out>", at);
  return xml.substr(at, std::min(end, suite_end) - at);
}

TEST(JunitReport, OneSuiteWithCounts) {
  std::string xml = junit(sample_run_result());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u);
  EXPECT_EQ(count_of(xml, "<testsuite "), 1u);
  EXPECT_NE(xml.find("<testsuite name=\"checkout-oom-pages\" tests=\"7\" failures=\"2\" "
                     "errors=\"1\" skipped=\"0\" time=\"300.250\" "
                     "timestamp=\"2025-03-14T09:26:53\">"),
            std::string::npos)
      << xml;
  EXPECT_EQ(count_of(xml, "<testcase "), 7u);
  EXPECT_EQ(count_of(xml, "<failure "), 2u);
  EXPECT_EQ(count_of(xml, "<error "), 1u);
  EXPECT_NE(
      xml.find("<property name=\"run_id\" value=\"checkout-oom-pages-20250314T092653Z-4f1c\"/>"),
      std::string::npos);
}

TEST(JunitReport, ChecksAndThresholdsAreTestcases) {
  std::string xml = junit(sample_run_result());
  std::string pod = testcase(xml, "a pod of shop/app=checkout");
  EXPECT_NE(pod.find("classname=\"firedrill.checkout-oom-pages.detect oom\""), std::string::npos)
      << pod;
  EXPECT_NE(pod.find("time=\"12.300\"/>"), std::string::npos) << pod;

  std::string page = testcase(xml, "a notification for KubePodOOMKilled");
  EXPECT_NE(page.find("<failure message=\"no notification within 3m: 0 received (routes: on-call "
                      "&lt;pager&gt; &amp; slack)\" type=\"check_failed\">"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find(">{\n  \"received\": [],\n  \"receiver\": \"127.0.0.1:9095\"\n}</failure>"),
            std::string::npos)
      << page;

  std::string alarm = testcase(xml, "alarm checkout-pod-restarts");
  EXPECT_NE(alarm.find("<error message=\"DescribeAlarms failed: ExpiredToken\" "
                       "type=\"check_inconclusive\">"),
            std::string::npos)
      << alarm;

  std::string errors = testcase(xml, "http.errors.rate &lt; 1% (baseline)");
  EXPECT_NE(errors.find("classname=\"firedrill.checkout-oom-pages.thresholds\""), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("<failure message=\"observed 1.210% (1,523 of 125,866), expected &lt; "
                        "1%\" type=\"threshold_failed\">"),
            std::string::npos)
      << errors;
  std::string p99 = testcase(xml, "http.latency.p99 &lt; 500ms");
  EXPECT_NE(p99.find("time=\"0.000\"/>"), std::string::npos) << p99;
}

TEST(JunitReport, RevertFailureAndAbortAreErrors) {
  RunResult r = sample_run_result();
  r.verdict = RunVerdict::Aborted;
  r.exit_code = common::kExitAborted;
  r.abort_reason = "interrupted by SIGTERM";
  r.faults[0].reverted_s.reset();
  r.faults[0].revert_failed = true;
  r.faults[0].error = "exit status 1: kubectl: forbidden";
  std::string xml = junit(r);
  EXPECT_NE(xml.find("tests=\"9\" failures=\"2\" errors=\"3\""), std::string::npos) << xml;
  std::string revert = testcase(xml, "revert OOM-kill 1 pod");
  EXPECT_NE(revert.find("classname=\"firedrill.checkout-oom-pages.kill checkout\""),
            std::string::npos)
      << revert;
  EXPECT_NE(revert.find("<error message=\"the fault could not be reverted; the system may still "
                        "be degraded: exit status 1: kubectl: forbidden\" type=\"revert_failed\">"),
            std::string::npos)
      << revert;
  std::string run = testcase(xml, "drill run");
  EXPECT_NE(run.find("classname=\"firedrill.checkout-oom-pages\""), std::string::npos) << run;
  EXPECT_NE(run.find("<error message=\"interrupted by SIGTERM\" type=\"aborted\">"),
            std::string::npos)
      << run;
  EXPECT_NE(xml.find("<property name=\"abort_reason\" value=\"interrupted by SIGTERM\"/>"),
            std::string::npos);
}

TEST(JunitReport, EscapesMarkupQuotesAndControlCharacters) {
  RunResult r = sample_run_result();
  r.drill_name = "a&b <drill> \"q\" 'x'";
  r.checks[3].message = "line1\nline2\t<tag> & \"quoted\" 'single' \x01\x1b[31m \xFF end";
  r.checks[3].evidence = {{"body", "</failure><injected/>"}};
  std::string xml = junit(r);
  EXPECT_NE(xml.find("<testsuite name=\"a&amp;b &lt;drill&gt; &quot;q&quot; &#39;x&#39;\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("message=\"line1&#10;line2&#9;&lt;tag&gt; &amp; &quot;quoted&quot; "
                     "&#39;single&#39; \\u0001\\u001b[31m \xEF\xBF\xBD end\""),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<injected/>"), std::string::npos);
  EXPECT_NE(xml.find("&lt;/failure&gt;&lt;injected/&gt;"), std::string::npos);
  for (char c : xml) {
    auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 || c == '\n' || c == '\t') << "control byte " << int(u);
  }
  EXPECT_EQ(count_of(xml, "<failure "), count_of(xml, "</failure>"));
}

TEST(JunitReport, EmptyDrillIsAnEmptySuite) {
  RunResult r;
  r.drill_name = "empty";
  r.verdict = RunVerdict::Passed;
  r.exit_code = common::kExitOk;
  std::string xml = junit(r);
  EXPECT_NE(xml.find("<testsuite name=\"empty\" tests=\"0\" failures=\"0\" errors=\"0\" "
                     "skipped=\"0\" time=\"0.000\">"),
            std::string::npos)
      << xml;
  EXPECT_EQ(count_of(xml, "<testcase"), 0u);
}

TEST(JunitReport, ConsoleReportInSystemOut) {
  std::string xml = junit(sample_run_result());
  size_t start = xml.find("<system-out>");
  size_t end = xml.find("</system-out>");
  ASSERT_LT(start, end);
  std::string text = xml.substr(start, end - start);
  EXPECT_NE(text.find("Verdict: FAILED (exit 1)"), std::string::npos) << text;
  EXPECT_NE(text.find("&lt;pager&gt; &amp; slack"), std::string::npos) << text;
  EXPECT_EQ(text.find('<', 1), std::string::npos) << text;
}

}  // namespace
}  // namespace firedrill::reporters
