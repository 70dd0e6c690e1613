#include "scenarios/drill_format.hpp"
#include "scenarios/drill_parser.hpp"
#include "scenarios/kind_catalog.hpp"
#include "scenarios/param_validation.hpp"

namespace firedrill::scenarios {

using common::FieldSpec;
using common::FieldType;
using nlohmann::json;

namespace {

json with_description(json schema, const std::string& description) {
  if (!description.empty() && !schema.contains("description")) {
    schema["description"] = description;
  }
  return schema;
}

json object_schema(const MapDecl& decl) {
  json properties = json::object();
  json required = json::array();
  for (const auto& k : decl.keys) {
    properties[k.name] = with_description(k.schema, k.description);
    if (k.required) required.push_back(k.name);
  }
  json s = {{"type", "object"},
            {"description", decl.description},
            {"properties", properties},
            {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

json field_schema(const FieldSpec& field) {
  json item = field.allowed.empty() ? json{{"type", json::array({"string", "number"})}}
                                    : json{{"enum", field.allowed}};
  json s;
  switch (field.type) {
    case FieldType::String:
      s = field.allowed.empty() ? schema::string()
                                : schema::interpolable({{"enum", field.allowed}});
      break;
    case FieldType::Integer:
      s = schema::interpolable({{"type", "integer"}});
      break;
    case FieldType::Number:
      s = schema::number();
      break;
    case FieldType::Boolean:
      s = schema::boolean();
      break;
    case FieldType::Duration:
      s = schema::duration();
      break;
    case FieldType::StringList:
      s = {{"anyOf", json::array({item, {{"type", "array"}, {"items", item}}})}};
      break;
    case FieldType::IntegerList:
      s = {{"anyOf", json::array({{{"type", "integer"}},
                                  {{"type", "array"}, {"items", {{"type", "integer"}}}},
                                  schema::ref("interpolated")})}};
      break;
    case FieldType::StringMap:
      s = schema::string_map();
      break;
    case FieldType::Object:
      s = {{"type", "object"}};
      break;
  }
  json d = normalized_default(field);
  if (!d.is_null()) {
    // Shown as written in a drill file, not in the validated form.
    s["default"] = field.type == FieldType::Duration && d.is_number_integer()
                       ? json(common::format_duration(common::Duration(d.get<int64_t>())))
                       : field.default_value;
  }
  return with_description(std::move(s), field.description);
}

json params_schema(const common::ParamSchema& params) {
  json properties = json::object();
  json required = json::array();
  for (const auto& f : params.fields) {
    properties[f.name] = field_schema(f);
    if (f.required) required.push_back(f.name);
  }
  // With nothing required, `KIND:` alone (null) is a valid item.
  json s = {{"type", required.empty() ? json::array({"object", "null"}) : json("object")},
            {"properties", properties},
            {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

json kinds_schema(const std::vector<KindDecl>& kinds, const std::string& noun) {
  json variants = json::array();
  for (const auto& k : kinds) {
    json v = {{"type", "object"},
              {"title", k.name + " " + noun},
              {"properties", {{k.name, params_schema(k.schema)}}},
              {"required", {k.name}},
              {"additionalProperties", false}};
    if (!k.summary.empty()) v["description"] = k.summary;
    variants.push_back(std::move(v));
  }
  return {{"description", "One " + noun + ": {KIND: {parameters}}."}, {"oneOf", variants}};
}

json step_schema() {
  const MapDecl& steps = step_decl();
  json variants = json::array();
  for (const auto& type : step_types()) {
    std::vector<std::string> keys = {"name", type.key};
    keys.insert(keys.end(), type.extra.begin(), type.extra.end());
    json properties = json::object();
    for (const auto& key : keys) {
      const KeyDecl* k = steps.find(key);
      properties[key] = with_description(k->schema, k->description);
    }
    json required = json::array({type.key});
    for (const auto& key : type.required) required.push_back(key);
    variants.push_back({{"type", "object"},
                        {"title", type.key + " step"},
                        {"description", steps.find(type.key)->description},
                        {"properties", properties},
                        {"required", required},
                        {"additionalProperties", false}});
  }
  return {{"description", steps.description}, {"oneOf", variants}};
}

}  // namespace

json drill_json_schema(const KindCatalog& kinds) {
  json defs = schema::scalar_defs();
  for (const MapDecl* decl : all_map_decls()) defs[decl->def] = object_schema(*decl);
  defs["step"] = step_schema();
  defs["fault"] = kinds_schema(kinds.faults, "fault");
  defs["check"] = kinds_schema(kinds.checks, "check");
  defs["thresholdExpression"] = schema::interpolable(
      {{"type", "string"},
       {"pattern", R"(^\s*(<=|>=|<|>)\s*\S)"},
       {"description", "An operator (<, <=, > or >=) and a value, like \"< 500ms\" or \"< 1%\"."}});
  json one = {
      {"anyOf", json::array({schema::ref("thresholdExpression"), schema::ref("threshold")})}};
  defs["thresholdList"] = {
      {"anyOf", json::array({schema::ref("thresholdExpression"),
                             schema::ref("threshold"),
                             {{"type", "array"}, {"minItems", 1}, {"items", one}}})}};

  json s = object_schema(drill_decl());
  s["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  s["title"] = "firedrill drill file (apiVersion firedrill/v1)";
  s["$defs"] = std::move(defs);
  return s;
}

json drill_json_schema() {
  return drill_json_schema(registered_kinds());
}

}  // namespace firedrill::scenarios
