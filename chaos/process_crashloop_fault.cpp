#include <fmt/format.h>

#include "chaos/service_replicas.hpp"
#include "common/errors.hpp"
#include "common/subprocess.hpp"

namespace firedrill::chaos {

namespace {

using common::FieldType;

// The local bad image: replicas restart with a command that fails at start, so the supervisor
// backs off between restarts and counts them, as the kubelet does with CrashLoopBackOff. The
// revert restores the service's own command and waits until the replicas are ready.
class ProcessCrashloopFault final : public Fault {
 public:
  explicit ProcessCrashloopFault(const common::Params& p)
      : target_(p),
        command_(p.at("command").get<std::string>()),
        ready_timeout_(common::duration_param(p, "readyTimeout")) {
    if (command_.empty()) throw common::ValueError("command: must not be empty");
  }

  std::string describe() const override {
    return fmt::format("crash loop of {}: restarted with {}", target_.describe(),
                       nlohmann::json(command_).dump());
  }

  void inject(const FaultContext& context) override {
    local::LocalServices& services = target_.services(context);
    std::vector<int> replicas = target_.resolve(services);
    if (target_.dry_run(context, "cause a " + describe())) return;
    services.override_command(target_.service, replicas, common::shell_argv(command_));
  }

  void revert(const FaultContext& context) override {
    if (!context.services || context.dry_run) return;
    local::LocalServices& services = target_.services(context);
    std::vector<int> replicas = target_.resolve(services);
    services.override_command(target_.service, replicas, {});
    target_.wait_ready(services, replicas, ready_timeout_);
  }

 private:
  ServiceReplicas target_;
  std::string command_;
  common::Duration ready_timeout_;
};

}  // namespace

FaultKind process_crashloop_fault_kind() {
  return {"process.crashloop",
          "Restarts replicas of a local service with a command that fails at start (the local "
          "bad image)",
          {{
              service_field(),
              replicas_field(),
              {"command",
               FieldType::String,
               false,
               "run with /bin/sh -c instead of the service's command",
               {},
               "echo 'firedrill process.crashloop: this start fails on purpose' >&2; exit 1"},
              ready_timeout_field("60s"),
          }},
          [](const common::Params& p, const nlohmann::json&) {
            return std::make_unique<ProcessCrashloopFault>(p);
          }};
}

}  // namespace firedrill::chaos
