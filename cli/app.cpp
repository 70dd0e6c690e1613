#include "cli/app.hpp"

#include <iostream>
#include <vector>

#include "cli/command.hpp"
#include "common/errors.hpp"
#include "common/safe_output.hpp"

namespace firedrill::cli {

namespace {
const CommandFactory kCommands[] = {
    &add_load_command,    &add_run_command,    &add_validate_command, &add_schema_command,
    &add_report_command,  &add_revert_command, &add_cleanup_command,  &add_target_command,
    &add_receive_command, &add_rbac_command,   &add_merge_command,
};
}  // namespace

int run_app(int argc, char** argv) {
  // Before anything can print: a secret a drill file interpolated never reaches the terminal.
  common::SafeStandardStreams redacted;
  CLI::App app{
      "firedrill: a fire drill for production alerting. Drives HTTP/1.1 and HTTP/2 load,\n"
      "injects faults, and proves that the alerts fired and the pages arrived.",
      "firedrill"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "firedrill 0.1.0");
  std::vector<std::pair<CLI::App*, CommandRunner>> commands;
  for (CommandFactory add : kCommands) {
    size_t before = app.get_subcommands({}).size();
    CommandRunner runner = add(app);
    commands.emplace_back(app.get_subcommands({})[before], std::move(runner));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "firedrill: " << e.what()
              << "\n(see firedrill --help, or firedrill COMMAND --help)\n";
    return kExitUsage;
  }
  try {
    for (auto& [sub, runner] : commands) {
      if (sub->parsed()) return runner();
    }
  } catch (const common::UsageError& e) {
    std::cerr << "firedrill: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "firedrill: internal error: " << e.what() << "\n";
    return kExitAborted;
  }
  return kExitUsage;
}

}  // namespace firedrill::cli
