#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/json_file.hpp"
#include "common/errors.hpp"
#include "reporters/reporter.hpp"

namespace firedrill::cli {

namespace {

struct ReportCommand {
  std::string input;
  std::string format = "console";
  std::string output;

  reporters::RunResult read() const {
    const nlohmann::json doc = read_json_file(input);
    try {
      return reporters::run_result_from_json(doc);
    } catch (const std::invalid_argument& e) {
      throw common::UsageError(input + ": not a firedrill run result: " + e.what());
    }
  }

  int run() const {
    const reporters::ReportFormat* writer = reporters::find_report_format(format);
    reporters::RunResult result = read();
    if (output.empty()) {
      writer->write(result, std::cout);
      std::cout.flush();
      return kExitOk;
    }
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    if (!out) throw common::UsageError("--output: cannot write \"" + output + "\"");
    writer->write(result, out);
    out.close();
    if (!out) throw common::UsageError("--output: writing \"" + output + "\" failed");
    return kExitOk;
  }
};

}  // namespace

CommandRunner add_report_command(CLI::App& app) {
  auto cmd = std::make_shared<ReportCommand>();
  std::vector<std::string> names;
  std::string choices;  // "console (default), json, junit or html"
  const auto& formats = reporters::report_formats();
  for (size_t i = 0; i < formats.size(); ++i) {
    names.push_back(formats[i].name);
    choices += (i == 0 ? "" : i + 1 == formats.size() ? " or " : ", ") + formats[i].name;
    if (formats[i].name == cmd->format) choices += " (default)";
  }
  CLI::App* sub = app.add_subcommand(
      "report",
      "Render a saved drill result (the JSON of `firedrill run`, docs/run-result.md) again,\n"
      "in any report format: e.g. a JUnit file for CI, or an HTML page with charts.\n"
      "Exit codes: 0 rendered (whatever the drill's verdict), 2 bad usage, or a file that is\n"
      "not a run result.");
  sub->add_option("RESULT", cmd->input, "the run result JSON file")->required();
  sub->add_option("-f,--format", cmd->format, choices)->check(CLI::IsMember(names));
  sub->add_option("-o,--output", cmd->output, "write to this file instead of standard output");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
