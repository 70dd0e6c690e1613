#include "validators/kube_check_support.hpp"

#include "common/errors.hpp"
#include "common/rfc3339.hpp"

namespace firedrill::validators::kube {

using nlohmann::json;

clients::KubeClient* ClientSlot::get(const CheckContext& context, std::string* error) {
  if (client_) return client_.get();
  try {
    client_ = context.integrations->kube_client();
  } catch (const common::ValueError& e) {
    *error = std::string("integrations.kubernetes: ") + e.what();
    return nullptr;
  }
  return client_.get();
}

clients::KubeListOptions with_labels(const std::string& selector) {
  clients::KubeListOptions options;
  options.label_selector = selector;
  return options;
}

std::optional<std::vector<json>> list_or_error(clients::KubeClient& client,
                                               const clients::KubeResource& collection,
                                               const clients::KubeListOptions& options,
                                               std::string& error) {
  try {
    return client.list(collection, options);
  } catch (const clients::KubeApiError& e) {
    error = e.what();
    return std::nullopt;
  }
}

std::optional<WallClock::time_point> parse_time(const std::string& timestamp) {
  return common::parse_rfc3339(timestamp);
}

bool at_or_after(const std::string& timestamp, WallClock::time_point since) {
  auto t = parse_time(timestamp);
  return t && *t >= std::chrono::floor<std::chrono::seconds>(since);
}

std::string identity(const json& object) {
  const std::string uid = object.value("/metadata/uid"_json_pointer, std::string());
  return uid.empty() ? object.value("/metadata/name"_json_pointer, std::string()) : uid;
}

bool condition_true(const json& object, const std::string& type) {
  for (const auto& c : object.value("/status/conditions"_json_pointer, json::array())) {
    if (c.value("type", "") == type) return c.value("status", "") == "True";
  }
  return false;
}

CountGoal count_goal(const common::Params& p, const std::string& reach_param,
                     const std::string& choice) {
  CountGoal goal;
  if (p.contains(reach_param)) goal.reach = p.at(reach_param).get<int64_t>();
  if (p.contains("increase")) goal.increase = p.at("increase").get<int64_t>();
  if (goal.reach.has_value() == goal.increase.has_value()) {
    throw common::ValueError(reach_param + ": give either " + choice);
  }
  if (goal.reach && *goal.reach < 1) {
    throw common::ValueError(reach_param + ": must be at least 1");
  }
  if (goal.increase && *goal.increase < 1) {
    throw common::ValueError("increase: must be at least 1");
  }
  return goal;
}

common::FieldSpec namespace_field() {
  return {"namespace", common::FieldType::String, true, "the namespace to look in", {}, {}};
}

}  // namespace firedrill::validators::kube
