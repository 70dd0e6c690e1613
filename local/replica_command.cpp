#include "local/replica_command.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "common/process_environment.hpp"

namespace firedrill::local {

namespace fs = std::filesystem;

std::string expand_references(const std::string& text, const Environment& env) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    auto close = text[i + 1] == '(' ? text.find(')', i + 2) : std::string::npos;
    if (close == std::string::npos) {
      out += '$';
      continue;
    }
    auto it = env.find(text.substr(i + 2, close - i - 2));
    out += it != env.end() ? it->second : text.substr(i, close - i + 1);
    i = close;
  }
  return out;
}

std::string resolve_program(const std::string& name, const Environment& env) {
  if (name.find('/') != std::string::npos) return name;
  auto path = env.find("PATH");
  std::string dirs = path != env.end() ? path->second : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = std::min(dirs.find(':', start), dirs.size());
    fs::path candidate = fs::path(end > start ? dirs.substr(start, end - start) : ".") / name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
    start = end + 1;
  }
  return "";
}

Environment replica_environment(const ServiceSpec& spec, int index, int port, const fs::path& dir) {
  Environment env = common::ProcessEnvironment::current().variables();
  for (const auto& [name, value] : spec.env) env[name] = value;
  if (port != 0) env["PORT"] = std::to_string(port);
  env["REPLICA"] = std::to_string(index);
  env["SERVICE"] = spec.name;
  env["SERVICE_DIR"] = dir.string();
  return env;
}

std::vector<std::string> replica_argv(const std::vector<std::string>& command,
                                      const Environment& env, const std::string& self_exe) {
  std::vector<std::string> args;
  for (const auto& a : command) args.push_back(expand_references(a, env));
  if (command.front() == "firedrill") args.front() = self_exe;
  return args;
}

}  // namespace firedrill::local
