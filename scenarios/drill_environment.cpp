#include "scenarios/drill_environment.hpp"

#include <fmt/format.h>

namespace firedrill::scenarios {

using reporters::EventType;

DrillEnvironment::DrillEnvironment(const Drill& drill, std::filesystem::path work_dir,
                                   Notice notice)
    : drill_(drill), work_dir_(std::move(work_dir)), notice_(std::move(notice)) {}

void DrillEnvironment::start(const std::atomic<bool>* interrupted) {
  const nlohmann::json& block = drill_.integrations.block();
  if (block.contains("receiver")) {
    receiver_ = std::make_unique<local::NotificationReceiver>(
        local::receiver_options(block.at("receiver")));
    notice_(EventType::ReceiverStarted, "receiver", "listening on " + receiver_->address());
  }
  if (drill_.services.empty()) return;
  const std::filesystem::path dir = work_dir_ / "services";
  services_ = std::make_unique<local::LocalServices>(drill_.services, dir, "/proc/self/exe");
  if (block.contains("serviceMetrics")) {
    service_metrics_ = std::make_unique<ServiceStateMetrics>(
        *services_, block.at("serviceMetrics").value("listen", ""));
  }
  services_->start_all(interrupted);
  notice_(EventType::ServicesStarted, "services",
          fmt::format("{} service{} ready, logs in {}", drill_.services.size(),
                      drill_.services.size() == 1 ? "" : "s", dir.string()));
}

void DrillEnvironment::stop() {
  if (services_) {
    service_metrics_.reset();
    services_->stop_all();
    services_.reset();
    notice_(EventType::ServicesStopped, "services", "");
  }
  receiver_.reset();
}

chaos::FaultContext DrillEnvironment::fault_context(const std::string& run_id, bool dry_run) const {
  chaos::FaultContext context;
  context.run_id = run_id;
  context.drill_name = drill_.metadata.name;
  context.dry_run = dry_run;
  context.integrations = &drill_.integrations;
  context.services = services_.get();
  return context;
}

validators::CheckContext DrillEnvironment::check_context(
    validators::WallClock::time_point drill_start,
    std::optional<validators::WallClock::time_point> last_fault) const {
  validators::CheckContext context;
  context.drill_start = drill_start;
  context.last_fault = last_fault;
  context.integrations = &drill_.integrations;
  context.services = services_.get();
  context.receiver = receiver_.get();
  context.window_start = validators::WallClock::now();
  return context;
}

}  // namespace firedrill::scenarios
