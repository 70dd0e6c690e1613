#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "local/service_spec.hpp"

namespace firedrill::local {

using Environment = std::map<std::string, std::string>;

// Kubernetes' expansion of container arguments: $(NAME) is the variable's value, $$ is $, and a
// reference to an unknown variable stays as written.
std::string expand_references(const std::string& text, const Environment& env);

// argv[0] as execve needs it: a path. Empty when PATH has no such program.
std::string resolve_program(const std::string& name, const Environment& env);

// What replica `index` of `spec` runs with: firedrill's own environment, the spec's env, and
// PORT (when it has a port), REPLICA, SERVICE and SERVICE_DIR.
Environment replica_environment(const ServiceSpec& spec, int index, int port,
                                const std::filesystem::path& dir);

// `command` with its references expanded; `firedrill` as argv[0] becomes `self_exe`.
std::vector<std::string> replica_argv(const std::vector<std::string>& command,
                                      const Environment& env, const std::string& self_exe);

}  // namespace firedrill::local
