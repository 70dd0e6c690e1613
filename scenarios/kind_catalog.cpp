#include "scenarios/kind_catalog.hpp"

#include "chaos/fault.hpp"
#include "validators/check.hpp"

namespace firedrill::scenarios {

KindCatalog registered_kinds() {
  KindCatalog catalog;
  for (const auto& k : chaos::fault_kinds())
    catalog.faults.push_back({k.name, k.summary, k.schema});
  for (const auto& k : validators::check_kinds()) {
    catalog.checks.push_back({k.name, k.summary, k.schema});
  }
  return catalog;
}

std::vector<std::string> kind_names(const std::vector<KindDecl>& kinds) {
  std::vector<std::string> names;
  for (const auto& k : kinds) names.push_back(k.name);
  return names;
}

const KindDecl* find_kind(const std::vector<KindDecl>& kinds, const std::string& name) {
  for (const auto& k : kinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace firedrill::scenarios
