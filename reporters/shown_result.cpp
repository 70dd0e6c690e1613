#include "reporters/shown_result.hpp"

#include "loadgen/load_result_redaction.hpp"

namespace firedrill::reporters {

namespace {

// String values only: evidence keys are label names and field names, not what a drill said.
void redact_values(nlohmann::json& doc, const common::SecretValues& secrets) {
  if (doc.is_string()) {
    doc = secrets.redact(doc.get_ref<const std::string&>());
  } else if (doc.is_structured()) {
    for (auto& item : doc) redact_values(item, secrets);
  }
}

}  // namespace

RunResult shown_result(RunResult r, const common::SecretValues& secrets) {
  if (secrets.empty()) return r;
  auto redact = [&](std::string& text) { text = secrets.redact(text); };
  for (std::string* text : {&r.drill_name, &r.drill_file, &r.run_id, &r.abort_reason}) {
    redact(*text);
  }
  for (auto& e : r.timeline) {
    redact(e.name);
    redact(e.detail);
  }
  for (auto& c : r.checks) {
    redact(c.step);
    redact(c.description);
    redact(c.message);
    redact_values(c.evidence, secrets);
  }
  for (auto& t : r.thresholds) {
    redact(t.expression);
    redact(t.profile);
    redact(t.observed_text);
  }
  for (auto& f : r.faults) {
    redact(f.step);
    redact(f.description);
    redact(f.error);
  }
  for (auto& load : r.loads) {
    redact(load.profile);
    redact(load.step);
    loadgen::redact_load(load.result, secrets);
  }
  return r;
}

}  // namespace firedrill::reporters
