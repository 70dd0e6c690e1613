#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/drill.hpp"
#include "scenarios/yaml_reader.hpp"

namespace firedrill::scenarios {

struct ThresholdExpression {
  ThresholdOp op = ThresholdOp::Less;
  double value = 0;  // in the metric's base unit
};

// "< 500ms" for a latency metric, "< 1%" for http.errors.rate, ">= 900/s" for http.rps. nullopt
// when the text is not an operator and a value of the metric's unit.
std::optional<ThresholdExpression> parse_threshold_expression(const std::string& metric,
                                                              std::string_view text);

// The `thresholds` section. `profiles` are the names of the `load` section, valid or not.
std::vector<Threshold> parse_thresholds(YamlReader& reader, const Value& value,
                                        const std::vector<std::string>& profiles);

}  // namespace firedrill::scenarios
