#include "scenarios/diagnostics.hpp"

#include <algorithm>
#include <tuple>

namespace firedrill::scenarios {

SourceLocation Diagnostics::at(const YAML::Mark& mark) const {
  if (mark.is_null()) return {file_, 0, 0};
  return {file_, mark.line + 1, mark.column + 1};
}

void Diagnostics::error(const SourceLocation& at, std::string message) {
  errors_.push_back({at, std::move(message)});
}

std::vector<DrillError> Diagnostics::sorted() const {
  std::vector<DrillError> out = errors_;
  std::stable_sort(out.begin(), out.end(), [](const DrillError& a, const DrillError& b) {
    return std::tie(a.at.line, a.at.column) < std::tie(b.at.line, b.at.column);
  });
  auto same = [](const DrillError& a, const DrillError& b) {
    return a.at.line == b.at.line && a.at.column == b.at.column && a.message == b.message;
  };
  std::vector<DrillError> unique;
  for (auto& e : out) {
    if (std::none_of(unique.begin(), unique.end(),
                     [&](const DrillError& u) { return same(u, e); })) {
      unique.push_back(std::move(e));
    }
  }
  return unique;
}

}  // namespace firedrill::scenarios
