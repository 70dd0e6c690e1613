#include <cmath>

#include "chaos/kube_fault_support.hpp"
#include "common/errors.hpp"

namespace firedrill::chaos {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr uint64_t kMiB = 1024 * 1024;

// Load pods for autoscaler drills: `cpu` burns the CPU it requests, `memory` holds 90% of the
// memory it requests (under its limit: it is pressure, not an OOM), `http` loops requests to a
// URL, as the HPA walkthrough's load generator does, so the Service's pods get busy. Requests
// that no node can fit leave pods Pending, which is what makes a Cluster Autoscaler add nodes.
// Revert deletes the pods.
class KubeStressFault final : public Fault {
 public:
  KubeStressFault(const common::Params& p, const json& captured)
      : namespace_(p.at("namespace").get<std::string>()),
        mode_(p.at("mode").get<std::string>()),
        replicas_(p.at("replicas").get<int64_t>()),
        cpu_(p.at("cpu").get<std::string>()),
        memory_(p.at("memory").get<std::string>()),
        captured_(captured.is_object() ? captured : json::object()) {
    kube::check_namespace_param(namespace_);
    if (replicas_ < 1) throw ValueError("replicas: must be at least 1");
    if (p.contains("url")) url_ = p.at("url").get<std::string>();
    if (mode_ == "http" && url_.empty()) {
      throw ValueError("url: mode http needs the URL to load, like http://checkout.shop/");
    }
    if (mode_ != "http" && !url_.empty()) throw ValueError("url: only for mode http");
    if (url_.find_first_of("'\"\\ \t\r\n") != std::string::npos) {
      throw ValueError("url: must not contain quotes, backslashes or spaces");
    }
    cpu_cores_ = cpu_cores(cpu_);
    memory_bytes_ = kube::memory_bytes(memory_, "memory");
    image_ = p.contains("image") ? p.at("image").get<std::string>()
                                 : (mode_ == "http" ? "busybox:1.36" : "polinux/stress:1.0.4");
    if (p.contains("nodeSelector")) node_selector_ = p.at("nodeSelector");
  }

  std::string describe() const override {
    std::string what =
        mode_ == "http" ? "load generator pods requesting " + url_ : mode_ + " stress pods";
    return "run " + std::to_string(replicas_) + " " + what + " (cpu " + cpu_ + ", memory " +
           memory_ + ") in namespace " + namespace_;
  }

  json capture(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    if (replicas_ > c.max_pods) {
      throw FaultError("kube.stress would create " + std::to_string(replicas_) +
                       " pods, more than integrations.kubernetes.maxPods (" +
                       std::to_string(c.max_pods) + ")");
    }
    json names = json::array();
    for (int64_t i = 0; i < replicas_; ++i) {
      names.push_back(kube::generated_name("firedrill-stress-" + mode_));
    }
    captured_ = {{"pods", names}};
    return captured_;
  }

  void inject(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    std::vector<kube::LoadPod> pods;
    for (const auto& name : captured_["pods"]) {
      kube::LoadPod pod;
      pod.name = name;
      pod.container = mode_ == "http" ? "load-generator" : "stress";
      pod.image = image_;
      pod.command = command();
      pod.labels = kube::created_labels(context, "kube.stress");
      json amounts = {{"cpu", cpu_}, {"memory", memory_}};
      pod.resources = {{"requests", amounts}, {"limits", amounts}};
      if (!node_selector_.empty()) pod.placement = {{"nodeSelector", node_selector_}};
      pods.push_back(std::move(pod));
    }
    kube::create_load_pods(context, *c.client, namespace_, pods);
  }

  void revert(const FaultContext& context) override {
    if (!captured_.contains("pods") || context.dry_run) return;
    auto c = kube::connect(context, namespace_);
    kube::delete_pods(*c.client, namespace_, captured_["pods"].get<std::vector<std::string>>());
  }

 private:
  static double cpu_cores(const std::string& text) {
    try {
      std::size_t used = 0;
      double value = std::stod(text, &used);
      std::string unit = text.substr(used);
      if (unit == "m") value /= 1000.0;
      if ((unit.empty() || unit == "m") && value > 0) return value;
    } catch (const std::exception&) {
    }
    throw ValueError("cpu: expected a CPU quantity like 500m or 2, got \"" + text + "\"");
  }

  std::vector<std::string> command() const {
    if (mode_ == "http") {
      return {"/bin/sh", "-c", "while true; do wget -q -O- '" + url_ + "' >/dev/null 2>&1; done"};
    }
    if (mode_ == "memory") {
      return {"stress",
              "--vm",
              "1",
              "--vm-bytes",
              std::to_string(memory_bytes_ * 9 / 10 / kMiB) + "M",
              "--vm-hang",
              "0"};
    }
    return {"stress", "--cpu",
            std::to_string(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(cpu_cores_))))};
  }

  std::string namespace_;
  std::string mode_;
  int64_t replicas_;
  std::string cpu_;
  std::string memory_;
  std::string url_;
  std::string image_;
  double cpu_cores_ = 0;
  uint64_t memory_bytes_ = 0;
  json node_selector_ = json::object();
  json captured_;
};

}  // namespace

FaultKind kube_stress_fault_kind() {
  using common::FieldSpec;
  return {"kube.stress",
          "Runs CPU, memory or HTTP load pods, e.g. to make an HPA or a Cluster Autoscaler scale",
          {{
              kube::namespace_field(),
              FieldSpec{"mode",
                        FieldType::String,
                        false,
                        "cpu: burn CPU; memory: hold memory; http: request url in a loop",
                        {"cpu", "memory", "http"},
                        "cpu"},
              FieldSpec{"replicas", FieldType::Integer, false, "how many pods", {}, 1},
              FieldSpec{
                  "cpu", FieldType::String, false, "CPU request and limit of each pod", {}, "500m"},
              FieldSpec{"memory",
                        FieldType::String,
                        false,
                        "memory request and limit of each pod",
                        {},
                        "256Mi"},
              FieldSpec{"url", FieldType::String, false, "mode http: the URL to load", {}, {}},
              FieldSpec{"image",
                        FieldType::String,
                        false,
                        "default: polinux/stress:1.0.4 (cpu, memory), busybox:1.36 (http)",
                        {},
                        {}},
              FieldSpec{"nodeSelector",
                        FieldType::StringMap,
                        false,
                        "node labels the pods must land on, e.g. a node group",
                        {},
                        {}},
          }},
          [](const common::Params& p, const nlohmann::json& captured) {
            return std::make_unique<KubeStressFault>(p, captured);
          },
          kube::check_integrations,
          nullptr,
          kube::load_pod_access};
}

}  // namespace firedrill::chaos
