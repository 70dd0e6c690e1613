#include "scenarios/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "common/errors.hpp"
#include "common/secret_values.hpp"
#include "common/suggest.hpp"
#include "loadgen/url.hpp"

namespace firedrill::scenarios {

using common::nearest_name;
using common::suggestion;

namespace {

constexpr size_t kShownLength = 60;

std::string shorten(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > kShownLength) line = line.substr(0, kShownLength);
  return line.size() < text.size() ? line + "..." : line;
}

bool is_plain(const YAML::Node& node) {
  return node.Tag() == "?";
}

std::optional<int64_t> to_integer(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> to_number(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> to_boolean(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

// YAML 1.2 core schema typing of an unquoted scalar; anything else stays a string.
nlohmann::json typed_plain(const std::string& text) {
  if (auto b = to_boolean(text)) return *b;
  if (auto i = to_integer(text.starts_with('+') ? text.substr(1) : text)) return *i;
  bool numeric = !text.empty() && text.find_first_not_of("+-.0123456789eE") == std::string::npos &&
                 text.find_first_of("0123456789") != std::string::npos;
  if (numeric) {
    if (auto d = to_number(text.starts_with('+') ? text.substr(1) : text)) return *d;
  }
  return text;
}

}  // namespace

const Field* Entries::find(std::string_view key) const {
  for (const auto& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

std::string Scalar::shown() const {
  std::string text = "`" + shorten(written) + "`";
  return substituted ? "the value of " + text : text;
}

std::string describe_node(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return "`" + shorten(node.Scalar()) + "`";
}

YamlReader::YamlReader(Diagnostics& diagnostics, InterpolationSources sources)
    : diagnostics_(diagnostics), sources_(std::move(sources)) {}

Value YamlReader::value_of(const YAML::Node& node) const {
  return {node, diagnostics_.at(node.Mark())};
}

std::filesystem::path YamlReader::resolve_path(const std::string& path) const {
  std::filesystem::path p(path);
  return p.is_relative() ? sources_.base_dir / p : p;
}

bool YamlReader::enter(std::vector<YAML::Node>& open, const YAML::Node& node,
                       const SourceLocation& at) {
  for (const auto& o : open) {
    if (o.is(node)) {
      error(at, "this value contains itself through a YAML alias");
      return false;
    }
  }
  open.push_back(node);
  return true;
}

bool YamlReader::within_budget(std::size_t values, const SourceLocation& at) {
  if (over_budget_) return false;
  values_read_ += values;
  if (values_read_ <= kMaxValues) return true;
  over_budget_ = true;
  error(at, "the drill expands to more than " + std::to_string(kMaxValues) +
                " values here (YAML aliases and merge keys repeat what they name); a drill "
                "that large is refused");
  return false;
}

void YamlReader::collect_fields(const YAML::Node& map, std::vector<Field>& out,
                                std::unordered_map<std::string, std::size_t>& seen,
                                bool explicit_keys) {
  if (!within_budget(map.size(), diagnostics_.at(map.Mark()))) return;
  std::vector<YAML::Node> merges;
  for (const auto& entry : map) {
    const YAML::Node key = entry.first;
    const YAML::Node node = entry.second;
    const SourceLocation key_at = diagnostics_.at(key.Mark());
    if (!key.IsScalar()) {
      error(key_at, "expected a name as key, got " + describe_node(key));
      continue;
    }
    if (key.Scalar() == "<<" && is_plain(key)) {
      merges.push_back(node);
      continue;
    }
    Value value{node, node.IsNull() ? key_at : diagnostics_.at(node.Mark())};
    auto same = seen.find(key.Scalar());
    if (same != seen.end()) {
      // Merged keys are defaults: an explicit key overrides them, and they never duplicate.
      if (explicit_keys) {
        error(key_at, "duplicate key `" + key.Scalar() + "` (first at line " +
                          std::to_string(out[same->second].key_at.line) + ")");
      }
      continue;
    }
    seen.emplace(key.Scalar(), out.size());
    out.push_back({key.Scalar(), key_at, value});
  }
  for (const auto& merge : merges) {
    std::vector<YAML::Node> sources;
    if (merge.IsSequence()) {
      for (const auto& item : merge) sources.push_back(item);
    } else {
      sources.push_back(merge);
    }
    for (const auto& source : sources) {
      if (!source.IsMap()) {
        error(diagnostics_.at(source.Mark()),
              "expected a map (or a list of maps) to merge with <<, got " + describe_node(source));
        continue;
      }
      if (!enter(merging_, source, diagnostics_.at(source.Mark()))) continue;
      collect_fields(source, out, seen, false);
      merging_.pop_back();
    }
  }
}

std::optional<Entries> YamlReader::map(const Value& v, std::string_view expected, bool empty_ok) {
  if (over_budget_) return std::nullopt;
  if (empty_ok && v.empty()) return Entries{v, {}};
  if (!v.node.IsMap()) {
    error(v.at, "expected " + std::string(expected) + ", got " + describe_node(v.node));
    return std::nullopt;
  }
  Entries entries{v, {}};
  merging_.push_back(v.node);
  std::unordered_map<std::string, std::size_t> seen;
  collect_fields(v.node, entries.fields, seen, true);
  merging_.pop_back();
  return entries;
}

std::optional<std::vector<Value>> YamlReader::list(const Value& v, std::string_view expected) {
  if (!v.node.IsSequence()) {
    error(v.at, "expected " + std::string(expected) + ", got " + describe_node(v.node));
    return std::nullopt;
  }
  if (!within_budget(v.node.size(), v.at)) return std::nullopt;
  std::vector<Value> items;
  for (const auto& item : v.node) {
    items.push_back(item.IsNull() ? Value{item, v.at} : value_of(item));
  }
  return items;
}

void YamlReader::check_keys(const Entries& entries, const MapDecl& decl) {
  std::vector<std::string> required;
  for (const auto& k : decl.keys) {
    if (k.required) required.push_back(k.name);
  }
  check_keys(entries, decl.names(), required, decl.what, decl.key_noun);
}

void YamlReader::check_keys(const Entries& entries, const std::vector<std::string>& known,
                            const std::vector<std::string>& required, std::string_view what,
                            std::string_view noun) {
  const std::string in = what.empty() ? "" : " in " + std::string(what);
  std::vector<std::string> suggested;
  for (const auto& f : entries.fields) {
    if (std::find(known.begin(), known.end(), f.key) != known.end()) continue;
    std::string message = "unknown " + std::string(noun) + " `" + f.key + "`" + in;
    if (known.empty()) {
      message += ": it takes no " + std::string(noun) + "s";
    } else {
      message += suggestion(f.key, known, "valid " + std::string(noun) + "s");
    }
    if (auto near = nearest_name(f.key, known)) suggested.push_back(*near);
    error(f.key_at, message);
  }
  for (const auto& name : required) {
    // "did you mean `url`?" already says that `url` is missing.
    if (std::find(suggested.begin(), suggested.end(), name) != suggested.end()) continue;
    if (!entries.find(name)) {
      error(entries.self.at, "missing required " + std::string(noun) + " `" + name + "`" + in);
    }
  }
}

std::optional<Scalar> YamlReader::scalar(const Value& v, std::string_view expected) {
  if (!v.node.IsScalar()) {
    error(v.at, "expected " + std::string(expected) + ", got " + describe_node(v.node));
    return std::nullopt;
  }
  Scalar s;
  s.written = v.node.Scalar();
  s.plain = is_plain(v.node);
  Interpolated result = interpolate(s.written, sources_);
  if (!result.error.empty()) {
    error(v.at, result.error);
    return std::nullopt;
  }
  s.value = std::move(result.value);
  s.substituted = result.substituted;
  for (const auto& sub : result.substitutions)
    common::secret_values().add(sub.value, sub.reference);
  return s;
}

std::optional<std::string> YamlReader::string(const Value& v) {
  auto s = scalar(v, "a string");
  if (!s) return std::nullopt;
  return s->value;
}

std::optional<bool> YamlReader::boolean(const Value& v) {
  auto s = scalar(v, "true or false");
  if (!s) return std::nullopt;
  auto b = to_boolean(s->value);
  if (!b) error(v.at, "expected true or false, got " + s->shown());
  return b;
}

std::optional<int64_t> YamlReader::integer(const Value& v, int64_t minimum, int64_t maximum) {
  std::string range = "a whole number";
  if (minimum != INT64_MIN && maximum == INT64_MAX) {
    range += " of at least " + std::to_string(minimum);
  } else if (minimum != INT64_MIN) {
    range += " from " + std::to_string(minimum) + " to " + std::to_string(maximum);
  }
  auto s = scalar(v, range);
  if (!s) return std::nullopt;
  auto i = to_integer(s->value);
  if (!i || *i < minimum || *i > maximum) {
    error(v.at, "expected " + range + ", got " + s->shown());
    return std::nullopt;
  }
  return i;
}

std::optional<double> YamlReader::number(const Value& v) {
  auto s = scalar(v, "a number");
  if (!s) return std::nullopt;
  auto d = to_number(s->value);
  if (!d) error(v.at, "expected a number, got " + s->shown());
  return d;
}

std::optional<common::Duration> YamlReader::duration(const Value& v, bool positive) {
  auto s = scalar(v, "a duration like 30s");
  if (!s) return std::nullopt;
  try {
    common::Duration d = common::parse_duration(s->value);
    if (positive && d.count() == 0) {
      error(v.at, "expected a duration longer than 0, like 30s, got " + s->shown());
      return std::nullopt;
    }
    return d;
  } catch (const common::ValueError&) {
    error(v.at, "expected a duration like 30s, got " + s->shown());
    return std::nullopt;
  }
}

std::optional<double> YamlReader::rate(const Value& v) {
  auto s = scalar(v, "a rate like 500/s");
  if (!s) return std::nullopt;
  try {
    return common::parse_rate(s->value);
  } catch (const common::ValueError&) {
    error(v.at, "expected a rate like 500/s, got " + s->shown());
    return std::nullopt;
  }
}

std::optional<std::string> YamlReader::http_url(const Value& v) {
  auto s = scalar(v, "an http:// or https:// URL");
  if (!s) return std::nullopt;
  try {
    loadgen::parse_url(s->value);
    return s->value;
  } catch (const common::ValueError& e) {
    std::string message = "expected an http:// or https:// URL, got " + s->shown();
    // The parser's reason quotes the URL, which may hold a secret.
    const std::string prefix = "\"" + s->value + "\" is not a valid URL: ";
    std::string reason = e.what();
    // Only what it adds: "expected http://HOST..." says nothing the message does not.
    if (!s->substituted && reason.starts_with(prefix) &&
        !reason.substr(prefix.size()).starts_with("expected")) {
      message += " (" + reason.substr(prefix.size()) + ")";
    }
    error(v.at, message);
    return std::nullopt;
  }
}

std::optional<std::map<std::string, std::string>> YamlReader::string_map(
    const Value& v, std::string_view expected) {
  auto entries = map(v, expected);
  if (!entries) return std::nullopt;
  std::map<std::string, std::string> out;
  bool ok = true;
  for (const auto& f : entries->fields) {
    auto s = scalar(f.value, "a string");
    if (s) {
      out[f.key] = s->value;
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<nlohmann::json> YamlReader::json(const Value& v) {
  if (v.empty()) return nlohmann::json();
  if (v.node.IsScalar()) return json_of_entered(v);
  if (!enter(converting_, v.node, v.at)) return std::nullopt;
  auto converted = json_of_entered(v);
  converting_.pop_back();
  return converted;
}

std::optional<nlohmann::json> YamlReader::json_of_entered(const Value& v) {
  if (v.node.IsMap()) {
    auto entries = map(v, "a map");
    if (!entries) return std::nullopt;
    nlohmann::json out = nlohmann::json::object();
    bool ok = true;
    for (const auto& f : entries->fields) {
      auto item = json(f.value);
      if (item) {
        out[f.key] = std::move(*item);
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return out;
  }
  if (v.node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    bool ok = true;
    const std::optional<std::vector<Value>> items = list(v, "a list");
    if (!items) return std::nullopt;
    for (const auto& item : *items) {
      auto converted = json(item);
      if (converted) {
        out.push_back(std::move(*converted));
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return out;
  }
  auto s = scalar(v, "a value");
  if (!s) return std::nullopt;
  if (s->plain) return typed_plain(s->value);
  return s->value;
}

}  // namespace firedrill::scenarios
