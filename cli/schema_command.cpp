#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "common/errors.hpp"
#include "scenarios/drill_parser.hpp"

namespace firedrill::cli {

namespace {

struct SchemaCommand {
  std::string output;

  int run() const {
    const std::string text = scenarios::drill_json_schema().dump(2) + "\n";
    if (output.empty()) {
      std::cout << text;
      return kExitOk;
    }
    std::ofstream out(output, std::ios::trunc);
    if (!out || !(out << text) || !out.flush()) {
      throw common::UsageError("--output: cannot write \"" + output + "\"");
    }
    return kExitOk;
  }
};

}  // namespace

CommandRunner add_schema_command(CLI::App& app) {
  auto cmd = std::make_shared<SchemaCommand>();
  CLI::App* sub = app.add_subcommand(
      "schema",
      "Print the JSON Schema (draft 2020-12) of drill files, including the parameters of every\n"
      "fault and check kind. Editors use it for completion and checking: put\n"
      "# yaml-language-server: $schema=PATH/TO/firedrill.schema.json at the top of a drill.");
  sub->add_option("-o,--output", cmd->output, "write the schema to this file instead of stdout");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
