#pragma once
#include <nlohmann/json.hpp>

#include "common/param_schema.hpp"
#include "scenarios/param_validation.hpp"

namespace firedrill::testing {

// Parameters as the drill parser hands them to a kind's create(): what was given (durations in
// nanoseconds, lists as lists), plus every declared default in its validated form.
inline common::Params kind_params(const common::ParamSchema& schema, nlohmann::json given) {
  for (const auto& field : schema.fields) {
    if (!given.contains(field.name) && !field.default_value.is_null()) {
      given[field.name] = scenarios::normalized_default(field);
    }
  }
  return given;
}

inline int64_t ns(std::chrono::nanoseconds d) {
  return d.count();
}

}  // namespace firedrill::testing
