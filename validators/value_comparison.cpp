#include "validators/value_comparison.hpp"

#include <charconv>
#include <string_view>

#include "common/errors.hpp"
#include "common/text.hpp"

namespace firedrill::validators {

bool ValueComparison::holds(double v) const {
  if (op == "<") return v < operand;
  if (op == "<=") return v <= operand;
  if (op == ">") return v > operand;
  if (op == ">=") return v >= operand;
  if (op == "==") return v == operand;
  return v != operand;
}

ValueComparison parse_value_comparison(const std::string& text, const std::string& param) {
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  ValueComparison c;
  c.text = text;
  for (const char* op : {"<=", ">=", "==", "!=", "<", ">"}) {
    if (rest.starts_with(op)) {
      c.op = op;
      rest.remove_prefix(c.op.size());
      break;
    }
  }
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.starts_with('+')) rest.remove_prefix(1);
  auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), c.operand);
  if (c.op.empty() || rest.empty() || error != std::errc() || end != rest.data() + rest.size()) {
    throw common::ValueError(param + ": \"" + common::excerpt(text, 60) +
                             "\" is not a comparison like \"> 0.05\" (<, <=, >, >=, ==, != and "
                             "a number)");
  }
  return c;
}

}  // namespace firedrill::validators
