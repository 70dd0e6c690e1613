#include "chaos/service_replicas.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/errors.hpp"

namespace firedrill::chaos {

ServiceReplicas::ServiceReplicas(const common::Params& params)
    : service(params.at("service").get<std::string>()) {
  if (service.empty()) throw common::ValueError("service: must not be empty");
  if (params.contains("replicas")) {
    for (const auto& r : params.at("replicas")) {
      int index = r.get<int>();
      if (index < 0) throw common::ValueError("replicas: indices start at 0");
      replicas.push_back(index);
    }
  }
}

std::string ServiceReplicas::describe() const {
  if (replicas.empty()) return "every replica of " + service;
  return fmt::format("replica{} {} of {}", replicas.size() > 1 ? "s" : "",
                     fmt::join(replicas, ", "), service);
}

local::LocalServices& ServiceReplicas::services(const FaultContext& context) const {
  if (!context.services) {
    throw FaultError("the drill has no `services:` block, so there is no service `" + service +
                     "` to act on");
  }
  if (!context.services->has_service(service)) {
    throw FaultError(fmt::format("the drill has no service `{}`; its services are: {}", service,
                                 fmt::join(context.services->service_names(), ", ")));
  }
  return *context.services;
}

std::vector<int> ServiceReplicas::resolve(const local::LocalServices& services) const {
  const int count = static_cast<int>(services.status(service).size());
  if (replicas.empty()) {
    std::vector<int> all(count);
    for (int i = 0; i < count; ++i) all[i] = i;
    return all;
  }
  for (int index : replicas) {
    if (index >= count) {
      throw FaultError(
          fmt::format("service `{}` has {} replica{} (0 to {}); there is no replica {}", service,
                      count, count == 1 ? "" : "s", count - 1, index));
    }
  }
  return replicas;
}

bool ServiceReplicas::dry_run(const FaultContext& context, const std::string& what) const {
  if (!context.dry_run) return false;
  if (context.note) context.note("would " + what);
  return true;
}

void ServiceReplicas::wait_ready(local::LocalServices& services, const std::vector<int>& replicas,
                                 common::Duration timeout) const {
  if (!services.wait_ready(service, replicas, timeout)) {
    throw FaultError(fmt::format("{} did not become ready again within {}", describe(),
                                 common::format_duration(timeout)));
  }
}

common::FieldSpec service_field() {
  return {"service", common::FieldType::String,
          true,      "a service of the drill's `services:` block",
          {},        {}};
}

common::FieldSpec replicas_field(nlohmann::json default_replicas) {
  std::string meaning = "every replica";
  if (!default_replicas.is_null()) meaning = "replica " + default_replicas.dump();
  return {"replicas", common::FieldType::IntegerList,
          false,      "replica indices, from 0; default: " + meaning,
          {},         std::move(default_replicas)};
}

common::FieldSpec ready_timeout_field(const std::string& default_timeout) {
  return {"readyTimeout",
          common::FieldType::Duration,
          false,
          "the revert waits this long for the replicas to be ready again",
          {},
          default_timeout};
}

}  // namespace firedrill::chaos
