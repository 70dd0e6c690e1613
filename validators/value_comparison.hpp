#pragma once
#include <string>

namespace firedrill::validators {

// A comparison written in a drill, like "> 0.05" or ">= 10": what a value is held against.
struct ValueComparison {
  std::string op;  // <, <=, >, >=, ==, !=
  double operand = 0;
  std::string text;  // as written

  bool holds(double value) const;
};

// Throws common::ValueError naming `param` and the valid form.
ValueComparison parse_value_comparison(const std::string& text, const std::string& param);

}  // namespace firedrill::validators
