#pragma once
#include <map>
#include <string>
#include <vector>

#include "scenarios/drill_parser.hpp"
#include "scenarios/kind_catalog.hpp"

namespace firedrill::testing {

using common::FieldSpec;
using common::FieldType;

// Kinds with fixed parameters, so that these tests do not change when a real kind does. `probe`
// declares one field of every type.
inline scenarios::KindCatalog test_kinds() {
  scenarios::KindCatalog kinds;
  kinds.checks.push_back(
      {"http",
       "requests a URL",
       {{
           {"url", FieldType::String, true, "the URL", {}, {}},
           {"method", FieldType::String, false, "", {"GET", "POST", "HEAD"}, "GET"},
           {"headers", FieldType::StringMap, false, "", {}, {}},
           {"status", FieldType::StringList, false, "", {}, nlohmann::json::array({"2xx"})},
           {"maxLatency", FieldType::Duration, false, "", {}, {}},
           {"timeout", FieldType::Duration, false, "", {}, "5s"},
           {"insecure", FieldType::Boolean, false, "", {}, false},
       }}});
  kinds.checks.push_back({"exec",
                          "runs a command",
                          {{
                              {"command", FieldType::String, true, "", {}, {}},
                              {"exitCode", FieldType::Integer, false, "", {}, 0},
                              {"env", FieldType::StringMap, false, "", {}, {}},
                          }}});
  kinds.checks.push_back({"probe",
                          "every field type",
                          {{
                              {"name", FieldType::String, false, "", {}, {}},
                              {"count", FieldType::Integer, false, "", {}, {}},
                              {"ratio", FieldType::Number, false, "", {}, 0.5},
                              {"enabled", FieldType::Boolean, false, "", {}, {}},
                              {"every", FieldType::Duration, false, "", {}, {}},
                              {"tags", FieldType::StringList, false, "", {}, "default-tag"},
                              {"labels", FieldType::StringMap, false, "", {}, {}},
                              {"codes", FieldType::IntegerList, false, "", {}, {}},
                              {"extra", FieldType::Object, false, "", {}, {}},
                          }}});
  kinds.faults.push_back({"exec",
                          "runs commands",
                          {{
                              {"inject", FieldType::String, true, "", {}, {}},
                              {"revert", FieldType::String, true, "", {}, {}},
                              {"timeout", FieldType::Duration, false, "", {}, "30s"},
                          }}});
  return kinds;
}

inline scenarios::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline scenarios::ParseOutcome parse(const std::string& text,
                                     std::map<std::string, std::string> env = {},
                                     const std::string& file = "drill.yaml") {
  return scenarios::parse_drill_text(text, file, env_of(std::move(env)), test_kinds());
}

// "LINE:COL: message" for each error, in the order reported.
inline std::vector<std::string> error_lines(const scenarios::ParseOutcome& outcome) {
  std::vector<std::string> out;
  for (const auto& e : outcome.errors) {
    out.push_back(std::to_string(e.at.line) + ":" + std::to_string(e.at.column) + ": " + e.message);
  }
  return out;
}

// A valid drill's head, for tests that only vary later sections (it is 5 lines long).
inline const std::string kHead =
    "apiVersion: firedrill/v1\n"
    "kind: Drill\n"
    "metadata: {name: t}\n"
    "target: {url: 'http://127.0.0.1:8080'}\n"
    "load: {base: {rate: 10/s}}\n";

}  // namespace firedrill::testing
