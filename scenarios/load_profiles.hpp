#pragma once
#include <map>
#include <string>
#include <vector>

#include "scenarios/drill.hpp"
#include "scenarios/yaml_reader.hpp"

namespace firedrill::scenarios {

// What the target section gave the profiles: protocol, TLS and headers apply to every profile;
// request paths are resolved against the URL.
struct ProfileBase {
  bool has_target = false;  // a target section exists (its own errors are reported there)
  Target target;            // url empty when missing or invalid
};

struct LoadSection {
  std::map<std::string, LoadProfile> profiles;  // the valid ones
  // Every profile written, valid or not: a step naming a profile with errors is not also wrong.
  std::vector<std::string> names;
};

// {Name: value} headers, names checked; values may be any scalar.
std::optional<std::vector<loadgen::Header>> read_headers(YamlReader& reader, const Value& value);

// The message for a step or threshold naming a profile that `profiles` does not hold.
std::string unknown_profile(const std::string& name, const std::vector<std::string>& profiles);

// The `load` section: each profile converted into a loadgen::LoadConfig without a duration.
LoadSection parse_load_profiles(YamlReader& reader, const Value& value, const ProfileBase& base);

}  // namespace firedrill::scenarios
