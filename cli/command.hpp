#pragma once
#include <CLI/CLI.hpp>

#include <functional>

namespace firedrill::cli {

// A subcommand registers its flags on `app` and returns what runs it once the command line has
// been parsed. Adding a subcommand is one file plus one line in app.cpp.
using CommandRunner = std::function<int()>;
using CommandFactory = CommandRunner (*)(CLI::App& app);

CommandRunner add_load_command(CLI::App& app);
CommandRunner add_run_command(CLI::App& app);
CommandRunner add_validate_command(CLI::App& app);
CommandRunner add_schema_command(CLI::App& app);
CommandRunner add_report_command(CLI::App& app);
CommandRunner add_revert_command(CLI::App& app);
CommandRunner add_cleanup_command(CLI::App& app);
CommandRunner add_target_command(CLI::App& app);
CommandRunner add_receive_command(CLI::App& app);
CommandRunner add_rbac_command(CLI::App& app);
CommandRunner add_merge_command(CLI::App& app);

}  // namespace firedrill::cli
