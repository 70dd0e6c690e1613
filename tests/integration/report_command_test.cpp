// `firedrill report RESULT.json`: re-rendering a saved run result in each format, the JUnit file
// validated by xmllint against the JUnit schema CI systems read (tests/fixtures/junit.xsd), and
// exit 2 for files that are not run results.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "loadgen/load_result_json.hpp"
#include "reporters/reporter.hpp"
#include "tests/fixtures/sample_run_result.hpp"
#include "tests/integration/support.hpp"
#include "tests/integration/tool_runner.hpp"

namespace firedrill::testing {
namespace {

const fs::path kJunitSchema = fs::path(FIREDRILL_SOURCE_DIR) / "tests/fixtures/junit.xsd";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path save(const TempDir& dir, const reporters::RunResult& r, const std::string& name) {
  fs::path path = dir.path() / name;
  std::ofstream(path) << reporters::to_json(r).dump(2, ' ', false,
                                                    nlohmann::json::error_handler_t::replace);
  return path;
}

ToolResult validate_junit(const fs::path& xml) {
  return run_tool("xmllint --noout --schema " + shell_quote(kJunitSchema.string()) + " " +
                  shell_quote(xml.string()));
}

// A drill whose messages hold everything XML is strict about.
reporters::RunResult nasty_result() {
  reporters::RunResult r = sample_run_result();
  r.drill_name = "a&b <drill> \"q\" 'x'";
  r.checks[3].message =
      "line1\nline2\r\t<tag> & \"quoted\" 'single' \x01\x02\x1b[31m\x7f \xFF\xFE end ]]>";
  r.checks[3].evidence = {{"body", "</failure><injected/>\x01"}, {"bytes", "\xC3\x28"}};
  r.checks[4].description = "check with \x0b vertical tab and \xEF\xBF\xBF noncharacter";
  r.thresholds[1].observed_text = "1e-05 <= 2 && x > 1";
  r.duration_s = 1e-7;
  r.checks[0].ended_s = r.checks[0].started_s + 1e-9;
  return r;
}

TEST(ReportCommand, JunitIsValidAgainstTheSchema) {
  if (!have_tool("xmllint")) GTEST_SKIP() << "xmllint not installed (Debian package libxml2-utils)";
  TempDir dir;
  reporters::RunResult aborted = sample_run_result();
  aborted.verdict = reporters::RunVerdict::Aborted;
  aborted.exit_code = common::kExitAborted;
  aborted.abort_reason = "interrupted by SIGINT <Ctrl-C>";
  aborted.faults[0].revert_failed = true;
  aborted.faults[0].reverted_s.reset();
  aborted.faults[0].error = "kubectl: \"forbidden\" & <denied>";
  reporters::RunResult empty;
  reporters::RunResult no_timestamp = sample_run_result();
  no_timestamp.started_at = "yesterday";
  const std::pair<const char*, reporters::RunResult> cases[] = {{"sample", sample_run_result()},
                                                                {"nasty", nasty_result()},
                                                                {"aborted", aborted},
                                                                {"empty", empty},
                                                                {"no_timestamp", no_timestamp}};
  for (const auto& [name, result] : cases) {
    fs::path input = save(dir, result, std::string(name) + ".json");
    fs::path xml = dir.path() / (std::string(name) + ".xml");
    CommandResult r =
        run_firedrill({"report", input.string(), "--format", "junit", "-o", xml.string()}, false);
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    ToolResult check = validate_junit(xml);
    EXPECT_EQ(check.exit_code, 0) << name << ":\n" << check.output << "\n" << slurp(xml);
  }
}

// The schema has teeth: what JUnit readers reject, it rejects too.
TEST(ReportCommand, JunitSchemaRejectsBrokenReports) {
  if (!have_tool("xmllint")) GTEST_SKIP() << "xmllint not installed (Debian package libxml2-utils)";
  TempDir dir;
  const std::pair<const char*, const char*> broken[] = {
      {"exponent time",
       "<testsuite name=\"d\" tests=\"1\"><testcase classname=\"c\" name=\"n\" time=\"1e-05\"/>"
       "</testsuite>"},
      {"no classname", "<testsuite name=\"d\" tests=\"1\"><testcase name=\"n\"/></testsuite>"},
      {"no tests", "<testsuite name=\"d\"><testcase classname=\"c\" name=\"n\"/></testsuite>"},
      {"zone in timestamp",
       "<testsuite name=\"d\" tests=\"0\" timestamp=\"2025-03-14T09:26:53Z\"/>"},
      {"nested failure",
       "<testsuite name=\"d\" tests=\"1\"><testcase classname=\"c\" name=\"n\"><failure>"
       "<b/></failure></testcase></testsuite>"},
      {"failure and skipped",
       "<testsuite name=\"d\" tests=\"1\"><testcase classname=\"c\" name=\"n\"><skipped/>"
       "<failure/></testcase></testsuite>"},
  };
  for (const auto& [what, xml] : broken) {
    fs::path file = dir.path() / "broken.xml";
    std::ofstream(file) << xml;
    EXPECT_NE(validate_junit(file).exit_code, 0) << what;
  }
  fs::path good = dir.path() / "good.xml";
  std::ofstream(good) << "<testsuites><testsuite name=\"d\" tests=\"1\" failures=\"1\" "
                         "time=\"0.5\" timestamp=\"2025-03-14T09:26:53\"><testcase classname=\"c\" "
                         "name=\"n\" time=\"0.250\"><failure message=\"m\" type=\"t\">x"
                         "</failure></testcase></testsuite></testsuites>";
  EXPECT_EQ(validate_junit(good).exit_code, 0) << validate_junit(good).output;
}

TEST(ReportCommand, JsonRendersTheSameDocument) {
  TempDir dir;
  reporters::RunResult result = sample_run_result();
  fs::path input = save(dir, result, "result.json");
  CommandResult r = run_firedrill({"report", input.string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json, reporters::to_json(result));
}

TEST(ReportCommand, ConsoleIsTheDefaultOnStandardOutput) {
  TempDir dir;
  fs::path input = save(dir, sample_run_result(), "result.json");
  CommandResult r = run_firedrill({"report", input.string()}, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Drill checkout-oom-pages\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nVerdict: FAILED (exit 1)\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(ReportCommand, HtmlToAFile) {
  TempDir dir;
  fs::path input = save(dir, sample_run_result(), "result.json");
  fs::path html = dir.path() / "report.html";
  CommandResult r =
      run_firedrill({"report", input.string(), "-f", "html", "-o", html.string()}, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::string page = slurp(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("</html>"), std::string::npos);
}

TEST(ReportCommand, RejectsFilesThatAreNotRunResults) {
  TempDir dir;
  struct Case {
    const char* name;
    std::string content;
    const char* expected;
  };
  nlohmann::json missing = reporters::to_json(sample_run_result());
  missing["checks"][2].erase("window");
  const Case cases[] = {
      {"truncated.json", "{\"schema\": \"firedrill/run-result/v1\", \"checks\": [",
       "not valid JSON: parse error at line 1, column 50: syntax error"},
      {"load.json", loadgen::to_json(sample_run_result().loads[0].result).dump(),
       "\"schema\" is \"firedrill/load-result/v1\", expected \"firedrill/run-result/v1\" (a load "
       "result of `firedrill load -o`"},
      {"other.json", "{\"schema\": \"firedrill/run-result/v9\"}",
       "\"schema\" is \"firedrill/run-result/v9\", expected \"firedrill/run-result/v1\""},
      {"array.json", "[1, 2]", "not a run result"},
      {"missing.json", missing.dump(), "checks[2].window: missing"},
  };
  for (const auto& c : cases) {
    fs::path input = dir.path() / c.name;
    std::ofstream(input) << c.content;
    fs::path out = dir.path() / "out.html";
    CommandResult r =
        run_firedrill({"report", input.string(), "--format", "html", "-o", out.string()}, false);
    EXPECT_EQ(r.exit_code, 2) << c.name;
    EXPECT_NE(r.err.find(input.string() + ": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << c.name;
    EXPECT_EQ(r.out, "");
  }
}

TEST(ReportCommand, UsageErrors) {
  TempDir dir;
  fs::path input = save(dir, sample_run_result(), "result.json");
  CommandResult missing = run_firedrill({"report", (dir.path() / "nope.json").string()}, false);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.json: cannot read the file"), std::string::npos) << missing.err;
  CommandResult format = run_firedrill({"report", input.string(), "--format", "pdf"}, false);
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_NE(format.err.find("pdf"), std::string::npos) << format.err;
  CommandResult output = run_firedrill(
      {"report", input.string(), "-o", (dir.path() / "no/such/dir/out.txt").string()}, false);
  EXPECT_EQ(output.exit_code, 2);
  EXPECT_NE(output.err.find("--output: cannot write"), std::string::npos) << output.err;
  CommandResult none = run_firedrill({"report"}, false);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("RESULT"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace firedrill::testing
