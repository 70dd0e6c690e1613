#include <fmt/format.h>

#include <cmath>

#include "chaos/service_replicas.hpp"
#include "common/errors.hpp"
#include "common/http_client.hpp"

namespace firedrill::chaos {

namespace {

using common::FieldType;
using nlohmann::json;

// The local OOM kill: replicas of firedrill's target service are put under a memory limit (a
// memory cgroup where the machine allows one, so the kernel's OOM killer ends them as it ends a
// container) and told through /admin/fault to allocate until they are killed. The supervisor
// records the kill as the kubelet does (OOMKilled) and restarts them by their restart policy.
class ProcessOomFault final : public Fault {
 public:
  explicit ProcessOomFault(const common::Params& p)
      : target_(p),
        limit_(common::parse_bytes(p.at("limit").get<std::string>())),
        leak_mb_per_s_(p.at("leakMbPerS").get<double>()),
        ready_timeout_(common::duration_param(p, "readyTimeout")) {
    if (!std::isfinite(leak_mb_per_s_) || leak_mb_per_s_ <= 0 || leak_mb_per_s_ > 1024) {
      throw common::ValueError("leakMbPerS: must be more than 0 and at most 1024");
    }
  }

  std::string describe() const override {
    return fmt::format("OOM kill of {}: memory limit {}, allocating {:g} MiB/s", target_.describe(),
                       common::format_bytes(limit_), leak_mb_per_s_);
  }

  void inject(const FaultContext& context) override {
    local::LocalServices& services = target_.services(context);
    std::vector<int> replicas = target_.resolve(services);
    std::vector<local::ReplicaStatus> status = services.status(target_.service);
    if (target_.dry_run(context, "cause an " + describe())) return;
    for (int index : replicas) {
      if (status[index].port == 0) {
        throw FaultError("service `" + target_.service +
                         "` has no port; process.oom drives firedrill's target through its "
                         "/admin/fault endpoint");
      }
      services.limit_memory(target_.service, index, limit_);
      admin_fault(status[index].port, {{"leak_mb_per_s", leak_mb_per_s_}});
    }
  }

  void revert(const FaultContext& context) override {
    if (!context.services || context.dry_run) return;
    local::LocalServices& services = target_.services(context);
    std::vector<int> replicas = target_.resolve(services);
    std::vector<local::ReplicaStatus> status = services.status(target_.service);
    for (int index : replicas) {
      services.clear_memory_limit(target_.service, index);
      // A replica the kernel has not killed yet stops allocating; a restarted one never started.
      if (status[index].pid != 0) admin_fault(status[index].port, {{"leak_mb_per_s", nullptr}});
    }
    target_.wait_ready(services, replicas, ready_timeout_);
  }

 private:
  // Best effort on revert: a replica that is between restarts has nothing to stop.
  void admin_fault(int port, const json& change) {
    common::HttpRequest request;
    request.method = "POST";
    request.url = fmt::format("http://127.0.0.1:{}/admin/fault", port);
    request.headers = {{"Content-Type", "application/json"}};
    request.body = change.dump();
    request.timeout = std::chrono::seconds(5);
    common::HttpResponse response = client_.perform(request);
    if (change["leak_mb_per_s"].is_null()) return;
    if (!response.ok() || response.status != 200) {
      throw FaultError(fmt::format(
          "POST {}: {}", request.url,
          response.ok() ? "status " + std::to_string(response.status) : response.error));
    }
  }

  ServiceReplicas target_;
  uint64_t limit_;
  double leak_mb_per_s_;
  common::Duration ready_timeout_;
  common::HttpClient client_;
};

}  // namespace

FaultKind process_oom_fault_kind() {
  return {
      "process.oom",
      "Puts replicas of the local target service under a memory limit and makes them "
      "allocate until the kernel kills them (the local OOMKilled)",
      {{
          service_field(),
          replicas_field(0),
          {"limit",
           FieldType::String,
           false,
           "the memory limit, like 64Mi (memory cgroup, else address-space limit)",
           {},
           "64Mi"},
          {"leakMbPerS", FieldType::Number, false, "MiB allocated per second until killed", {}, 32},
          ready_timeout_field("30s"),
      }},
      [](const common::Params& p, const json&) { return std::make_unique<ProcessOomFault>(p); }};
}

}  // namespace firedrill::chaos
