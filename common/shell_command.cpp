#include "common/shell_command.hpp"

#include "common/errors.hpp"

namespace firedrill::common {

Environment environment_param(const Params& p, const std::string& name) {
  Environment env;
  if (!p.contains(name)) return env;
  for (const auto& [variable, value] : p.at(name).items()) {
    if (variable.empty() || variable.find('=') != std::string::npos) {
      throw ValueError(name + ": \"" + variable + "\" is not a variable name");
    }
    env.emplace_back(variable, value.get<std::string>());
  }
  return env;
}

SubprocessResult run_shell_command(const std::string& command, const Environment& env,
                                   Duration timeout) {
  SubprocessRequest request;
  request.argv = shell_argv(command);
  request.env = env;
  request.timeout = timeout;
  return run_subprocess(request);
}

}  // namespace firedrill::common
