#include <algorithm>
#include <cctype>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "reporters/report_summary.hpp"
#include "reporters/report_text.hpp"
#include "reporters/reporter.hpp"

namespace firedrill::reporters {

namespace {

enum class Outcome { Passed, Failure, Error };

struct TestCase {
  std::string classname;
  std::string name;
  double time_s = 0;
  Outcome outcome = Outcome::Passed;
  std::string type;  // of the failure or error, e.g. "check_failed"
  std::string message;
  std::string body;
};

std::string attr(std::string_view text) {
  return xml_escape(text, Quoting::Attribute);
}

// JUnit times are xs:decimal: a fixed notation that never turns into an exponent.
std::string seconds_attr(double seconds) {
  return fixed(std::max(0.0, seconds), 3);
}

// The Ant format's timestamp has no zone: the UTC start without its "Z" or fraction, or nothing
// when the result does not carry a usable one.
std::string junit_timestamp(const std::string& started_at) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (started_at.size() < kShape.size()) return "";
  for (size_t i = 0; i < kShape.size(); ++i) {
    bool digit = std::isdigit(static_cast<unsigned char>(started_at[i])) != 0;
    if (kShape[i] == 'd' ? !digit : started_at[i] != kShape[i]) return "";
  }
  return started_at.substr(0, kShape.size());
}

// JUnit readers require non-empty names; a result always has them, but a report must not become
// invalid when one is missing.
std::string or_else(const std::string& value, const std::string& fallback) {
  return value.empty() ? fallback : value;
}

std::string suite_name(const RunResult& r) {
  return or_else(r.drill_name, "drill");
}

std::vector<TestCase> test_cases(const RunResult& r) {
  const std::string prefix = "firedrill." + suite_name(r);
  std::vector<TestCase> cases;
  for (const auto& c : r.checks) {
    TestCase t;
    t.classname = prefix + "." + or_else(c.step, "validate");
    t.name = or_else(c.description, or_else(c.kind, "check"));
    t.time_s = c.ended_s - c.started_s;
    if (!check_passed(c)) {
      t.outcome = check_failed(c) ? Outcome::Failure : Outcome::Error;
      t.type = "check_" + to_string(c.verdict);
      t.message = c.message.empty() ? "check " + to_string(c.verdict) : c.message;
      t.body = evidence_text(c.evidence);
    }
    cases.push_back(std::move(t));
  }
  for (const auto& th : r.thresholds) {
    TestCase t;
    t.classname = prefix + ".thresholds";
    t.name = th.metric + " " + th.expression;
    if (!th.profile.empty()) t.name += " (" + th.profile + ")";
    if (!th.passed) {
      t.outcome = Outcome::Failure;
      t.type = "threshold_failed";
      t.message = "observed " + th.observed_text + ", expected " + th.expression;
      t.body = evidence_text({{"metric", th.metric},
                              {"expression", th.expression},
                              {"profile", th.profile},
                              {"observed", th.observed},
                              {"observed_text", th.observed_text}});
    }
    cases.push_back(std::move(t));
  }
  for (const auto& f : r.faults) {
    if (!f.revert_failed) continue;
    TestCase t;
    t.classname = prefix + "." + or_else(f.step, "chaos");
    t.name = "revert " + or_else(f.description, f.kind);
    t.outcome = Outcome::Error;
    t.type = "revert_failed";
    t.message = "the fault could not be reverted; the system may still be degraded: " + f.error;
    t.body = evidence_text({{"kind", f.kind},
                            {"description", f.description},
                            {"injected_s", f.injected_s},
                            {"error", f.error}});
    cases.push_back(std::move(t));
  }
  if (r.verdict == RunVerdict::Aborted) {
    TestCase t;
    t.classname = prefix;
    t.name = "drill run";
    t.time_s = r.duration_s;
    t.outcome = Outcome::Error;
    t.type = "aborted";
    t.message = r.abort_reason.empty() ? "the drill was aborted" : r.abort_reason;
    cases.push_back(std::move(t));
  }
  return cases;
}

void write_property(std::ostream& out, const std::string& name, const std::string& value) {
  out << "      <property name=\"" << attr(name) << "\" value=\"" << attr(value) << "\"/>\n";
}

}  // namespace

void write_junit(const RunResult& r, std::ostream& out) {
  std::vector<TestCase> cases = test_cases(r);
  auto count = [&](Outcome o) {
    return std::count_if(cases.begin(), cases.end(), [&](auto& c) { return c.outcome == o; });
  };
  std::string counts = "tests=\"" + std::to_string(cases.size()) + "\" failures=\"" +
                       std::to_string(count(Outcome::Failure)) + "\" errors=\"" +
                       std::to_string(count(Outcome::Error)) + "\" skipped=\"0\" time=\"" +
                       seconds_attr(r.duration_s) + "\"";
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"firedrill\" " << counts << ">\n";
  out << "  <testsuite name=\"" << attr(suite_name(r)) << "\" " << counts;
  std::string timestamp = junit_timestamp(r.started_at);
  if (!timestamp.empty()) out << " timestamp=\"" << timestamp << "\"";
  out << ">\n";
  out << "    <properties>\n";
  write_property(out, "run_id", r.run_id);
  write_property(out, "drill_file", r.drill_file);
  write_property(out, "started_at", r.started_at);
  write_property(out, "verdict", to_string(r.verdict));
  write_property(out, "exit_code", std::to_string(r.exit_code));
  if (!r.abort_reason.empty()) write_property(out, "abort_reason", r.abort_reason);
  out << "    </properties>\n";
  for (const auto& c : cases) {
    out << "    <testcase classname=\"" << attr(c.classname) << "\" name=\"" << attr(c.name)
        << "\" time=\"" << seconds_attr(c.time_s) << "\"";
    if (c.outcome == Outcome::Passed) {
      out << "/>\n";
      continue;
    }
    const char* element = c.outcome == Outcome::Failure ? "failure" : "error";
    out << ">\n      <" << element << " message=\"" << attr(c.message) << "\" type=\""
        << attr(c.type) << "\">" << xml_escape(c.body) << "</" << element << ">\n";
    out << "    </testcase>\n";
  }
  std::ostringstream console;
  write_console(r, console);
  out << "    <system-out>" << xml_escape(console.str()) << "</system-out>\n";
  out << "  </testsuite>\n";
  out << "</testsuites>\n";
}

}  // namespace firedrill::reporters
