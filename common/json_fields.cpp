#include "common/json_fields.hpp"

namespace firedrill::common {

using nlohmann::json;

std::string string_field(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json object_field(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_object() ? *it : json::object();
}

std::vector<std::string> strings_field(const json& object, const char* name) {
  std::vector<std::string> out;
  auto it = object.find(name);
  if (it == object.end() || !it->is_array()) return out;
  for (const json& s : *it) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace firedrill::common
