#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/param_schema.hpp"
#include "scenarios/drill_parser.hpp"

namespace firedrill::scenarios {

// The fault and check kinds a drill file may name, with their parameters: the registries in a
// real run, a fixed set in tests.
struct KindDecl {
  std::string name;
  std::string summary;
  common::ParamSchema schema;
};

struct KindCatalog {
  std::vector<KindDecl> faults;
  std::vector<KindDecl> checks;
};

// chaos::fault_kinds() and validators::check_kinds().
KindCatalog registered_kinds();

std::vector<std::string> kind_names(const std::vector<KindDecl>& kinds);
const KindDecl* find_kind(const std::vector<KindDecl>& kinds, const std::string& name);

// parse_drill_text and drill_json_schema over the given kinds instead of the registries.
ParseOutcome parse_drill_text(const std::string& text, const std::string& file_name,
                              const EnvLookup& env, const KindCatalog& kinds);
nlohmann::json drill_json_schema(const KindCatalog& kinds);

}  // namespace firedrill::scenarios
