#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/drill_parser.hpp"

namespace firedrill::scenarios {

struct InterpolationSources {
  EnvLookup env;
  std::filesystem::path base_dir;  // ${file:PATH} is relative to the drill file's folder
};

struct Substitution {
  std::string value;      // what was put in
  std::string reference;  // as written: "${env:TOKEN}"
};

struct Interpolated {
  std::string value;
  // A variable or a file was read: the value may be a secret and must never appear in a message.
  bool substituted = false;
  // What the environment and files gave (not defaults), for common::secret_values().
  std::vector<Substitution> substitutions;
  std::string error;  // empty when the text is valid; names the reference, never a value
};

// Replaces ${env:NAME}, ${env:NAME:-default} (the default also when NAME is set but empty, as
// in the shell) and ${file:PATH} (its content without trailing line breaks); "$${" is a literal
// "${".
Interpolated interpolate(std::string_view text, const InterpolationSources& sources);

}  // namespace firedrill::scenarios
