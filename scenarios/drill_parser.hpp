#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/drill.hpp"

namespace firedrill::scenarios {

struct DrillError {
  SourceLocation at;
  std::string message;  // what is wrong and what would be valid
};

struct ParseOutcome {
  std::optional<Drill> drill;      // set only when there are no errors
  std::vector<DrillError> errors;  // all of them, in file order
};

// Looks up ${env:NAME}; returns nullopt when NAME is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

// Reads, interpolates and validates a drill file (apiVersion firedrill/v1, kind Drill).
ParseOutcome parse_drill_file(const std::string& path,
                              const EnvLookup& env = process_environment());
ParseOutcome parse_drill_text(const std::string& text, const std::string& file_name,
                              const EnvLookup& env = process_environment());

// "file:line:col: message", one per line.
std::string format_errors(const std::vector<DrillError>& errors);

// The JSON Schema (draft 2020-12) of drill files, generated from the same declarations the
// parser validates with, including every registered fault and check kind.
nlohmann::json drill_json_schema();

}  // namespace firedrill::scenarios
