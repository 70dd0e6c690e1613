#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chaos/kube_fault_support.hpp"
#include "chaos/run_cleanup.hpp"
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "clients/integrations.hpp"
#include "common/errors.hpp"
#include "scenarios/drill_parser.hpp"
#include "scenarios/worker_job_load.hpp"

namespace firedrill::cli {

namespace {

using nlohmann::json;

struct CleanupCommand {
  std::string run_id;
  std::string drill_file;
  std::string context;
  std::string kubeconfig;
  std::vector<std::string> namespaces;
  bool dry_run = false;

  int run() const {
    const std::string label = chaos::kube::label_value(run_id);
    if (label.empty()) {
      throw common::UsageError("--run: \"" + run_id +
                               "\" is not a run id; give the id of the run, as in its "
                               "out/RUN_ID folder or the run_id of its result.json");
    }
    json block = json::object();
    std::optional<scenarios::Drill> drill;
    if (!drill_file.empty()) {
      scenarios::ParseOutcome parsed = scenarios::parse_drill_file(drill_file);
      if (!parsed.drill) {
        std::cerr << scenarios::format_errors(parsed.errors);
        return kExitUsage;
      }
      drill = std::move(parsed.drill);
      block = drill->integrations.block();
    }
    override_connection(block);
    clients::Integrations integrations;
    try {
      integrations = clients::Integrations(block);
    } catch (const common::ValueError& e) {
      throw common::UsageError(drill_file + ": " + e.what());
    }
    const std::vector<std::string> searched = namespaces_to_search(integrations.kubernetes);
    std::unique_ptr<clients::KubeClient> client;
    try {
      client = integrations.kube_client();
    } catch (const common::ValueError& e) {
      throw common::UsageError(std::string("cannot connect to Kubernetes: ") + e.what());
    }

    std::cout << "searching namespace" << (searched.size() == 1 ? " " : "s ") << joined(searched)
              << " of " << client->server() << " (" << client->target().source
              << ") for objects labelled " << chaos::kube::kRunLabel << "=" << label
              << (dry_run ? " (dry run: nothing will be deleted)" : "") << "\n";
    const chaos::LeftoverSearch search =
        chaos::find_leftovers(*client, collections(searched, drill), label);
    bool complete = true;
    for (const auto& error : search.errors) {
      if (error.skippable()) {
        std::cerr << "firedrill cleanup: load Jobs not searched in "
                  << error.searched.collection.namespace_name
                  << " (give --drill for a run with workers): " << error.message << "\n";
        continue;
      }
      std::cerr << "firedrill cleanup: " << error.message << "\n";
      complete = false;
    }
    for (const auto& leftover : search.found) complete = remove(*client, leftover) && complete;
    if (search.found.empty() && complete) {
      std::cout << "nothing of run " << run_id << " is left\n";
    }
    if (!complete) {
      std::cerr << "firedrill cleanup: "
                << (dry_run ? "the search was incomplete"
                            : "some objects of the run may remain and still load the cluster")
                << "\n";
      return kExitRevertFailed;
    }
    return kExitOk;
  }

  // --context and --kubeconfig choose the cluster over the drill's settings, as they do kubectl's.
  void override_connection(json& integrations) const {
    if (context.empty() && kubeconfig.empty()) return;
    json& kube = integrations["kubernetes"];
    if (!kube.is_object()) kube = json::object();
    kube.erase("inCluster");
    if (!context.empty()) kube["context"] = context;
    if (!kubeconfig.empty()) kube["kubeconfig"] = kubeconfig;
  }

  // The faults of a drill create objects only in its allowNamespaces; --namespace narrows them.
  std::vector<std::string> namespaces_to_search(
      const clients::KubernetesIntegration& kubernetes) const {
    if (namespaces.empty() && drill_file.empty()) {
      throw common::UsageError(
          "no namespace to search: give --drill FILE (its "
          "integrations.kubernetes.allowNamespaces are where its faults create objects) or "
          "--namespace NS");
    }
    try {
      return chaos::namespaces_to_clean(kubernetes, namespaces, !drill_file.empty());
    } catch (const common::ValueError& e) {
      throw common::UsageError(namespaces.empty() ? drill_file + ": " + e.what()
                                                  : std::string("--") + e.what());
    }
  }

