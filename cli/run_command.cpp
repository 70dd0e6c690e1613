// Placeholder until the run command lands; replaced wholesale by its implementation.
#include "cli/command.hpp"

namespace firedrill::cli {
CommandRunner add_run_command(CLI::App& app) {
  app.add_subcommand("run", "(not yet available)");
  return [] { return 2; };
}
}  // namespace firedrill::cli
