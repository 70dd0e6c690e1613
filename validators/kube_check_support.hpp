#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clients/kube_client.hpp"
#include "common/param_schema.hpp"
#include "validators/check.hpp"

// What the Kubernetes checks (validators/kube_*.cpp) share.
namespace firedrill::validators::kube {

// The client of integrations.kubernetes, made at the first poll. nullptr, with `error` set, when
// the integration is missing or wrong.
class ClientSlot {
 public:
  clients::KubeClient* get(const CheckContext& context, std::string* error);

 private:
  std::unique_ptr<clients::KubeClient> client_;
};

// List options that select by labels (`selector` empty: everything).
clients::KubeListOptions with_labels(const std::string& selector);

// Lists `collection` (paginated). nullopt when the API refuses or cannot be reached, with `error`
// saying why: the check is then inconclusive, not failed.
std::optional<std::vector<nlohmann::json>> list_or_error(clients::KubeClient& client,
                                                         const clients::KubeResource& collection,
                                                         const clients::KubeListOptions& options,
                                                         std::string& error);

// The API server writes whole seconds (metav1.Time), rounded down: a timestamp counts as at or
// after `since` when it is not before the second `since` falls in.
bool at_or_after(const std::string& timestamp, WallClock::time_point since);
// What tells one object from another across polls: its uid, else its name.
std::string identity(const nlohmann::json& object);
std::optional<WallClock::time_point> parse_time(const std::string& timestamp);

// status.conditions[type == `type`].status == "True".
bool condition_true(const nlohmann::json& object, const std::string& type);

common::FieldSpec namespace_field();

// What a check that waits for a count passes on: `reach` (at least N) or `increase` (at least N
// more than at the first poll), exactly one of them.
struct CountGoal {
  std::optional<int64_t> reach;
  std::optional<int64_t> increase;
};
// Reads the param `reach_param` and `increase`, each at least 1; `choice` explains the two for
// the error when neither or both are given. Throws common::ValueError naming the param.
CountGoal count_goal(const common::Params& p, const std::string& reach_param,
                     const std::string& choice);

}  // namespace firedrill::validators::kube
