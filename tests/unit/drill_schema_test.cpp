#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "chaos/fault.hpp"
#include "scenarios/drill_parser.hpp"
#include "tests/unit/drill_test_support.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;

// The oneOf variant of `def` ("check" or "fault") for `kind`.
const json* variant(const json& schema, const std::string& def, const std::string& kind) {
  for (const auto& v : schema.at("$defs").at(def).at("oneOf")) {
    if (v.at("required") == json::array({kind})) return &v;
  }
  return nullptr;
}

void expect_kind(const json& schema, const std::string& def, const std::string& kind,
                 const common::ParamSchema& params) {
  const json* v = variant(schema, def, kind);
  ASSERT_NE(v, nullptr) << def << " " << kind;
  EXPECT_EQ(v->at("additionalProperties"), false);
  const json& p = v->at("properties").at(kind);
  EXPECT_EQ(p.at("additionalProperties"), false) << kind;
  std::vector<std::string> names, required;
  for (const auto& f : params.fields) {
    names.push_back(f.name);
    if (f.required) required.push_back(f.name);
  }
  std::vector<std::string> properties;
  for (const auto& [name, _] : p.at("properties").items()) properties.push_back(name);
  std::sort(properties.begin(), properties.end());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(properties, names) << kind;
  EXPECT_EQ(p.value("required", json::array()), json(required)) << kind;
}

TEST(DrillSchema, IsDraft2020JsonWithTheTopLevelStructure) {
  const json schema = scenarios::drill_json_schema();
  EXPECT_EQ(json::parse(schema.dump()), schema);
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema.at("type"), "object");
  EXPECT_EQ(schema.at("additionalProperties"), false);
  EXPECT_EQ(schema.at("required"), json({"apiVersion", "kind", "metadata", "steps"}));
  for (const char* key : {"apiVersion", "kind", "metadata", "target", "integrations", "services",
                          "load", "steps", "thresholds"}) {
    ASSERT_TRUE(schema.at("properties").contains(key)) << key;
    EXPECT_FALSE(schema.at("properties").at(key).value("description", "").empty()) << key;
  }
  EXPECT_EQ(schema.at("properties").at("apiVersion").at("const"), "firedrill/v1");
  const json& thresholds = schema.at("$defs").at("thresholds").at("properties");
  EXPECT_TRUE(thresholds.contains("http.latency.p99.9"));
  EXPECT_TRUE(thresholds.contains("http.errors.rate"));
  EXPECT_EQ(schema.at("$defs").at("target").at("required"), json({"url"}));
}

TEST(DrillSchema, ServicesBlock) {
  const json schema = scenarios::drill_json_schema();
  const json& services = schema.at("properties").at("services");
  EXPECT_FALSE(services.value("description", "").empty());
  EXPECT_EQ(services.at("additionalProperties").at("$ref"), "#/$defs/service");
  EXPECT_EQ(services.at("propertyNames").at("pattern"), "^[a-z0-9-]+$");
  const json& service = schema.at("$defs").at("service");
  EXPECT_EQ(service.at("required"), json({"command"}));
  EXPECT_EQ(service.at("additionalProperties"), false);
  for (const char* key :
       {"command", "replicas", "port", "env", "readiness", "restart", "memoryLimit"}) {
    EXPECT_FALSE(service.at("properties").at(key).value("description", "").empty()) << key;
  }
  EXPECT_EQ(service.at("properties").at("readiness").at("$ref"), "#/$defs/readiness");
  EXPECT_EQ(service.at("properties").at("restart").at("$ref"), "#/$defs/restart");
  EXPECT_TRUE(schema.at("$defs").at("readiness").at("properties").contains("period"));
  EXPECT_EQ(
      schema.at("$defs").at("restart").at("properties").at("policy").at("anyOf").at(0).at("enum"),
      json({"always", "on-failure", "never"}));
}

TEST(DrillSchema, EveryRegisteredKindWithItsParameters) {
  const json schema = scenarios::drill_json_schema();
  EXPECT_EQ(schema.at("$defs").at("check").at("oneOf").size(), validators::check_kinds().size());
  EXPECT_EQ(schema.at("$defs").at("fault").at("oneOf").size(), chaos::fault_kinds().size());
  for (const auto& k : validators::check_kinds()) expect_kind(schema, "check", k.name, k.schema);
  for (const auto& k : chaos::fault_kinds()) expect_kind(schema, "fault", k.name, k.schema);
}

TEST(DrillSchema, EveryReferenceResolves) {
  const json schema = scenarios::drill_json_schema();
  size_t refs = 0;
  std::function<void(const json&)> walk = [&](const json& node) {
    if (node.is_object()) {
      if (node.contains("$ref")) {
        ++refs;
        const std::string ref = node.at("$ref");
        ASSERT_TRUE(ref.starts_with("#/$defs/")) << ref;
        EXPECT_TRUE(schema.at("$defs").contains(ref.substr(8))) << ref;
      }
      for (const auto& [_, child] : node.items()) walk(child);
    } else if (node.is_array()) {
      for (const auto& child : node) walk(child);
    }
  };
  walk(schema);
  EXPECT_GT(refs, 20u);
}

TEST(DrillSchema, ParametersCarryTypesEnumsDefaultsAndDescriptions) {
  const json schema = scenarios::drill_json_schema(test_kinds());
  const json& http = variant(schema, "check", "http")->at("properties").at("http");
  EXPECT_EQ(http.at("type"), "object");
  EXPECT_EQ(http.at("required"), json({"url"}));
  EXPECT_EQ(http.at("properties").at("url").at("description"), "the URL");
  EXPECT_EQ(http.at("properties").at("method").at("anyOf").at(0).at("enum"),
            json({"GET", "POST", "HEAD"}));
  EXPECT_EQ(http.at("properties").at("method").at("default"), "GET");
  EXPECT_EQ(http.at("properties").at("timeout").at("$ref"), "#/$defs/duration");
  EXPECT_EQ(http.at("properties").at("timeout").at("default"), "5s");
  EXPECT_EQ(http.at("properties").at("status").at("default"), json({"2xx"}));
  EXPECT_EQ(variant(schema, "check", "http")->at("description"), "requests a URL");
  // Nothing required: `probe:` alone is a valid item.
  const json& probe = variant(schema, "check", "probe")->at("properties").at("probe");
  EXPECT_EQ(probe.at("type"), json({"object", "null"}));
  EXPECT_EQ(probe.at("properties").at("extra").at("type"), "object");
  EXPECT_EQ(variant(schema, "fault", "exec")->at("properties").at("exec").at("required"),
            json({"inject", "revert"}));
}

TEST(DrillSchema, OneVariantPerStepType) {
  const json schema = scenarios::drill_json_schema(test_kinds());
  const json& steps = schema.at("$defs").at("step").at("oneOf");
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps.at(0).at("required"), json({"load", "duration"}));
  EXPECT_TRUE(steps.at(0).at("properties").contains("background"));
  EXPECT_FALSE(steps.at(1).at("properties").contains("duration"));
  EXPECT_EQ(steps.at(2).at("properties").at("chaos").at("$ref"), "#/$defs/fault");
  EXPECT_TRUE(steps.at(2).at("properties").contains("for"));
  for (const auto& s : steps) EXPECT_EQ(s.at("additionalProperties"), false);
}

}  // namespace
}  // namespace firedrill::testing
