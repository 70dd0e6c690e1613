#include <thread>

#include "chaos/kube_fault_support.hpp"
#include "clients/kube_rollout.hpp"
#include "common/errors.hpp"

namespace firedrill::chaos {

namespace {

using common::Duration;
using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr auto kRolloutPoll = std::chrono::milliseconds(500);

// Rolls a workload out with an image that cannot be pulled: its new pods go ErrImagePull and
// then ImagePullBackOff. Revert puts the recorded image back and waits for the rollout.
class KubeBadImageFault final : public Fault {
 public:
  KubeBadImageFault(const common::Params& p, const json& captured)
      : namespace_(p.at("namespace").get<std::string>()),
        kind_(p.at("kind").get<std::string>()),
        name_(p.at("name").get<std::string>()),
        image_(p.at("image").get<std::string>()),
        rollout_timeout_(common::positive_duration_param(p, "rolloutTimeout")),
        captured_(captured.is_object() ? captured : json::object()) {
    kube::check_namespace_param(namespace_);
    if (name_.empty()) throw ValueError("name: the workload's name is required");
    if (image_.empty()) throw ValueError("image: must not be empty");
    if (p.contains("container")) container_ = p.at("container").get<std::string>();
  }

  std::string describe() const override {
    return "set the image of " + (container_.empty() ? "the first container" : container_) +
           " of " + kind_ + " " + namespace_ + "/" + name_ + " to " + image_ +
           " (reverted to the recorded image)";
  }

  json capture(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    json w = kube::api("reading " + kind_ + " " + namespace_ + "/" + name_,
                       [&] { return c.client->get(resource()); });
    const json containers = w.value("/spec/template/spec/containers"_json_pointer, json::array());
    std::string names;
    for (const auto& ctr : containers) {
      std::string n = ctr.value("name", "");
      names += (names.empty() ? "" : ", ") + n;
      if ((container_.empty() && captured_.empty()) || n == container_) {
        captured_ = {{"container", n}, {"original_image", ctr.value("image", "")}};
        break;
      }
    }
    if (captured_.empty()) {
      throw FaultError(kind_ + " " + namespace_ + "/" + name_ + " has no container \"" +
                       container_ + "\" (containers: " + names + ")");
    }
    return captured_;
  }

  void inject(const FaultContext& context) override {
    std::string container = captured_.value("container", "");
    if (context.dry_run) {
      kube::dry_run_report(context, {"would patch " + kind_ + " " + namespace_ + "/" + name_ +
                                     " container " + container + " image " +
                                     captured_.value("original_image", "") + " -> " + image_});
      return;
    }
    auto c = kube::connect(context, namespace_);
    json patch = {{"metadata",
                   {{"annotations",
                     {{kube::kRunLabel, kube::label_value(context.run_id)},
                      {kube::kDrillLabel, kube::label_value(context.drill_name)}}}}},
                  {"spec", image_patch(container, image_)}};
    kube::api("patching the image of " + kind_ + " " + namespace_ + "/" + name_, [&] {
      return c.client->patch(resource(), patch, clients::PatchType::StrategicMerge);
    });
  }

  void revert(const FaultContext& context) override {
    if (!captured_.contains("original_image") || context.dry_run) return;
    auto c = kube::connect(context, namespace_);
    json patch = {
        {"metadata", {{"annotations", {{kube::kRunLabel, nullptr}, {kube::kDrillLabel, nullptr}}}}},
        {"spec", image_patch(captured_["container"], captured_["original_image"])}};
    try {
      c.client->patch(resource(), patch, clients::PatchType::StrategicMerge);
    } catch (const clients::KubeApiError& e) {
      if (e.status() == 404) return;  // the workload is gone: nothing is left to restore
      throw FaultError("restoring the image of " + kind_ + " " + namespace_ + "/" + name_ + ": " +
                       e.what());
    }
    const auto deadline = std::chrono::steady_clock::now() + rollout_timeout_;
    std::string progress;
    while (std::chrono::steady_clock::now() < deadline) {
      auto w = kube::api("reading " + kind_ + " " + namespace_ + "/" + name_,
                         [&] { return c.client->get_if_exists(resource()); });
      if (!w) return;
      auto status = clients::rollout_status(kind_, *w);
      if (status.complete) return;
      progress = status.text;
      std::this_thread::sleep_for(kRolloutPoll);
    }
    throw FaultError("the image of " + kind_ + " " + namespace_ + "/" + name_ +
                     " was restored, but its rollout did not complete within " +
                     common::format_duration(rollout_timeout_) + ": " + progress);
  }

 private:
  static json image_patch(const std::string& container, const std::string& image) {
    return {{"template",
             {{"spec", {{"containers", json::array({{{"name", container}, {"image", image}}})}}}}}};
  }

  clients::KubeResource resource() const {
    return clients::workload_resource(kind_, namespace_, name_);
  }

  std::string namespace_;
  std::string kind_;
  std::string name_;
  std::string container_;
  std::string image_;
  Duration rollout_timeout_;
  json captured_;
};

}  // namespace

FaultKind kube_bad_image_fault_kind() {
  using common::FieldSpec;
  return {"kube.bad-image",
          "Rolls a Deployment, StatefulSet or DaemonSet out with an image that cannot be pulled",
          {{
              kube::namespace_field(),
              kube::workload_kind_field({"Deployment", "StatefulSet", "DaemonSet"}),
              FieldSpec{"name", FieldType::String, true, "the workload's name", {}, {}},
              FieldSpec{"container",
                        FieldType::String,
                        false,
                        "the container to change; default: the first",
                        {},
                        {}},
              FieldSpec{"image",
                        FieldType::String,
                        false,
                        "the unpullable image reference",
                        {},
                        "registry.invalid/firedrill/does-not-exist:0"},
              FieldSpec{"rolloutTimeout",
                        FieldType::Duration,
                        false,
                        "how long revert waits for the restored rollout to complete",
                        {},
                        "5m"},
          }},
          [](const common::Params& p, const nlohmann::json& captured) {
            return std::make_unique<KubeBadImageFault>(p, captured);
          },
          kube::check_integrations,
          kube::workload_key,
          [](const common::Params& p) -> std::vector<clients::KubeAccess> {
            return {{"apps",
                     clients::workload_plural(p.at("kind").get<std::string>()),
                     {clients::KubeVerb::Get, clients::KubeVerb::Patch},
                     p.at("namespace").get<std::string>(),
                     {}}};
          }};
}

}  // namespace firedrill::chaos
