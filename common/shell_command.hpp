#pragma once
#include <string>
#include <utility>
#include <vector>

#include "common/param_schema.hpp"
#include "common/subprocess.hpp"

// A shell command a drill file gives (the exec fault, the exec check), with the variables its
// `env` param adds.
namespace firedrill::common {

using Environment = std::vector<std::pair<std::string, std::string>>;

// The optional {NAME: value} param `name`; throws ValueError naming a key that is not a variable
// name.
Environment environment_param(const Params& p, const std::string& name);

// Runs `command` with /bin/sh -c, `env` added to firedrill's environment, killed with everything
// it started once `timeout` runs out. Throws std::runtime_error when it cannot be started.
SubprocessResult run_shell_command(const std::string& command, const Environment& env,
                                   Duration timeout);

}  // namespace firedrill::common
