#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/drill.hpp"

namespace firedrill::scenarios {

// The structure of a drill file, declared once: the parser checks keys against these
// declarations ("unknown key ...; did you mean ...", "missing required key ...") and the JSON
// Schema is generated from them, descriptions included.

struct KeyDecl {
  std::string name;
  bool required = false;
  std::string description;
  nlohmann::json schema;  // JSON Schema of the value; "#/$defs/..." references drill_schema's defs
};

struct MapDecl {
  std::string def;   // its name under the schema's $defs
  std::string what;  // how messages name the map: "unknown key `x` in WHAT"
  std::string description;
  std::vector<KeyDecl> keys;
  std::string key_noun = "key";  // "unknown integration `x`" reads better than "unknown key"

  std::vector<std::string> names() const;
  const KeyDecl* find(const std::string& name) const;
};

const MapDecl& drill_decl();
const MapDecl& metadata_decl();
const MapDecl& target_decl();
const MapDecl& tls_decl();
const MapDecl& integrations_decl();
const MapDecl& service_decl();
const MapDecl& readiness_decl();
const MapDecl& restart_decl();
const MapDecl& profile_decl();
const MapDecl& request_decl();
const MapDecl& stage_decl();
const MapDecl& step_decl();
const MapDecl& validate_decl();
const MapDecl& thresholds_decl();  // one key per metric
const MapDecl& threshold_decl();   // the object form of one threshold
// Every map above, for the schema's $defs.
std::vector<const MapDecl*> all_map_decls();

// A step item holds exactly one of these keys; `extra` are the keys that apply only to it.
struct StepTypeDecl {
  std::string key;
  StepType type;
  std::vector<std::string> extra;
  std::vector<std::string> required;
};
const std::vector<StepTypeDecl>& step_types();

// How a threshold metric's value is written.
enum class MetricUnit { Seconds, Ratio, Count, PerSecond };
MetricUnit metric_unit(const std::string& metric);

// JSON Schema pieces shared by the declarations above and the fault and check parameters.
namespace schema {
nlohmann::json ref(const std::string& def);
// Every value may be written as a ${...} reference, so typed values also accept one.
nlohmann::json interpolable(nlohmann::json typed);
nlohmann::json string();
nlohmann::json boolean();
nlohmann::json integer(int64_t minimum, int64_t maximum = 0);  // maximum 0: unbounded
nlohmann::json number();
nlohmann::json duration();
nlohmann::json rate();
nlohmann::json string_map();
// The defs the pieces refer to: duration, rate, interpolated, scalar.
nlohmann::json scalar_defs();
}  // namespace schema

}  // namespace firedrill::scenarios
