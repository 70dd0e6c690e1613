#include "scenarios/kind_catalog.hpp"

#include "chaos/fault.hpp"
#include "validators/check.hpp"

namespace firedrill::scenarios {

KindCatalog registered_kinds() {
  KindCatalog catalog;
  for (const auto& k : chaos::fault_kinds()) {
    catalog.faults.push_back({k.name, k.summary, k.schema,
                              [&k](const common::Params& p, const clients::Integrations& i) {
                                k.create(p, nullptr);
                                if (k.check_integrations) k.check_integrations(p, i);
                              },
                              k.changes});
  }
  for (const auto& k : validators::check_kinds()) {
    // How the kind tells new state from old is part of what it means, so editors show it.
    const std::string summary =
        k.freshness.empty() ? k.summary : k.summary + ". New and old: " + k.freshness + ".";
    catalog.checks.push_back(
        {k.name, summary, k.schema,
         [&k](const common::Params& p, const clients::Integrations&) { k.create(p); }});
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
