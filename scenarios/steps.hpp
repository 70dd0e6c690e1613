#pragma once
#include <string>
#include <vector>

#include "scenarios/drill.hpp"
#include "scenarios/kind_catalog.hpp"
#include "scenarios/yaml_reader.hpp"

namespace firedrill::scenarios {

// The `steps` list. `profiles` are the names of the `load` section, valid or not;
// `integrations` the drill's integrations block, which faults are checked against.
std::vector<Step> parse_steps(YamlReader& reader, const Value& value,
                              const std::vector<std::string>& profiles, const KindCatalog& kinds,
                              const clients::Integrations& integrations);

}  // namespace firedrill::scenarios
