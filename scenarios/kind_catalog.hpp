#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clients/integrations.hpp"
#include "common/param_schema.hpp"
#include "scenarios/drill_parser.hpp"

namespace firedrill::scenarios {

// The fault and check kinds a drill file may name, with their parameters: the registries in a
// real run, a fixed set in tests.
struct KindDecl {
  std::string name;
  std::string summary;
  common::ParamSchema schema;
  // Makes the kind once from params that passed the schema, as a run will (constructors do no
  // I/O), so that what the kind itself refuses, and what a fault needs of the drill's
  // integrations, is reported at the item's place in the file. Throws common::ValueError.
  // Optional: test catalogs leave it out.
  std::function<void(const common::Params&, const clients::Integrations& integrations)> construct =
      nullptr;
  // Faults only: chaos::FaultKind::changes, what no two active faults may both change.
  std::function<std::vector<std::string>(const common::Params&)> changes = nullptr;
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
