#pragma once
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/secret_values.hpp"

namespace firedrill::chaos {

// The revert journal: an append-only file of JSON lines, one record per line, each written with
// a single write() and fsync'd before the call returns, so that a crash at any instant leaves
// every earlier record on disk and at most a torn last line. Every record starts with
// {"record": TYPE, "run_id": ..., "at": ISO 8601 UTC time, ...}; then, by type:
//
//   begin          "version":1, "drill", "dry_run", "integrations":{...}, "host", "pid",
//                  "secrets":[{"value_b64", "reference"}]
//   intent         "fault":ID, "kind", "params":{...}, "captured":{...}   (before inject)
//   injected       "fault":ID                                             (inject returned)
//   reverted       "fault":ID
//   revert_failed  "fault":ID, "error"
//
// A fault is pending from its intent until a "reverted" record: an intent alone means inject()
// may have changed something before the crash. Fault ids are unique within a run; a file may
// hold several runs, even from concurrent writers, since every record names its run. The file
// holds fault parameters, which may include credentials: it is created readable by its owner
// only, and nothing in it is ever printed.
class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RevertJournal {
 public:
  // Opens `path` for appending, creating it (mode 0600) if needed. A torn last line left by a
  // crash is completed or cut off first, so that new records start on a line of their own.
  // Throws JournalError.
  explicit RevertJournal(const std::string& path);
  ~RevertJournal();
  RevertJournal(const RevertJournal&) = delete;
  RevertJournal& operator=(const RevertJournal&) = delete;

  // Starts a run; the records that follow belong to it. A dry run's faults are never pending.
  // `integrations` is what a later `firedrill revert` hands the faults it re-creates; `secrets`
  // are the drill's interpolated values, which it shows as their references.
  void begin(const std::string& run_id, const std::string& drill_name,
             const nlohmann::json& integrations = nlohmann::json::object(), bool dry_run = false,
             const std::vector<common::SecretValues::Secret>& secrets = {});
  // Makes the records that follow belong to an earlier run, without a begin record: how
  // `firedrill revert` records its reverts of a crashed run.
  void continue_run(const std::string& run_id);

  // Each throws JournalError if the record cannot be made durable; the caller must then not
  // inject.
  void record_intent(const std::string& fault_id, const std::string& kind,
                     const nlohmann::json& params, const nlohmann::json& captured);
  void record_injected(const std::string& fault_id);
  void record_reverted(const std::string& fault_id);
  void record_revert_failed(const std::string& fault_id, const std::string& error);

  const std::string& path() const { return path_; }

 private:
  void append(const std::string& type, const nlohmann::ordered_json& fields);

  std::string path_;
  int fd_ = -1;
  std::mutex mutex_;
  std::string run_id_;
};

// A fault with an intent and no successful revert.
struct PendingFault {
  std::string run_id;
  std::string drill_name;
  nlohmann::json integrations;                        // the run's integrations block
  std::vector<common::SecretValues::Secret> secrets;  // the run's interpolated values
  std::string fault_id;
  std::string kind;
  nlohmann::json params;
  nlohmann::json captured;
  bool injected = false;   // false: the run stopped while injecting, or inject failed
  std::string last_error;  // of the most recent failed revert, if any
  int line = 0;            // of the intent record
};

// The pending faults of every run in the journal, the most recently injected first (the order to
// revert them in). A torn last line is ignored: it can only be the record being written when the
// writer stopped; nothing is injected before its intent is on disk, and a lost "injected" or
// "reverted" leaves its fault pending, which is safe since revert() may run twice. Throws
// JournalError when the file cannot be read or a record makes no sense ("path:line: why").
std::vector<PendingFault> pending_faults(const std::string& path);

}  // namespace firedrill::chaos
