#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/param_schema.hpp"

namespace firedrill::clients {
class LocalServices;
class NotificationReceiver;
}  // namespace firedrill::clients

namespace firedrill::validators {

using WallClock = std::chrono::system_clock;

// The instants a check needs to tell new state from old: nothing that existed before the drill
// started (or before the most recent fault, for detections) may make a check pass.
struct CheckContext {
  WallClock::time_point drill_start;
  std::optional<WallClock::time_point> last_fault;  // most recent fault injection, if any
  const nlohmann::json* integrations = nullptr;     // the drill's integrations block
  clients::LocalServices* services = nullptr;       // the drill's `services:`, if any
  clients::NotificationReceiver* receiver = nullptr;  // integrations.receiver, if configured
};

enum class Verdict { Pass, Fail, Inconclusive };

// One poll of a check: what it concluded and what it saw (values, objects, the query).
struct Observation {
  Verdict verdict = Verdict::Fail;
  std::string message;
  nlohmann::json evidence = nlohmann::json::object();
};

class Check {
 public:
  virtual ~Check() = default;
  // One poll. Bounded in time by the check's own timeout; never throws for an unhealthy target
  // (that is a Fail with evidence); throws std::runtime_error only for a broken setup.
  virtual Observation observe(const CheckContext& context) = 0;
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
};

// The registry: validators/registry.cpp lists every kind, one line each.
const std::vector<CheckKind>& check_kinds();
const CheckKind* find_check_kind(const std::string& name);

}  // namespace firedrill::validators
