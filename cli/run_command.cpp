#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/run_signals.hpp"
#include "common/errors.hpp"
#include "common/secret_values.hpp"
#include "reporters/reporter.hpp"
#include "reporters/shown_result.hpp"
#include "scenarios/drill_parser.hpp"
#include "scenarios/run_identity.hpp"
#include "scenarios/runner.hpp"

namespace firedrill::cli {

namespace {

// {} lists the files of the report formats.
constexpr char kRunHelp[] =
    "Run a drill file to one verdict: load, faults (always reverted), checks under\n"
    "eventually/consistently windows, thresholds. Writes {}\n"
    "and the revert journal to the output directory.\n"
    "Exit codes: 0 passed, 1 a check or threshold failed, 2 invalid drill file or flags,\n"
    "3 aborted (Ctrl-C) or infrastructure error, 4 a fault could not be reverted.\n"
    "SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGALRM stop the run the same way:\n"
    "load stopped, every fault reverted, reports written, exit 3. A closed stdout or stderr\n"
    "(SIGPIPE) only stops the printing.";

struct RunCommand {
  std::string drill_file;
  std::string out_dir;
  std::string metrics_listen;
  std::string pushgateway;
  bool dry_run = false;
  bool quiet = false;

  int run() {
    scenarios::ParseOutcome parsed = scenarios::parse_drill_file(drill_file);
    if (!parsed.drill) {
      std::cerr << scenarios::format_errors(parsed.errors);
      return kExitUsage;
    }
    const scenarios::Drill& drill = *parsed.drill;
    scenarios::RunOptions options;
    options.run_id = scenarios::generate_run_id(drill.metadata.name);
    options.dry_run = dry_run;
    std::filesystem::path dir = out_dir.empty() ? std::filesystem::path("out") / options.run_id
                                                : std::filesystem::path(out_dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      throw common::UsageError("--out-dir: cannot create \"" + dir.string() +
                               "\": " + ec.message());
    options.journal_path = (dir / "journal.jsonl").string();
    options.work_dir = dir.string();

    reporters::LiveSettings live;
    live.drill_name = drill.metadata.name;
    live.run_id = options.run_id;
    live.progress = quiet ? nullptr : &std::cerr;
    live.live_line = !quiet && isatty(STDERR_FILENO);
    live.metrics_listen = metrics_listen;
    live.pushgateway = pushgateway;
    std::vector<std::unique_ptr<reporters::LiveOutput>> outputs;
    for (reporters::LiveOutputFactory create : reporters::live_outputs()) {
      try {
        if (auto output = create(live)) outputs.push_back(std::move(output));
      } catch (const std::exception& e) {
        throw common::UsageError(e.what());
      }
    }
    for (const auto& output : outputs) options.observers.push_back(output.get());

    scenarios::Runner runner(drill, options);
    // Until the reports are written: a signal during them is answered, not fatal.
    RunSignals signals(runner);
    // Every report shows an interpolated value as its reference (the journal keeps the value).
    reporters::RunResult result = reporters::shown_result(runner.run(), common::secret_values());

    std::vector<const reporters::ReportFormat*> files;
    for (const auto& format : reporters::report_formats()) {
      if (format.run_file.empty()) continue;
      std::ofstream out(dir / format.run_file);
      format.write(result, out);
      files.push_back(&format);
    }
    for (const auto& format : reporters::report_formats()) {
      if (format.run_file.empty()) format.write(result, std::cout);
    }
    for (const auto& output : outputs) {
      try {
        output->deliver(result);
      } catch (const std::exception& e) {
        std::cerr << "firedrill run: " << e.what() << "\n";
        if (result.exit_code == kExitOk) result.exit_code = kExitAborted;
      }
    }
    std::stable_partition(files.begin(), files.end(), [](const reporters::ReportFormat* f) {
      return f->audience == reporters::Audience::People;
    });
    std::cout << "\nreports: ";
    for (size_t i = 0; i < files.size(); ++i) {
      std::cout << (i == 0 ? "" : ", ") << (dir / files[i]->run_file).string();
    }
    std::cout << "\nrevert journal: " << options.journal_path << "\n";
    return result.exit_code;
  }
};

}  // namespace

CommandRunner add_run_command(CLI::App& app) {
  auto cmd = std::make_shared<RunCommand>();
  std::string files;
  for (const auto& format : reporters::report_formats()) {
    if (format.run_file.empty()) continue;
    files += (files.empty() ? "" : ", ") + format.run_file;
  }
  CLI::App* sub = app.add_subcommand("run", fmt::format(kRunHelp, files));
  sub->add_option("DRILL", cmd->drill_file, "the drill file (YAML)")->required();
  sub->add_option("--out-dir", cmd->out_dir, "where reports go (default out/RUN_ID)");
  sub->add_option("--metrics-listen", cmd->metrics_listen,
                  "serve live Prometheus metrics on HOST:PORT during the run");
  sub->add_option("--pushgateway", cmd->pushgateway,
                  "push the final metrics to this Pushgateway URL (http://host:port)");
  sub->add_flag("--dry-run", cmd->dry_run, "faults say what they would change and change nothing");
  sub->add_flag("-q,--quiet", cmd->quiet,
                "no progress output (the verdict table is still printed)");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
