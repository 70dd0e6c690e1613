#pragma once
#include <optional>
#include <string>

#include "common/param_schema.hpp"
#include "scenarios/yaml_reader.hpp"

namespace firedrill::scenarios {

// Checks the parameters written for one fault or check against its kind's declaration and
// converts them (common::Params). `what` names the kind in messages, like "http check". An empty
// value is no parameters at all.
std::optional<common::Params> validate_params(YamlReader& reader, const Value& value,
                                              const common::ParamSchema& schema,
                                              const std::string& what);

// A declared default in its validated form: a duration as integer nanoseconds, a single value
// of a list field as a list.
nlohmann::json normalized_default(const common::FieldSpec& field);

}  // namespace firedrill::scenarios
