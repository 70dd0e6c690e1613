#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/json_file.hpp"
#include "cli/load_summary.hpp"
#include "common/errors.hpp"
#include "loadgen/load_result_json.hpp"
#include "loadgen/load_result_merge.hpp"

namespace firedrill::cli {

namespace {

struct MergeCommand {
  std::vector<std::string> inputs;
  std::string output = "-";

  int run() const {
    std::vector<loadgen::NamedResult> parts;
    for (const auto& path : inputs) {
      const nlohmann::json doc = read_json_file(path);
      try {
        parts.push_back({path, loadgen::load_result_from_json(doc)});
      } catch (const std::invalid_argument& e) {
        throw common::UsageError(path + ": not a firedrill load result: " + e.what());
      }
    }
    loadgen::LoadResult merged;
    try {
      merged = loadgen::merge_results(parts);
    } catch (const common::ValueError& e) {
      throw common::UsageError(e.what());
    }
    const std::string doc = loadgen::to_json(merged).dump(2) + "\n";
    if (output == "-") {
      std::cout << doc << std::flush;
      print_load_summary(std::cerr, merged);
      return kExitOk;
    }
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    if (!out) throw common::UsageError("--output: cannot write \"" + output + "\"");
    out << doc;
    out.close();
    if (!out) throw common::UsageError("--output: writing \"" + output + "\" failed");
    print_load_summary(std::cout, merged);
    return kExitOk;
  }
};

}  // namespace

CommandRunner add_merge_command(CLI::App& app) {
  auto cmd = std::make_shared<MergeCommand>();
  CLI::App* sub = app.add_subcommand(
      "merge",
      "Merge the results of one load run in parts (firedrill load -o, e.g. the shards of\n"
      "--shard i/N run on several hosts, or the same load run from several hosts) into one:\n"
      "counts, status codes, errors and latency histograms summed exactly, so that the merged\n"
      "percentiles are those of every request; one row per part under \"parts\".\n"
      "Refuses results of different loads, and a split load with a shard twice or missing.\n"
      "Exit codes: 0 merged, 2 bad usage or results that are not one load.");
  sub->add_option("RESULT", cmd->inputs, "the load result JSON files")->required();
  sub->add_option("-o,--output", cmd->output,
                  "write the merged result here (default -: standard output, the summary then "
                  "going to standard error)");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
