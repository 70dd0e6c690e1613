// Placeholder until the schema command lands; replaced wholesale by its implementation.
#include "cli/command.hpp"

namespace firedrill::cli {
CommandRunner add_schema_command(CLI::App& app) {
  app.add_subcommand("schema", "(not yet available)");
  return [] { return 2; };
}
}  // namespace firedrill::cli
