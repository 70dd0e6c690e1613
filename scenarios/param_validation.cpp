#include "scenarios/param_validation.hpp"

#include <algorithm>

#include "common/errors.hpp"
#include "common/suggest.hpp"

namespace firedrill::scenarios {

using common::list_names;
using common::nearest_name;

using common::FieldSpec;
using common::FieldType;
using nlohmann::json;

namespace {

std::optional<json> allowed_string(YamlReader& r, const Value& v, const FieldSpec& field) {
  auto s = r.scalar(v, "a string");
  if (!s) return std::nullopt;
  const auto& allowed = field.allowed;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s->value) == allowed.end()) {
    std::string message = "expected " + list_names(allowed) + ", got " + s->shown();
    // A suggestion derived from a substituted value would give part of it away.
    if (!s->substituted) {
      if (auto near = nearest_name(s->value, allowed)) message += "; did you mean `" + *near + "`?";
    }
    r.error(v.at, message);
    return std::nullopt;
  }
  return s->value;
}

std::optional<json> integer_value(YamlReader& r, const Value& v) {
  auto i = r.integer(v, INT64_MIN, INT64_MAX);
  if (!i) return std::nullopt;
  return *i;
}

// A single item or a list of them, always as a list.
template <typename ReadItem>
std::optional<json> list_of(YamlReader& r, const Value& v, const std::string& expected,
                            ReadItem read_item) {
  std::vector<Value> items;
  if (v.node.IsSequence()) {
    auto listed = r.list(v, expected);
    if (!listed) return std::nullopt;
    items = std::move(*listed);
  } else if (v.node.IsScalar()) {
    items.push_back(v);
  } else {
    r.error(v.at, "expected " + expected + ", got " + describe_node(v.node));
    return std::nullopt;
  }
  json out = json::array();
  bool ok = true;
  for (const auto& item : items) {
    if (auto converted = read_item(item)) {
      out.push_back(std::move(*converted));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<json> convert(YamlReader& r, const Value& v, const FieldSpec& field) {
  switch (field.type) {
    case FieldType::String:
      return allowed_string(r, v, field);
    case FieldType::Integer:
      return integer_value(r, v);
    case FieldType::Number:
      if (auto d = r.number(v)) return *d;
      return std::nullopt;
    case FieldType::Boolean:
      if (auto b = r.boolean(v)) return *b;
      return std::nullopt;
    case FieldType::Duration:
      if (auto d = r.duration(v)) return d->count();
      return std::nullopt;
    case FieldType::StringList:
      return list_of(r, v, "a string or a list of strings",
                     [&](const Value& item) { return allowed_string(r, item, field); });
    case FieldType::IntegerList:
      return list_of(r, v, "a whole number or a list of them",
                     [&](const Value& item) { return integer_value(r, item); });
    case FieldType::StringMap:
      if (auto m = r.string_map(v, "a map of names to strings")) return json(*m);
      return std::nullopt;
    case FieldType::Object:
      if (!r.map(v, "a map")) return std::nullopt;
      return r.json(v);
  }
  return std::nullopt;
}

}  // namespace

json normalized_default(const FieldSpec& field) {
  const json& d = field.default_value;
  if (field.type == FieldType::Duration && d.is_string()) {
    try {
      return common::parse_duration(d.get<std::string>()).count();
    } catch (const common::ValueError&) {
      return d;
    }
  }
  if ((field.type == FieldType::StringList && d.is_string()) ||
      (field.type == FieldType::IntegerList && d.is_number_integer())) {
    return json::array({d});
  }
  return d;
}

std::optional<common::Params> validate_params(YamlReader& reader, const Value& value,
                                              const common::ParamSchema& schema,
                                              const std::string& what) {
  auto entries = reader.map(value, "the parameters of the " + what + " as a map", true);
  if (!entries) return std::nullopt;
  std::vector<std::string> known, required;
  for (const auto& f : schema.fields) {
    known.push_back(f.name);
    if (f.required) required.push_back(f.name);
  }
  const size_t errors_before = reader.error_count();
  reader.check_keys(*entries, known, required, what);
  common::Params params = json::object();
  for (const auto& f : entries->fields) {
    const FieldSpec* field = schema.find(f.key);
    if (!field) continue;
    if (auto converted = convert(reader, f.value, *field)) params[f.key] = std::move(*converted);
  }
  for (const auto& field : schema.fields) {
    if (!params.contains(field.name) && !field.default_value.is_null()) {
      params[field.name] = normalized_default(field);
    }
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return params;
}

}  // namespace firedrill::scenarios
