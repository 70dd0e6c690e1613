#pragma once
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scenarios/diagnostics.hpp"
#include "scenarios/drill_format.hpp"
#include "scenarios/interpolation.hpp"

namespace firedrill::scenarios {

// A value in the drill file and where it is. An empty value (`key:`) is placed at its key:
// yaml-cpp puts it at whatever token follows, often on the next line.
struct Value {
  YAML::Node node;
  SourceLocation at;
  bool empty() const { return !node.IsDefined() || node.IsNull(); }
};

struct Field {
  std::string key;
  SourceLocation key_at;
  Value value;
};

// A map's entries in file order, `<<` merge keys expanded.
struct Entries {
  Value self;
  std::vector<Field> fields;
  const Field* find(std::string_view key) const;
};

struct Scalar {
  std::string value;    // interpolated
  std::string written;  // as in the file
  bool substituted = false;
  bool plain = false;  // unquoted: YAML's own typing (true, 12, 1.5) applies to it
  // The value as messages show it: as written, never interpolated (it may be a secret).
  std::string shown() const;
};

// Reads typed values out of the YAML tree, interpolating every scalar and reporting each problem
// at its file:line:col. Readers return nullopt once they have reported an error, so that the
// caller goes on with the rest of the file.
class YamlReader {
 public:
  YamlReader(Diagnostics& diagnostics, InterpolationSources sources);

  void error(const SourceLocation& at, std::string message) {
    diagnostics_.error(at, std::move(message));
  }
  size_t error_count() const { return diagnostics_.count(); }
  Value value_of(const YAML::Node& node) const;
  // Relative paths are relative to the drill file's folder.
  std::filesystem::path resolve_path(const std::string& path) const;

  // `expected` completes "expected ..., got a list". `empty_ok`: an empty value is an empty map.
  std::optional<Entries> map(const Value& v, std::string_view expected, bool empty_ok = false);
  std::optional<std::vector<Value>> list(const Value& v, std::string_view expected);
  // Reports keys `decl` does not declare (with the nearest declared one) and missing required
  // keys (at the map).
  void check_keys(const Entries& entries, const MapDecl& decl);
  void check_keys(const Entries& entries, const std::vector<std::string>& known,
                  const std::vector<std::string>& required, std::string_view what,
                  std::string_view noun = "key");

  std::optional<Scalar> scalar(const Value& v, std::string_view expected);
  std::optional<std::string> string(const Value& v);
  std::optional<bool> boolean(const Value& v);
  std::optional<int64_t> integer(const Value& v, int64_t minimum, int64_t maximum);
  std::optional<double> number(const Value& v);
  std::optional<common::Duration> duration(const Value& v, bool positive = false);
  std::optional<double> rate(const Value& v);
  std::optional<std::string> http_url(const Value& v);
  // {name: value} with scalar values, as strings.
  std::optional<std::map<std::string, std::string>> string_map(const Value& v,
                                                               std::string_view expected);
  // Any YAML as JSON, scalars interpolated and plain ones typed as YAML types them.
  std::optional<nlohmann::json> json(const Value& v);

 private:
  // `seen` holds where each key of `out` is: merges add to the same map, and a lookup per key
  // keeps even large maps with many merges linear.
  void collect_fields(const YAML::Node& map, std::vector<Field>& out,
                      std::unordered_map<std::string, std::size_t>& seen, bool explicit_keys);
  // An alias can make a node contain itself, and reading it would never end: `open` holds the
  // nodes being read, outermost first.
  bool enter(std::vector<YAML::Node>& open, const YAML::Node& node, const SourceLocation& at);
  std::optional<nlohmann::json> json_of_entered(const Value& v);
  // Counts values read. Aliases and merge keys let a file of a few hundred bytes name billions
  // of values (a "billion laughs"): past kMaxValues the reader says where and reads no more.
  bool within_budget(std::size_t values, const SourceLocation& at);

  Diagnostics& diagnostics_;
  InterpolationSources sources_;
  std::vector<YAML::Node> merging_;     // maps whose `<<` merges are being expanded
  std::vector<YAML::Node> converting_;  // maps and lists being converted to JSON
  std::size_t values_read_ = 0;
  bool over_budget_ = false;

 public:
  static constexpr std::size_t kMaxValues = 250'000;
};

// "a list", "a map", "nothing" or the scalar as written: what a message says it got.
std::string describe_node(const YAML::Node& node);

}  // namespace firedrill::scenarios
