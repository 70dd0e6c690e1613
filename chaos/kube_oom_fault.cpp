#include "chaos/kube_fault_support.hpp"
#include "common/errors.hpp"

namespace firedrill::chaos {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr uint64_t kMiB = 1024 * 1024;

// Makes the kernel OOM-kill a container on the target's node: a pod beside the target whose
// stress process allocates more than its memory limit. It lands on the target's node through a
// required node affinity on the node's name and the target's tolerations; restartPolicy Always
// makes it OOM again after each restart. Revert deletes it.
class KubeOomFault final : public Fault {
 public:
  KubeOomFault(const common::Params& p, const json& captured)
      : namespace_(p.at("namespace").get<std::string>()),
        selector_(p.at("selector").get<std::string>()),
        image_(p.at("image").get<std::string>()),
        limit_text_(p.at("memoryLimit").get<std::string>()),
        allocate_text_(p.at("allocate").get<std::string>()),
        captured_(captured.is_object() ? captured : json::object()) {
    kube::check_namespace_param(namespace_);
    if (selector_.empty()) {
      throw ValueError("selector: a label selector of the target pods is required");
    }
    if (image_.empty()) throw ValueError("image: must not be empty");
    limit_ = kube::memory_bytes(limit_text_, "memoryLimit");
    allocate_ = kube::memory_bytes(allocate_text_, "allocate");
    if (allocate_ <= limit_) {
      throw ValueError("allocate: must be more than memoryLimit (" + limit_text_ +
                       "), or nothing is OOM-killed");
    }
  }

  std::string describe() const override {
    return "run a memory hog allocating " + allocate_text_ + " under a " + limit_text_ +
           " limit on the node of a pod matching " + selector_ + " in namespace " + namespace_;
  }

  json capture(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    clients::KubeListOptions options;
    options.label_selector = selector_;
    auto pods = kube::api("listing pods " + selector_ + " in namespace " + namespace_, [&] {
      return c.client->list(clients::core_resource("pods", namespace_), options);
    });
    const json* target = nullptr;
    for (const auto& p : pods) {
      if (!kube::pod_terminating(p) && p.contains("/spec/nodeName"_json_pointer) &&
          p.value("/status/phase"_json_pointer, std::string()) == "Running") {
        target = &p;
        break;
      }
    }
    if (!target) {
      throw FaultError("no running pod matches " + selector_ + " in namespace " + namespace_ +
                       " (" + std::to_string(pods.size()) + " match in other states)");
    }
    captured_ = {{"pod", kube::generated_name("firedrill-oom")},
                 {"target", (*target)["metadata"]["name"]},
                 {"node", (*target)["spec"]["nodeName"]},
                 {"tolerations", target->value("/spec/tolerations"_json_pointer, json::array())}};
    return captured_;
  }

  void inject(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    kube::LoadPod hog;
    hog.name = captured_["pod"];
    hog.container = "memory-hog";
    hog.image = image_;
    hog.command = {
        "stress",    "--vm", "1", "--vm-bytes", std::to_string((allocate_ + kMiB - 1) / kMiB) + "M",
        "--vm-hang", "0"};
    hog.labels = kube::created_labels(context, "kube.oom");
    hog.resources = {{"requests", {{"memory", limit_text_}, {"cpu", "10m"}}},
                     {"limits", {{"memory", limit_text_}}}};
    json term = {{"matchFields", json::array({{{"key", "metadata.name"},
                                               {"operator", "In"},
                                               {"values", json::array({captured_["node"]})}}})}};
    hog.placement = {{"affinity",
                      {{"nodeAffinity",
                        {{"requiredDuringSchedulingIgnoredDuringExecution",
                          {{"nodeSelectorTerms", json::array({term})}}}}}}},
                     {"tolerations", captured_["tolerations"]}};
    kube::create_load_pods(context, *c.client, namespace_, {hog});
  }

  void revert(const FaultContext& context) override {
    if (!captured_.contains("pod") || context.dry_run) return;
    auto c = kube::connect(context, namespace_);
    kube::delete_pods(*c.client, namespace_, {captured_["pod"].get<std::string>()});
  }

 private:
  std::string namespace_;
  std::string selector_;
  std::string image_;
  std::string limit_text_;
  std::string allocate_text_;
  uint64_t limit_ = 0;
  uint64_t allocate_ = 0;
  json captured_;
};

}  // namespace

FaultKind kube_oom_fault_kind() {
  using common::FieldSpec;
  return {"kube.oom",
          "Runs a memory hog beside a target pod, on its node, that the kernel OOM-kills",
          {{
              kube::namespace_field(),
              FieldSpec{"selector",
                        FieldType::String,
                        true,
                        "label selector of the target pods; the hog goes to the node of a "
                        "running one",
                        {},
                        {}},
              FieldSpec{"image",
                        FieldType::String,
                        false,
                        "an image with the stress tool (--vm, --vm-bytes)",
                        {},
                        "polinux/stress:1.0.4"},
              FieldSpec{"memoryLimit",
                        FieldType::String,
                        false,
                        "the hog's memory limit (and request)",
                        {},
                        "64Mi"},
              FieldSpec{"allocate",
                        FieldType::String,
                        false,
                        "how much the hog allocates; more than memoryLimit",
                        {},
                        "256Mi"},
          }},
          [](const common::Params& p, const nlohmann::json& captured) {
            return std::make_unique<KubeOomFault>(p, captured);
          },
          kube::check_integrations,
          nullptr,
          kube::load_pod_access};
}

}  // namespace firedrill::chaos
