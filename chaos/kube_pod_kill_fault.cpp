#include <algorithm>
#include <cmath>
#include <random>
#include <thread>

#include "chaos/kube_fault_support.hpp"
#include "common/errors.hpp"

namespace firedrill::chaos {

namespace {

using clients::KubeVerb;
using common::Duration;
using common::FieldType;
using common::ValueError;
using nlohmann::json;

// Deletes pods the way a node failure or `kubectl delete pod --grace-period=0 --force` does;
// their controllers replace them. There is nothing to put back, so revert has nothing to do.
class KubePodKillFault final : public Fault {
 public:
  explicit KubePodKillFault(const common::Params& p)
      : namespace_(p.at("namespace").get<std::string>()),
        selector_(p.at("selector").get<std::string>()),
        grace_seconds_(kube::whole_seconds(p, "gracePeriod")) {
    kube::check_namespace_param(namespace_);
    if (selector_.empty()) {
      throw ValueError("selector: a label selector is required, like app=checkout");
    }
    if (p.contains("fieldSelector")) field_selector_ = p.at("fieldSelector").get<std::string>();
    count_ = p.at("count").get<int64_t>();
    if (count_ < 1) throw ValueError("count: must be at least 1");
    if (p.contains("percent")) {
      percent_ = p.at("percent").get<double>();
      if (!(*percent_ > 0 && *percent_ <= 100)) {
        throw ValueError("percent: must be more than 0 and at most 100");
      }
    }
    if (p.contains("interval") != p.contains("duration")) {
      throw ValueError(p.contains("interval") ? "duration: needed with interval (how long to "
                                                "keep killing)"
                                              : "interval: needed with duration (how often to "
                                                "kill)");
    }
    if (p.contains("interval")) {
      interval_ = common::positive_duration_param(p, "interval");
      duration_ = common::duration_param(p, "duration");
      if (duration_ < Duration::zero()) throw ValueError("duration: must not be negative");
    }
  }

  std::string describe() const override {
    std::string what = percent_ ? trimmed_percent() + "% of the pods"
                                : std::to_string(count_) + (count_ == 1 ? " pod" : " pods");
    std::string s = "delete " + what + " matching " + selector_ +
                    (field_selector_.empty() ? "" : " (" + field_selector_ + ")") +
                    " in namespace " + namespace_ + ", grace period " +
                    std::to_string(grace_seconds_) + "s";
    if (interval_ > Duration::zero()) {
      s += ", every " + common::format_duration(interval_) + " for " +
           common::format_duration(duration_);
    }
    return s;
  }

  json capture(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    auto pods = candidates(*c.client);
    std::size_t n = how_many(pods.size());
    if (n > static_cast<std::size_t>(c.max_pods)) {
      throw FaultError("kube.pod-kill would delete " + std::to_string(n) +
                       " pods at once, more than integrations.kubernetes.maxPods (" +
                       std::to_string(c.max_pods) + ")");
    }
    json names = json::array();
    for (const auto& p : pods) names.push_back(p["metadata"]["name"]);
    return {{"matching_pods", names}};
  }

  void inject(const FaultContext& context) override {
    auto c = kube::connect(context, namespace_);
    const auto end = std::chrono::steady_clock::now() + duration_;
    for (;;) {
      kill_round(context, c);
      if (interval_ <= Duration::zero() || context.dry_run) return;
      auto next = std::chrono::steady_clock::now() + interval_;
      if (next > end) return;
      std::this_thread::sleep_until(next);
    }
  }

  void revert(const FaultContext&) override {}

 private:
  std::string trimmed_percent() const {
    std::string s = std::to_string(*percent_);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }

  std::vector<json> candidates(clients::KubeClient& client) const {
    clients::KubeListOptions options;
    options.label_selector = selector_;
    options.field_selector = field_selector_;
    auto pods = kube::api("listing pods " + selector_ + " in namespace " + namespace_, [&] {
      return client.list(clients::core_resource("pods", namespace_), options);
    });
    std::erase_if(pods, [](const json& p) { return kube::pod_terminating(p); });
    return pods;
  }

  std::size_t how_many(std::size_t matching) const {
    if (!percent_) return std::min<std::size_t>(matching, static_cast<std::size_t>(count_));
    return static_cast<std::size_t>(std::ceil(static_cast<double>(matching) * *percent_ / 100.0));
  }

  void kill_round(const FaultContext& context, kube::Connection& c) const {
    auto pods = candidates(*c.client);
    if (pods.empty()) {
      throw FaultError("no pod matches " + selector_ + " in namespace " + namespace_);
    }
    std::size_t n = how_many(pods.size());
    if (n > static_cast<std::size_t>(c.max_pods)) {
      throw FaultError("kube.pod-kill would delete " + std::to_string(n) +
                       " pods at once, more than integrations.kubernetes.maxPods (" +
                       std::to_string(c.max_pods) + ")");
    }
    std::shuffle(pods.begin(), pods.end(), std::mt19937(std::random_device{}()));
    pods.resize(n);
    if (context.dry_run) {
      std::vector<std::string> lines;
      for (const auto& p : pods) {
        lines.push_back("would delete pod " + namespace_ + "/" +
                        p["metadata"]["name"].get<std::string>() + " (gracePeriodSeconds " +
                        std::to_string(grace_seconds_) + ")");
      }
      kube::dry_run_report(context, lines);
      return;
    }
    for (const auto& p : pods) {
      std::string name = p["metadata"]["name"];
      kube::api("deleting pod " + namespace_ + "/" + name, [&] {
        return c.client->remove(clients::core_resource("pods", namespace_, name), grace_seconds_);
      });
    }
  }

  std::string namespace_;
  std::string selector_;
  std::string field_selector_;
  int64_t grace_seconds_ = 0;
  int64_t count_ = 1;
  std::optional<double> percent_;
  Duration interval_{0};
  Duration duration_{0};
};

}  // namespace

FaultKind kube_pod_kill_fault_kind() {
  using common::FieldSpec;
  return {"kube.pod-kill",
          "Deletes pods picked at random by label selector; their controllers replace them",
          {{
              kube::namespace_field(),
              FieldSpec{"selector",
                        FieldType::String,
                        true,
                        "label selector of the pods, like app=checkout",
                        {},
                        {}},
              FieldSpec{"fieldSelector",
                        FieldType::String,
                        false,
                        "field selector to narrow them, like spec.nodeName=ip-10-0-1-5",
                        {},
                        {}},
              FieldSpec{"count", FieldType::Integer, false, "how many pods to delete", {}, 1},
              FieldSpec{"percent",
                        FieldType::Number,
                        false,
                        "instead of count: this share of the matching pods, rounded up",
                        {},
                        {}},
              FieldSpec{"gracePeriod",
                        FieldType::Duration,
                        false,
                        "gracePeriodSeconds of the delete; 0 kills at once",
                        {},
                        "0s"},
              FieldSpec{"interval",
                        FieldType::Duration,
                        false,
                        "kill again every interval (with duration)",
                        {},
                        {}},
              FieldSpec{"duration",
                        FieldType::Duration,
                        false,
                        "keep killing for this long (with interval)",
                        {},
                        {}},
          }},
          [](const common::Params& p, const nlohmann::json&) {
            return std::make_unique<KubePodKillFault>(p);
          },
          kube::check_integrations,
          nullptr,
          [](const common::Params& p) -> std::vector<clients::KubeAccess> {
            return {{"",
                     "pods",
                     {KubeVerb::List, KubeVerb::Delete},
                     p.at("namespace").get<std::string>(),
                     {}}};
          }};
}

}  // namespace firedrill::chaos
