#include "common/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace firedrill::common {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance: a swap of two neighbours counts as one edit, the most
// common typo in key names ("stpes").
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Short names allow fewer edits, or every three-letter word would be "near" every other.
size_t allowed_edits(size_t length) {
  if (length <= 3) return 1;
  if (length <= 8) return 2;
  return 3;
}

}  // namespace

std::optional<std::string> nearest_name(std::string_view given,
                                        const std::vector<std::string>& candidates) {
  const std::string needle = lower(given);
  std::optional<std::string> best;
  size_t best_distance = allowed_edits(given.size()) + 1;
  for (const auto& candidate : candidates) {
    size_t d = edit_distance(needle, lower(candidate));
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  if (best || given.size() < 3) return best;
  // A shortened name ("abort" for abortOnFail) is far in edits but obvious when unambiguous.
  for (const auto& candidate : candidates) {
    if (lower(candidate).starts_with(needle)) {
      if (best) return std::nullopt;
      best = candidate;
    }
  }
  return best;
}

std::string list_names(const std::vector<std::string>& names, std::string_view last_joiner) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " " + std::string(last_joiner) + " " : ", ";
    out += "`" + names[i] + "`";
  }
  return out;
}

std::string suggestion(std::string_view given, const std::vector<std::string>& candidates,
                       std::string_view valid_label) {
  if (auto near = nearest_name(given, candidates)) return "; did you mean `" + *near + "`?";
  if (candidates.empty()) return "";
  return "; " + std::string(valid_label) + ": " + list_names(candidates);
}

std::string unknown_name(std::string_view what, std::string_view given,
                         const std::vector<std::string>& names, std::string_view names_label) {
  std::string message = "unknown " + std::string(what) + " `" + std::string(given) + "`";
  const std::string listed = std::string(names_label) + ": " + list_names(names, "and");
  if (auto near = nearest_name(given, names)) {
    return message + "; did you mean `" + *near + "`? (" + listed + ")";
  }
  return message + "; " + listed;
}

}  // namespace firedrill::common
