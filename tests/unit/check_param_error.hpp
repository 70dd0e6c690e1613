#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "common/errors.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {

// What the check kind says when created from these parameters: its ValueError's message,
// "accepted" when it takes them, or "no kind NAME" when no such kind is registered, so a
// parameter test compares one string whatever the outcome.
inline std::string check_param_error(const std::string& kind_name, nlohmann::json given) {
  const validators::CheckKind* kind = validators::find_check_kind(kind_name);
  if (!kind) return "no kind " + kind_name;
  try {
    kind->create(kind_params(kind->schema, std::move(given)));
  } catch (const common::ValueError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace firedrill::testing
