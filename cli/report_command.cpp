// Placeholder until the report command lands; replaced wholesale by its implementation.
#include "cli/command.hpp"

namespace firedrill::cli {
CommandRunner add_report_command(CLI::App& app) {
  app.add_subcommand("report", "(not yet available)");
  return [] { return 2; };
}
}  // namespace firedrill::cli
