#pragma once
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "chaos/fault.hpp"
#include "clients/integrations.hpp"
#include "local/local_services.hpp"
#include "local/notification_receiver.hpp"
#include "reporters/run_result.hpp"
#include "scenarios/drill.hpp"
#include "scenarios/service_state_metrics.hpp"
#include "validators/check.hpp"

namespace firedrill::scenarios {

// What the faults and checks of one run work with, built once by the Runner: the drill's remote
// integrations (typed, and checked when the drill file was validated, with one AWS credential
// cache for the run) and its local parts (the notification receiver, the `services:` and their
// state metrics), which start before the first step and stop after the last revert. Faults and
// checks see it through their contexts.
class DrillEnvironment {
 public:
  // Where the local parts say what they did: a started receiver, ready or stopped services.
  using Notice =
      std::function<void(reporters::EventType, const std::string& name, const std::string& detail)>;

  // The services keep their logs under work_dir/services.
  DrillEnvironment(const Drill& drill, std::filesystem::path work_dir, Notice notice);
  DrillEnvironment(const DrillEnvironment&) = delete;
  DrillEnvironment& operator=(const DrillEnvironment&) = delete;

  // Starts the receiver, then the services, waiting until each is ready (or `interrupted`).
  // Throws std::runtime_error saying which part could not start.
  void start(const std::atomic<bool>* interrupted);
  // Stops the services and the receiver; safe to call twice. Destruction stops them too, unsaid.
  void stop();

  // The context of the run's faults.
  chaos::FaultContext fault_context(const std::string& run_id, bool dry_run) const;
  // The context of a poll or baseline now.
  validators::CheckContext check_context(
      validators::WallClock::time_point drill_start,
      std::optional<validators::WallClock::time_point> last_fault) const;

 private:
  const Drill& drill_;
  std::filesystem::path work_dir_;
  Notice notice_;
  std::unique_ptr<local::NotificationReceiver> receiver_;
  std::unique_ptr<local::LocalServices> services_;
  std::unique_ptr<ServiceStateMetrics> service_metrics_;
};

}  // namespace firedrill::scenarios
