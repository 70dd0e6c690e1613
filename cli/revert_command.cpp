// Placeholder until the revert command lands; replaced wholesale by its implementation.
#include "cli/command.hpp"

namespace firedrill::cli {
CommandRunner add_revert_command(CLI::App& app) {
  app.add_subcommand("revert", "(not yet available)");
  return [] { return 2; };
}
}  // namespace firedrill::cli
