#include "scenarios/fault_overlap.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>

#include "common/units.hpp"

namespace firedrill::scenarios {

namespace {

bool is_wildcard(const std::string& key) {
  return !key.empty() && key.back() == '*';
}

bool covers(const std::string& wildcard, const std::string& key) {
  return is_wildcard(wildcard) && !is_wildcard(key) &&
         key.compare(0, wildcard.size() - 1, wildcard, 0, wildcard.size() - 1) == 0;
}

bool same_target(const std::string& a, const std::string& b) {
  return (a == b && !is_wildcard(a)) || covers(a, b) || covers(b, a);
}

std::optional<std::string> shared_target(const std::vector<std::string>& earlier,
                                         const std::vector<std::string>& later) {
  for (const auto& a : earlier) {
    for (const auto& b : later) {
      if (same_target(a, b)) return is_wildcard(a) ? b : a;
    }
  }
  return std::nullopt;
}

// The least time that surely passes between the end of step `from` and the start of step `to`.
Duration least_time_between(const std::vector<Step>& steps, std::size_t from, std::size_t to) {
  Duration total{0};
  for (std::size_t i = from + 1; i < to; ++i) {
    const Step& s = steps[i];
    if (s.type == StepType::Wait || (s.type == StepType::Load && !s.background)) {
      total += s.duration;
    }
  }
  return total;
}

std::string place(const SourceLocation& at) {
  return fmt::format("{}:{}", at.line, at.column);
}

}  // namespace

void check_fault_overlap(YamlReader& reader, const std::vector<Step>& steps,
                         const KindCatalog& kinds) {
  std::vector<std::vector<std::string>> changes(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].type != StepType::Chaos) continue;
    const KindDecl* kind = find_kind(kinds.faults, steps[i].fault.kind);
    if (kind && kind->changes) changes[i] = kind->changes(steps[i].fault.params);
  }
  for (std::size_t later = 0; later < steps.size(); ++later) {
    for (std::size_t earlier = 0; earlier < later; ++earlier) {
      auto target = shared_target(changes[earlier], changes[later]);
      if (!target) continue;
      const FaultSpec& first = steps[earlier].fault;
      if (!first.for_duration) continue;
      const Duration between = least_time_between(steps, earlier, later);
      if (*first.for_duration <= between) continue;
      const std::string shorter =
          between > Duration::zero()
              ? fmt::format(
                    "Give the first a `for:` of at most {} (the waits and foreground loads "
                    "between them), wait longer between them",
                    common::format_duration(between))
              : fmt::format("Put a wait of at least {} between them",
                            common::format_duration(*first.for_duration));
      reader.error(
          steps[later].fault.at,
          fmt::format("{} changes {}, like the {} at {}, which is reverted after its `for:` of {}, "
                      "possibly while this one is still active: it would restore what it found "
                      "and undo this fault, and this fault's revert would then bring the first "
                      "one's effect back. {}, drop the first one's `for:` (at the end faults are "
                      "reverted last first), or make them one fault",
                      steps[later].fault.kind, *target, first.kind, place(first.at),
                      common::format_duration(*first.for_duration), shorter));
      break;
    }
  }
}

}  // namespace firedrill::scenarios
