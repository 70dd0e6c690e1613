#pragma once
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "scenarios/drill_parser.hpp"

namespace firedrill::scenarios {

// Collects every error of one drill file so that all of them are reported at once.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // yaml-cpp counts from 0; people and editors count from 1. A null mark gives line 0: the file
  // as a whole.
  SourceLocation at(const YAML::Mark& mark) const;

  void error(const SourceLocation& at, std::string message);
  size_t count() const { return errors_.size(); }

  // In file order; the same message at the same place only once (a YAML alias reuses a node, and
  // with it the node's errors).
  std::vector<DrillError> sorted() const;

 private:
  std::string file_;
  std::vector<DrillError> errors_;
};

}  // namespace firedrill::scenarios
