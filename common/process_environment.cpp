#include "common/process_environment.hpp"

#include <algorithm>
#include <string_view>

extern char** environ;

namespace firedrill::common {

namespace {

template <typename Variables>
auto find_variable(Variables& variables, const std::string& name) {
  return std::find_if(variables.begin(), variables.end(),
                      [&](const auto& variable) { return variable.first == name; });
}

}  // namespace

ProcessEnvironment::ProcessEnvironment(const char* const* entries) {
  for (const char* const* entry = entries; entry && *entry; ++entry) {
    std::string_view text = *entry;
    std::size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(text.substr(0, eq));
    if (find_variable(variables_, name) != variables_.end()) continue;
    variables_.emplace_back(std::move(name), text.substr(eq + 1));
  }
}

ProcessEnvironment ProcessEnvironment::current() {
  return ProcessEnvironment(environ);
}

void ProcessEnvironment::set(const std::string& name, const std::string& value) {
  auto it = find_variable(variables_, name);
  if (it != variables_.end()) {
    it->second = value;
  } else {
    variables_.emplace_back(name, value);
  }
}

void ProcessEnvironment::unset(const std::string& name) {
  auto it = find_variable(variables_, name);
  if (it != variables_.end()) variables_.erase(it);
}

std::map<std::string, std::string> ProcessEnvironment::variables() const {
  return {variables_.begin(), variables_.end()};
}

std::vector<std::string> ProcessEnvironment::entries() const {
  std::vector<std::string> out;
  out.reserve(variables_.size());
  for (const auto& [name, value] : variables_) out.push_back(name + "=" + value);
  return out;
}

}  // namespace firedrill::common