  // The faults' kinds in every namespace searched, and the load Jobs of workers: in the
  // namespaces the drill's workers run in, or without a drill (nothing says the run had workers,
  // so a Role that may not list Jobs is no failure) in every namespace searched.
  static std::vector<chaos::SearchedCollection> collections(
      const std::vector<std::string>& searched, const std::optional<scenarios::Drill>& drill) {
    std::vector<chaos::SearchedCollection> out;
    for (const auto& ns : searched) {
      if (!drill) {
        out.push_back({scenarios::worker_jobs(ns), false});
        continue;
      }
      const bool workers_here =
          std::any_of(drill->load.begin(), drill->load.end(), [&](const auto& entry) {
            return entry.second.workers && entry.second.workers->namespace_name == ns;
          });
      if (workers_here) out.push_back({scenarios::worker_jobs(ns), true});
    }
    for (auto& kind : chaos::fault_collections(searched)) out.push_back(std::move(kind));
    return out;
  }

  // Says what it did (or would do); false when the object may still be there.
  bool remove(clients::KubeClient& client, const chaos::Leftover& leftover) const {
    if (dry_run) {
      std::cout << "would delete " << leftover.shown() << "\n";
      return true;
    }
    const chaos::RemovalOutcome outcome = chaos::remove_leftover(client, leftover);
    switch (outcome.removal) {
      case chaos::Removal::Deleted:
        std::cout << "deleted " << leftover.shown() << "\n";
        return true;
      case chaos::Removal::AlreadyGone:
        std::cout << "already gone: " << leftover.shown() << "\n";
        return true;
      case chaos::Removal::Failed:
        break;
    }
    std::cout << "delete FAILED " << leftover.shown() << "\n";
    std::cerr << "firedrill cleanup: " << outcome.error << "\n";
    return false;
  }

  static std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
  }
};

}  // namespace

CommandRunner add_cleanup_command(CLI::App& app) {
  auto cmd = std::make_shared<CleanupCommand>();
  CLI::App* sub = app.add_subcommand(
      "cleanup",
      "Delete the Kubernetes objects a run created and left behind (after a crash, a kill -9 or\n"
      "a failed revert): the pods of its faults (kube.oom memory hogs, kube.stress load pods),\n"
      "and the Jobs of its worker loads with their pods, found by their label\n"
      "firedrill.io/run=ID. Objects of other runs and objects without the\n"
      "label are never touched. Changes to existing objects (an image, replicas, a cordoned\n"
      "node) are undone by `firedrill revert JOURNAL`, not here.\n"
      "Where it looks: the namespaces given with --namespace; else the allowNamespaces of the\n"
      "drill given with --drill, the only namespaces its faults can create objects in (with\n"
      "--drill, --namespace may only narrow that list). kube-system is never searched.\n"
      "Which cluster: the drill's integrations.kubernetes, with --context and --kubeconfig\n"
      "taking precedence; without a drill, as kubectl: $KUBECONFIG or ~/.kube/config and its\n"
      "current-context. RBAC: pods list and delete in each namespace searched, and jobs list\n"
      "and delete where the drill's workers run (every namespace searched, without --drill).\n"
      "Exit codes: 0 nothing of the run is left (or nothing was found), 2 invalid command line,\n"
      "drill file or kubeconfig (nothing was changed), 4 something could not be listed or\n"
      "deleted: objects of the run may remain.");
  sub->add_option("--run", cmd->run_id,
                  "the run's id: the name of its out/RUN_ID folder, or run_id in result.json")
      ->required();
  sub->add_option("--drill", cmd->drill_file,
                  "the drill file of the run: its integrations.kubernetes give the cluster and "
                  "the namespaces")
      ->check(CLI::ExistingFile);
  sub->add_option("--context", cmd->context, "the kubeconfig context (default: current-context)");
  sub->add_option("--kubeconfig", cmd->kubeconfig,
                  "one kubeconfig file, read alone (default: $KUBECONFIG, else ~/.kube/config)");
  sub->add_option("-n,--namespace", cmd->namespaces,
                  "a namespace to search; repeat it or separate by commas")
      ->delimiter(',');
  sub->add_flag("--dry-run", cmd->dry_run, "list what would be deleted, delete nothing");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
