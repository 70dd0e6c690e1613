#pragma once
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "clients/integrations.hpp"
#include "clients/kube_access.hpp"
#include "common/param_schema.hpp"

namespace firedrill::local {
class LocalServices;
}

namespace firedrill::chaos {

struct FaultContext {
  std::string run_id;
  std::string drill_name;
  bool dry_run = false;  // say what would change, change nothing
  const clients::Integrations* integrations = &clients::Integrations::none();
  local::LocalServices* services = nullptr;  // the drill's `services:`, when it has any
  // Where a dry run says what it would change, one line each ("would delete pod shop/web-1");
  // the Runner puts the lines on its timeline. Unset: they are dropped.
  std::function<void(const std::string&)> note = nullptr;
};

class FaultError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A fault changes the system under test and can undo that change. The Runner calls capture()
// first and writes its result to the revert journal, then inject(); revert() may run in another
// process (`firedrill revert JOURNAL`) from a fault re-created with the captured state.
class Fault {
 public:
  virtual ~Fault() = default;
  virtual std::string describe() const = 0;
  // Reads what inject() will change (e.g. the original image), changing nothing.
  virtual nlohmann::json capture(const FaultContext&) { return nlohmann::json::object(); }
  virtual void inject(const FaultContext&) = 0;  // throws FaultError
  virtual void revert(const FaultContext&) = 0;  // throws FaultError; safe to call twice
};

struct FaultKind {
  std::string name;     // as written in drill files, e.g. "exec"
  std::string summary;  // one line for the schema and the docs
  common::ParamSchema schema;
  // `captured` is what capture() returned, or null before capture (a fresh fault).
  std::function<std::unique_ptr<Fault>(const common::Params&, const nlohmann::json& captured)>
      create;
  // What the fault needs of the drill's integrations block (e.g. its namespace listed in
  // integrations.kubernetes.allowNamespaces), checked when the drill file is validated: the
  // fault itself sees the integrations only when it runs. Throws common::ValueError. Optional.
  std::function<void(const common::Params&, const clients::Integrations& integrations)>
      check_integrations = nullptr;
  // What the fault changes and later restores from the snapshot its own capture() took, one key
  // per thing ("Deployment shop/web"). Two faults sharing a key must not be active at once: the
  // one reverted last would restore the other's effect. A key ending in `*` stands for any key
  // it begins, but not for another such key (a fault that picks its target when it runs). The
  // drill parser refuses overlaps. Optional: kinds that keep no snapshot leave it out.
  std::function<std::vector<std::string>(const common::Params&)> changes = nullptr;
  // The Kubernetes API requests the fault can make with these params, in capture, inject and
  // revert alike, and those of `firedrill cleanup` for what it creates. Optional: kinds that do
  // not call the API leave it out.
  std::function<std::vector<clients::KubeAccess>(const common::Params&)> kube_access = nullptr;
};

// The registry: chaos/registry.cpp lists every kind, one line each.
const std::vector<FaultKind>& fault_kinds();
const FaultKind* find_fault_kind(const std::string& name);

}  // namespace firedrill::chaos
