#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/run_signals.hpp"
#include "common/errors.hpp"
#include "common/secret_values.hpp"
#include "reporters/console_progress.hpp"
#include "reporters/prometheus_exporter.hpp"
#include "reporters/reporter.hpp"
#include "reporters/shown_result.hpp"
#include "scenarios/drill_parser.hpp"
#include "scenarios/runner.hpp"

namespace firedrill::cli {

namespace {

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

    reporters::ConsoleProgress progress(std::cerr, !quiet && isatty(STDERR_FILENO));
    if (!quiet) options.observers.push_back(&progress);
    reporters::PrometheusExporter exporter(drill.metadata.name, options.run_id);
    if (!metrics_listen.empty()) {
      try {
        exporter.listen(metrics_listen);
      } catch (const std::exception& e) {
        throw common::UsageError(e.what());
      }
    }
    if (!metrics_listen.empty() || !pushgateway.empty()) options.observers.push_back(&exporter);

    scenarios::Runner runner(drill, options);
    // Until the reports are written: a signal during them is answered, not fatal.
    RunSignals signals(runner);
    // Every report shows an interpolated value as its reference (the journal keeps the value).
    reporters::RunResult result = reporters::shown_result(runner.run(), common::secret_values());

    const std::pair<const char*, void (*)(const reporters::RunResult&, std::ostream&)> files[] = {
        {"result.json", &reporters::write_json},
        {"junit.xml", &reporters::write_junit},
        {"report.html", &reporters::write_html}};
    for (const auto& [name, write] : files) {
      std::ofstream out(dir / name);
      write(result, out);
    }
    reporters::write_console(result, std::cout);
    if (!pushgateway.empty()) {
      try {
        exporter.push(pushgateway);
      } catch (const std::exception& e) {
        std::cerr << "firedrill run: " << e.what() << "\n";
        if (result.exit_code == kExitOk) result.exit_code = kExitAborted;
      }
    }
    std::cout << "\nreports: " << (dir / "report.html").string() << ", "
              << (dir / "result.json").string() << ", " << (dir / "junit.xml").string()
              << "\nrevert journal: " << options.journal_path << "\n";
    return result.exit_code;
  }
};

}  // namespace

CommandRunner add_run_command(CLI::App& app) {
  auto cmd = std::make_shared<RunCommand>();
  CLI::App* sub = app.add_subcommand(
      "run",
      "Run a drill file to one verdict: load, faults (always reverted), checks under\n"
      "eventually/consistently windows, thresholds. Writes result.json, junit.xml, report.html\n"
      "and the revert journal to the output directory.\n"
      "Exit codes: 0 passed, 1 a check or threshold failed, 2 invalid drill file or flags,\n"
      "3 aborted (Ctrl-C) or infrastructure error, 4 a fault could not be reverted.\n"
      "SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGALRM stop the run the same way:\n"
      "load stopped, every fault reverted, reports written, exit 3. A closed stdout or stderr\n"
      "(SIGPIPE) only stops the printing.");
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
