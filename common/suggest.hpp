#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace firedrill::common {

// The candidate closest to `given` when it is close enough to be a likely typo (case, a letter
// or two, two swapped letters), for "did you mean `url`?".
std::optional<std::string> nearest_name(std::string_view given,
                                        const std::vector<std::string>& candidates);

// "`a`, `b` or `c`": how messages list the valid choices.
std::string list_names(const std::vector<std::string>& names, std::string_view last_joiner = "or");

// "; did you mean `url`?" when one is near, otherwise "; valid: `a`, `b` or `c`".
std::string suggestion(std::string_view given, const std::vector<std::string>& candidates,
                       std::string_view valid_label = "valid");

// "unknown load profile `basline`; did you mean `baseline`? (profiles: `baseline` and `spike`)":
// for names the drill or a registry defines, where the list itself is useful.
std::string unknown_name(std::string_view what, std::string_view given,
                         const std::vector<std::string>& names, std::string_view names_label);

}  // namespace firedrill::common
