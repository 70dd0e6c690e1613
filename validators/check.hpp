#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clients/integrations.hpp"
#include "clients/kube_access.hpp"
#include "common/param_schema.hpp"

namespace firedrill::local {
class LocalServices;
class NotificationReceiver;
}  // namespace firedrill::local

namespace firedrill::validators {

using WallClock = std::chrono::system_clock;

// The instants a check needs to tell new state from old: nothing that existed before the drill
// started (or before the most recent fault, for detections) may make a check pass.
struct CheckContext {
  WallClock::time_point drill_start;
  // When injecting the most recent fault began, if any.
  std::optional<WallClock::time_point> last_fault;
  // When the validate step being polled opened: a `consistently` window judges what happened
  // from here on, between polls included.
  WallClock::time_point window_start;
  const clients::Integrations* integrations = &clients::Integrations::none();
  local::LocalServices* services = nullptr;         // the drill's `services:`, if any
  local::NotificationReceiver* receiver = nullptr;  // integrations.receiver, if configured
};

enum class Verdict { Pass, Fail, Inconclusive };

// One poll of a check: what it concluded and what it saw (values, objects, the query).
struct Observation {
  Verdict verdict = Verdict::Fail;
  std::string message;
  nlohmann::json evidence = nlohmann::json::object();
  // No later poll can change this verdict (the alerting rule it is about does not exist): the
  // window ends here.
  bool final = false;
};

class Check {
 public:
  virtual ~Check() = default;
  // One poll. Bounded in time by the check's own timeout; never throws for an unhealthy target
  // (that is a Fail with evidence); throws std::runtime_error only for a broken setup.
  virtual Observation observe(const CheckContext& context) = 0;
  // Called at the drill start (before the drill's own services start) and again just before each
  // fault is injected, with
  // the context of that instant: remember what is already true then (the alerts already active),
  // so that no later poll counts it as detected. Bounded in time like observe(); never throws.
  virtual void note_baseline(const CheckContext& /*context*/) {}
  // One line for reports, e.g. "GET http://127.0.0.1:8080/ -> status 200".
  virtual std::string describe() const = 0;
};

struct CheckKind {
  std::string name;     // as written in drill files, e.g. "http"
  std::string summary;  // one line for --help, the schema and the docs
  // How the kind tells state created by the drill from state that existed before.
  std::string freshness;
  common::ParamSchema schema;
  std::function<std::unique_ptr<Check>(const common::Params&)> create;
  // The Kubernetes API requests the check can make with these params. Optional: kinds that do
  // not call the API leave it out.
  std::function<std::vector<clients::KubeAccess>(const common::Params&)> kube_access = nullptr;
};

// The registry: validators/registry.cpp lists every kind, one line each.
const std::vector<CheckKind>& check_kinds();
const CheckKind* find_check_kind(const std::string& name);

}  // namespace firedrill::validators
