#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/units.hpp"

namespace firedrill::common {

// The parameters of a fault or check kind, declared once and used three ways: to validate a drill
// file (with file:line:col errors and "did you mean"), to generate the JSON Schema editors use,
// and to document the kind.
enum class FieldType {
  String,
  Integer,
  Number,
  Boolean,
  Duration,     // "30s"; validated params hold integer nanoseconds
  StringList,   // a string or a list of strings; validated params hold a list
  StringMap,    // {name: value} with string values
  IntegerList,  // an integer or a list of integers (e.g. expected status codes)
  Object,       // free-form: the kind validates it itself
};

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::String;
  bool required = false;
  std::string description;
  std::vector<std::string> allowed;  // String only: the valid values
  nlohmann::json default_value;      // null: none
};

struct ParamSchema {
  std::vector<FieldSpec> fields;
  const FieldSpec* find(const std::string& name) const;
};

// Validated parameters: an object with every declared field present that was given or has a
// default, converted (durations to integer nanoseconds, single strings to lists).
using Params = nlohmann::json;

inline Duration duration_param(const Params& p, const std::string& name) {
  return Duration(p.at(name).get<int64_t>());
}

// A duration that must be more than zero, such as a timeout; throws ValueError naming it.
Duration positive_duration_param(const Params& p, const std::string& name);

}  // namespace firedrill::common
