// Placeholder until the validate command lands; replaced wholesale by its implementation.
#include "cli/command.hpp"

namespace firedrill::cli {
CommandRunner add_validate_command(CLI::App& app) {
  app.add_subcommand("validate", "(not yet available)");
  return [] { return 2; };
}
}  // namespace firedrill::cli
