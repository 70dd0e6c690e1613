#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "scenarios/drill_parser.hpp"

namespace firedrill::cli {

namespace {

std::string count(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

struct ValidateCommand {
  std::vector<std::string> files;

  int run() const {
    bool any_invalid = false;
    for (const auto& file : files) {
      scenarios::ParseOutcome outcome = scenarios::parse_drill_file(file);
      if (!outcome.drill) {
        std::cerr << scenarios::format_errors(outcome.errors);
        any_invalid = true;
        continue;
      }
      const scenarios::Drill& drill = *outcome.drill;
      size_t checks = 0;
      size_t faults = 0;
      for (const auto& step : drill.steps) {
        checks += step.checks.size();
        if (step.type == scenarios::StepType::Chaos) ++faults;
      }
      std::cout << file << ": ok (" << count(drill.steps.size(), "step") << ", "
                << count(checks, "check") << ", " << count(faults, "fault") << ")\n"
                << std::flush;
    }
    return any_invalid ? kExitUsage : kExitOk;
  }
};

}  // namespace

CommandRunner add_validate_command(CLI::App& app) {
  auto cmd = std::make_shared<ValidateCommand>();
  CLI::App* sub = app.add_subcommand(
      "validate",
      "Check drill files without running anything: structure, types, durations, rates, fault and\n"
      "check parameters, and every ${env:...} and ${file:...} reference. All errors of a file\n"
      "are printed at once as FILE:LINE:COL: message (docs/drill-format.md).\n"
      "Exit codes: 0 every file is valid, 2 a file has errors.");
  sub->add_option("FILE", cmd->files, "drill files")->required();
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
