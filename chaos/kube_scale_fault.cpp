#include <cstdlib>

#include "chaos/kube_fault_support.hpp"
#include "common/errors.hpp"

namespace firedrill::chaos {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

// Sets a Deployment's or StatefulSet's replicas through its scale subresource; revert sets the
// recorded count back.
class KubeScaleFault final : public Fault {
 public:
  KubeScaleFault(const common::Params& p, const json& captured)
      : namespace_(p.at("namespace").get<std::string>()),
        kind_(p.at("kind").get<std::string>()),
        name_(p.at("name").get<std::string>()),
        replicas_(p.at("replicas").get<int64_t>()),
        captured_(captured.is_object() ? captured : json::object()) {
    kube::check_namespace_param(namespace_);
    if (name_.empty()) throw ValueError("name: the workload's name is required");
    if (replicas_ < 0) throw ValueError("replicas: must be 0 or more");
  }

  std::string describe() const override {
    return "scale " + kind_ + " " + namespace_ + "/" + name_ + " to " + std::to_string(replicas_) +
           " replicas (reverted to the recorded count)";
  }

  json capture(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    json scale = kube::api("reading the scale of " + kind_ + " " + namespace_ + "/" + name_,
                           [&] { return c.client->get(resource()); });
    int64_t original = scale.value("/spec/replicas"_json_pointer, static_cast<int64_t>(0));
    if (std::llabs(replicas_ - original) > c.max_pods) {
      throw FaultError("scaling " + kind_ + " " + namespace_ + "/" + name_ + " from " +
                       std::to_string(original) + " to " + std::to_string(replicas_) +
                       " changes more pods than integrations.kubernetes.maxPods (" +
                       std::to_string(c.max_pods) + ")");
    }
    captured_ = {{"original_replicas", original}};
    return captured_;
  }

  void inject(const FaultContext& context) override {
    if (context.dry_run) {
      kube::dry_run_report(context,
                           {"would scale " + kind_ + " " + namespace_ + "/" + name_ + " from " +
                            captured_.value("original_replicas", json()).dump() + " to " +
                            std::to_string(replicas_) + " replicas"});
      return;
    }
    set_replicas(context, replicas_);
  }

  void revert(const FaultContext& context) override {
    if (!captured_.contains("original_replicas") || context.dry_run) return;
    set_replicas(context, captured_["original_replicas"].get<int64_t>());
  }

 private:
  void set_replicas(const FaultContext& context, int64_t replicas) {
    auto c = kube::connect(context, namespace_);
    kube::api("scaling " + kind_ + " " + namespace_ + "/" + name_, [&] {
      return c.client->patch(resource(), {{"spec", {{"replicas", replicas}}}},
                             clients::PatchType::Merge);
    });
  }

  clients::KubeResource resource() const {
    auto r = clients::workload_resource(kind_, namespace_, name_);
    r.subresource = "scale";
    return r;
  }

  std::string namespace_;
  std::string kind_;
  std::string name_;
  int64_t replicas_;
  json captured_;
};

}  // namespace

FaultKind kube_scale_fault_kind() {
  using common::FieldSpec;
  return {"kube.scale",
          "Sets the replicas of a Deployment or StatefulSet; revert restores the recorded count",
          {{
              kube::namespace_field(),
              kube::workload_kind_field({"Deployment", "StatefulSet"}),
              FieldSpec{"name", FieldType::String, true, "the workload's name", {}, {}},
              FieldSpec{"replicas", FieldType::Integer, true, "the replica count to set", {}, {}},
          }},
          [](const common::Params& p, const nlohmann::json& captured) {
            return std::make_unique<KubeScaleFault>(p, captured);
          },
          kube::check_integrations,
          kube::workload_key,
          [](const common::Params& p) -> std::vector<clients::KubeAccess> {
            return {{"apps",
                     clients::workload_plural(p.at("kind").get<std::string>()) + "/scale",
                     {clients::KubeVerb::Get, clients::KubeVerb::Patch},
                     p.at("namespace").get<std::string>(),
                     {}}};
          }};
}

}  // namespace firedrill::chaos
