#pragma once
#include <map>
#include <string>
#include <vector>

#include "local/local_services.hpp"
#include "scenarios/drill.hpp"
#include "scenarios/yaml_reader.hpp"

namespace firedrill::scenarios {

struct ServicesSection {
  std::vector<local::ServiceSpec> services;  // the valid ones, in file order
  std::map<std::string, SourceLocation> at;  // by name: where each was declared
};

// The `services` block: local processes the drill starts, by name. Every problem is reported at
// its file:line:col, including ports that go past 65535 or overlap another service's.
ServicesSection parse_services(YamlReader& reader, const Value& value);

}  // namespace firedrill::scenarios
