#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include "loadgen/load_result_json.hpp"
#include "reporters/report_summary.hpp"
#include "reporters/run_result.hpp"

namespace firedrill::reporters {

using nlohmann::json;

namespace {

json optional_number(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

json summary_of(const RunResult& r) {
  Tally checks = tally_checks(r.checks);
  Tally thresholds = tally_thresholds(r.thresholds);
  int revert_failed = revert_failures(r.faults);
  return {{"checks",
           {{"total", checks.total()},
            {"passed", checks.passed},
            {"failed", checks.failed},
            {"inconclusive", checks.other}}},
          {"thresholds",
           {{"total", thresholds.total()},
            {"passed", thresholds.passed},
            {"failed", thresholds.failed}}},
          {"faults", {{"total", r.faults.size()}, {"revert_failed", revert_failed}}},
          {"loads", r.loads.size()}};
}

// Field access that names the exact place of a problem, e.g. `checks[2].verdict: expected a
// string, got 3`, because the report command shows this message to a user holding the file.
class Reader {
 public:
  Reader(const json& doc, std::string where) : doc_(doc), where_(std::move(where)) {
    if (!doc_.is_object()) fail("", "expected an object, got " + describe(doc_));
  }

  const json& member(const char* key) const {
    auto it = doc_.find(key);
    if (it == doc_.end()) fail(key, "missing");
    return *it;
  }
  std::string string(const char* key) const {
    const json& v = member(key);
    if (!v.is_string()) fail(key, "expected a string, got " + describe(v));
    return v.get<std::string>();
  }
  double number(const char* key) const {
    const json& v = member(key);
    if (!v.is_number()) fail(key, "expected a number, got " + describe(v));
    return v.get<double>();
  }
  std::optional<double> optional_number(const char* key) const {
    if (member(key).is_null()) return std::nullopt;
    return number(key);
  }
  int integer(const char* key) const {
    const json& v = member(key);
    if (!v.is_number_integer()) fail(key, "expected an integer, got " + describe(v));
    return v.get<int>();
  }
  bool boolean(const char* key) const {
    const json& v = member(key);
    if (!v.is_boolean()) fail(key, "expected true or false, got " + describe(v));
    return v.get<bool>();
  }
  // A name that to_string writes, read back by `parse`, which rejects any other.
  template <typename Enum>
  Enum name(const char* key, Enum (*parse)(std::string_view)) const {
    const std::string text = string(key);
    try {
      return parse(text);
    } catch (const std::invalid_argument& e) {
      fail(key, e.what());
    }
  }
  common::ExitCode exit_code(const char* key) const {
    const int code = integer(key);
    if (code < common::kExitOk || code > common::kExitRevertFailed) {
      fail(key, "expected an exit code from 0 to 4, got " + std::to_string(code));
    }
    return static_cast<common::ExitCode>(code);
  }
  const json& object(const char* key) const {
    const json& v = member(key);
    if (!v.is_object()) fail(key, "expected an object, got " + describe(v));
    return v;
  }
  // Calls read(Reader) for each element of the array `key`.
  template <typename Read>
  void each(const char* key, Read read) const {
    const json& v = member(key);
    if (!v.is_array()) fail(key, "expected an array, got " + describe(v));
    for (size_t i = 0; i < v.size(); ++i) {
      read(Reader(v[i], path(key) + "[" + std::to_string(i) + "]"));
    }
  }
  std::string path(const std::string& key) const {
    if (where_.empty()) return key;
    return key.empty() ? where_ : where_ + "." + key;
  }

 private:
  static std::string describe(const json& v) {
    std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
  }
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    std::string at = path(key);
    throw std::invalid_argument(at.empty() ? what : at + ": " + what);
  }

  const json& doc_;
  std::string where_;
};

loadgen::LoadResult read_load(const Reader& run) {
  const json& doc = run.object("result");
  try {
    return loadgen::load_result_from_json(doc);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(run.path("result") + ": " + e.what());
  } catch (const json::exception& e) {
    throw std::invalid_argument(run.path("result") + ": malformed load result: " + e.what());
  }
}

}  // namespace

json to_json(const RunResult& r) {
  json timeline = json::array();
  for (const auto& e : r.timeline) {
    timeline.push_back(
        {{"at_s", e.at_s}, {"type", to_string(e.type)}, {"name", e.name}, {"detail", e.detail}});
  }
  json checks = json::array();
  for (const auto& c : r.checks) {
    checks.push_back({{"step", c.step},
                      {"kind", c.kind},
                      {"description", c.description},
                      {"window", to_string(c.window)},
                      {"window_s", c.window_s},
                      {"verdict", to_string(c.verdict)},
                      {"message", c.message},
                      {"evidence", c.evidence},
                      {"time_to_detect_s", optional_number(c.time_to_detect_s)},
                      {"started_s", c.started_s},
                      {"ended_s", c.ended_s},
                      {"polls", c.polls}});
  }
  json thresholds = json::array();
  for (const auto& t : r.thresholds) {
    thresholds.push_back({{"metric", t.metric},
                          {"expression", t.expression},
                          {"profile", t.profile},
                          {"observed", t.observed},
                          {"observed_text", t.observed_text},
                          {"passed", t.passed}});
  }
  json faults = json::array();
  for (const auto& f : r.faults) {
    faults.push_back({{"step", f.step},
                      {"kind", f.kind},
                      {"description", f.description},
                      {"injected_s", f.injected_s},
                      {"reverted_s", optional_number(f.reverted_s)},
                      {"revert_failed", f.revert_failed},
                      {"error", f.error}});
  }
  json loads = json::array();
  for (const auto& l : r.loads) {
    loads.push_back({{"profile", l.profile},
                     {"step", l.step},
                     {"started_s", l.started_s},
                     {"result", loadgen::to_json(l.result)}});
  }
  return {{"schema", kRunResultSchema},
          {"drill_name", r.drill_name},
          {"drill_file", r.drill_file},
          {"run_id", r.run_id},
          {"started_at", r.started_at},
          {"duration_s", r.duration_s},
          {"verdict", to_string(r.verdict)},
          {"exit_code", static_cast<int>(r.exit_code)},
          {"abort_reason", r.abort_reason},
          {"summary", summary_of(r)},
          {"timeline", timeline},
          {"checks", checks},
          {"thresholds", thresholds},
          {"faults", faults},
          {"loads", loads}};
}

RunResult run_result_from_json(const json& doc) {
  if (!doc.is_object()) {
    throw std::invalid_argument("not a run result: expected a JSON object with \"schema\": \"" +
                                std::string(kRunResultSchema) + "\"");
  }
  auto schema = doc.find("schema");
  if (schema == doc.end() || !schema->is_string()) {
    throw std::invalid_argument("not a run result: no \"schema\" field (expected \"" +
                                std::string(kRunResultSchema) + "\")");
  }
  if (*schema != kRunResultSchema) {
    std::string found = schema->get<std::string>();
    std::string hint = found == loadgen::kLoadResultSchema
                           ? " (a load result of `firedrill load -o`; report reads the result of "
                             "`firedrill run`)"
                           : "";
    throw std::invalid_argument("\"schema\" is \"" + found + "\", expected \"" + kRunResultSchema +
                                "\"" + hint);
  }
  Reader in(doc, "");
  RunResult r;
  r.drill_name = in.string("drill_name");
  r.drill_file = in.string("drill_file");
  r.run_id = in.string("run_id");
  r.started_at = in.string("started_at");
  r.duration_s = in.number("duration_s");
  r.verdict = in.name("verdict", &parse_run_verdict);
  r.exit_code = in.exit_code("exit_code");
  r.abort_reason = in.string("abort_reason");
  in.each("timeline", [&](const Reader& e) {
    r.timeline.push_back({e.number("at_s"), e.name("type", &parse_event_type), e.string("name"),
                          e.string("detail")});
  });
  in.each("checks", [&](const Reader& c) {
    CheckResult check;
    check.step = c.string("step");
    check.kind = c.string("kind");
    check.description = c.string("description");
    check.window = c.name("window", &parse_window_kind);
    check.window_s = c.number("window_s");
    check.verdict = c.name("verdict", &parse_check_verdict);
    check.message = c.string("message");
    check.evidence = c.member("evidence");
    check.time_to_detect_s = c.optional_number("time_to_detect_s");
    check.started_s = c.number("started_s");
    check.ended_s = c.number("ended_s");
    check.polls = c.integer("polls");
    r.checks.push_back(std::move(check));
  });
  in.each("thresholds", [&](const Reader& t) {
    r.thresholds.push_back({t.string("metric"), t.string("expression"), t.string("profile"),
                            t.number("observed"), t.string("observed_text"), t.boolean("passed")});
  });
  in.each("faults", [&](const Reader& f) {
    r.faults.push_back({f.string("step"), f.string("kind"), f.string("description"),
                        f.number("injected_s"), f.optional_number("reverted_s"),
                        f.boolean("revert_failed"), f.string("error")});
  });
  in.each("loads", [&](const Reader& l) {
    r.loads.push_back({l.string("profile"), l.string("step"), l.number("started_s"), read_load(l)});
  });
  return r;
}

}  // namespace firedrill::reporters
