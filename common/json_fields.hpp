#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

// Fields of an API's JSON answer read leniently: a field that is missing, or of another type than
// the API reference gives, reads as empty. For answers whose other fields are still of use.
namespace firedrill::common {

std::string string_field(const nlohmann::json& object, const char* name);
// An object; {} otherwise.
nlohmann::json object_field(const nlohmann::json& object, const char* name);
// The strings of a list, skipping whatever else it holds.
std::vector<std::string> strings_field(const nlohmann::json& object, const char* name);

}  // namespace firedrill::common
