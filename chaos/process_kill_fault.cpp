#include <fmt/format.h>
#include <fmt/ranges.h>

#include <csignal>
#include <cstring>

#include "chaos/service_replicas.hpp"
#include "common/errors.hpp"

namespace firedrill::chaos {

namespace {

using common::FieldType;

constexpr std::pair<const char*, int> kSignals[] = {
    {"KILL", SIGKILL}, {"TERM", SIGTERM}, {"INT", SIGINT},   {"HUP", SIGHUP},
    {"QUIT", SIGQUIT}, {"ABRT", SIGABRT}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}};

// What a pod kill is on Kubernetes: a signal to replicas of a local service. The supervisor
// restarts them by their restart policy, unless `keepDown` holds them stopped until the revert
// (the local analogue of a node that is gone for a while). The revert waits until they are
// running and ready again, so the next step starts from a healthy service.
class ProcessKillFault final : public Fault {
 public:
  explicit ProcessKillFault(const common::Params& p)
      : target_(p),
        signal_name_(p.at("signal").get<std::string>()),
        keep_down_(p.at("keepDown").get<bool>()),
        ready_timeout_(common::duration_param(p, "readyTimeout")) {
    for (const auto& [name, number] : kSignals) {
      if (signal_name_ == name) signal_ = number;
    }
  }

  std::string describe() const override {
    return fmt::format("SIG{} to {}{}", signal_name_, target_.describe(),
                       keep_down_ ? ", kept down until reverted" : "");
  }

  void inject(const FaultContext& context) override {
    local::LocalServices& services = target_.services(context);
    std::vector<int> replicas = target_.resolve(services);
    if (target_.dry_run(context, "send " + describe())) return;
    if (services.signal(target_.service, replicas, signal_, keep_down_).empty()) {
      throw FaultError(fmt::format("no process of {} was running to signal", target_.describe()));
    }
  }

  void revert(const FaultContext& context) override {
    // After a crash the services ended with their drill: nothing is left to bring back.
    if (!context.services || context.dry_run) return;
    local::LocalServices& services = target_.services(context);
    std::vector<int> replicas = target_.resolve(services);
    if (keep_down_) services.release(target_.service, replicas);
    target_.wait_ready(services, replicas, ready_timeout_);
  }

 private:
  ServiceReplicas target_;
  std::string signal_name_;
  int signal_ = SIGKILL;
  bool keep_down_;
  common::Duration ready_timeout_;
};

}  // namespace

FaultKind process_kill_fault_kind() {
  std::vector<std::string> names;
  for (const auto& [name, number] : kSignals) names.emplace_back(name);
  return {"process.kill",
          "Sends a signal to replicas of a local service (the local pod kill)",
          {{
              service_field(),
              replicas_field(0),
              {"signal", FieldType::String, false, "the signal to send", names, "KILL"},
              {"keepDown",
               FieldType::Boolean,
               false,
               "do not let the supervisor restart them until the fault is reverted",
               {},
               false},
              ready_timeout_field("30s"),
          }},
          [](const common::Params& p, const nlohmann::json&) {
            return std::make_unique<ProcessKillFault>(p);
          }};
}

}  // namespace firedrill::chaos
