#include <iostream>
#include <memory>

#include "chaos/fault.hpp"
#include "chaos/revert_journal.hpp"
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "common/secret_values.hpp"

namespace firedrill::cli {

namespace {

struct RevertCommand {
  std::string journal_path;
  bool dry_run = false;

  int run() const {
    std::vector<chaos::PendingFault> pending;
    try {
      pending = chaos::pending_faults(journal_path);
    } catch (const chaos::JournalError& e) {
      std::cerr << "firedrill revert: " << e.what() << "\n";
      return kExitUsage;
    }
    // What the run showed as a reference, this shows so too (a fault's description, an error).
    for (const auto& fault : pending) {
      for (const auto& secret : fault.secrets) {
        common::secret_values().add(secret.value, secret.reference);
      }
    }
    if (pending.empty()) {
      std::cout << "nothing to revert: every fault in " << journal_path << " was reverted\n";
      return kExitOk;
    }
    std::cout << pending.size() << (pending.size() == 1 ? " fault" : " faults") << " to revert in "
              << journal_path << (dry_run ? " (dry run: nothing will change)" : "") << "\n";
    std::unique_ptr<chaos::RevertJournal> journal;
    if (!dry_run) {
      try {
        journal = std::make_unique<chaos::RevertJournal>(journal_path);
      } catch (const chaos::JournalError& e) {
        // Undoing the faults matters more than recording it; a later revert repeats them safely.
        std::cerr << "firedrill revert: reverting without recording it: " << e.what() << "\n";
      }
    }
    bool all_reverted = true;
    for (const auto& fault : pending) {
      all_reverted = revert(fault, journal.get()) && all_reverted;
    }
    if (!all_reverted) {
      std::cerr << "firedrill revert: "
                << (dry_run ? "some faults cannot be reverted"
                            : "some faults could not be reverted; the "
                              "system may still be degraded")
                << "\n";
      return kExitRevertFailed;
    }
    return kExitOk;
  }

  // Says what it did (or would do); returns false when the fault is still in place.
  bool revert(const chaos::PendingFault& pending, chaos::RevertJournal* journal) const {
    std::string name = pending.fault_id + " (" + pending.kind + ", run " + pending.run_id + ")";
    std::string state = pending.injected ? "" : " [the run stopped before inject finished]";
    std::unique_ptr<chaos::Fault> fault;
    std::string error;
    if (const chaos::FaultKind* kind = chaos::find_fault_kind(pending.kind)) {
      try {
        fault = kind->create(pending.params, pending.captured);
      } catch (const std::exception& e) {
        error = std::string("cannot re-create the fault: ") + e.what();
      }
    } else {
      error = "unknown fault kind \"" + pending.kind + "\" (written by another firedrill?)";
    }
    if (fault && dry_run) {
      std::cout << "would revert " << name << ": " << fault->describe() << state << "\n";
      return true;
    }
    if (fault) {
      chaos::FaultContext context;
      context.run_id = pending.run_id;
      context.drill_name = pending.drill_name;
      try {
        const clients::Integrations integrations(pending.integrations);
        context.integrations = &integrations;
        fault->revert(context);
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    if (journal) {
      try {
        journal->continue_run(pending.run_id);
        if (error.empty()) {
          journal->record_reverted(pending.fault_id);
        } else {
          journal->record_revert_failed(pending.fault_id, error);
        }
      } catch (const chaos::JournalError& e) {
        std::cerr << "firedrill revert: " << e.what() << "\n";
      }
    }
    if (!error.empty()) {
      std::cout << (dry_run ? "cannot revert " : "revert FAILED ") << name << state << ": " << error
                << "\n";
      return false;
    }
    std::cout << "reverted " << name << ": " << fault->describe() << state << "\n";
    return true;
  }
};

}  // namespace

CommandRunner add_revert_command(CLI::App& app) {
  auto cmd = std::make_shared<RevertCommand>();
  CLI::App* sub = app.add_subcommand(
      "revert",
      "Undo the faults a run left in place, from its revert journal: after a crash, a kill -9,\n"
      "or a revert that failed. Each fault with no successful revert is re-created from the\n"
      "journal and reverted, the most recently injected first, and the result is appended to\n"
      "the journal, so running it again is safe.\n"
      "Exit codes: 0 all reverted (or nothing to revert), 2 the journal cannot be read or is\n"
      "malformed, 4 a revert failed and the system may still be degraded.");
  sub->add_option("JOURNAL", cmd->journal_path, "the revert journal of the run")->required();
  sub->add_flag("--dry-run", cmd->dry_run, "list what would be reverted, change nothing");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
