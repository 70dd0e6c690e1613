#include <map>
#include <optional>
#include <set>

#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/kube_check_support.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr std::size_t kPodsInEvidence = 20;

// Pods by label selector, judged on their container statuses: a termination reason (OOMKilled,
// Error) after the fault, a waiting reason (ErrImagePull, ImagePullBackOff, CrashLoopBackOff)
// on a pod created or crashed after the fault, restarts added since the fault, a Ready count.
class KubePodCheck final : public Check {
 public:
  explicit KubePodCheck(const common::Params& p)
      : namespace_(p.at("namespace").get<std::string>()),
        selector_(p.at("selector").get<std::string>()),
        min_pods_(p.at("minPods").get<int64_t>()) {
    if (namespace_.empty()) throw ValueError("namespace: must not be empty");
    if (selector_.empty()) throw ValueError("selector: a label selector is required");
    if (p.contains("container")) container_ = p.at("container").get<std::string>();
    if (p.contains("terminated")) terminated_ = p.at("terminated").get<std::string>();
    if (p.contains("waiting")) waiting_ = p.at("waiting").get<std::string>();
    if (p.contains("restarts")) restarts_ = p.at("restarts").get<int64_t>();
    if (p.contains("ready")) ready_ = p.at("ready").get<int64_t>();
    if (!terminated_ && !waiting_ && !restarts_ && !ready_) {
      throw ValueError("terminated: give at least one of terminated, waiting, restarts or ready");
    }
    if (restarts_ && *restarts_ < 1) throw ValueError("restarts: must be at least 1");
    if (ready_ && *ready_ < 0) throw ValueError("ready: must be 0 or more");
    if (min_pods_ < 1) throw ValueError("minPods: must be at least 1");
  }

  std::string describe() const override {
    std::vector<std::string> parts;
    if (terminated_) parts.push_back("terminated " + *terminated_);
    if (waiting_) parts.push_back("waiting " + *waiting_);
    if (restarts_) parts.push_back("restarts +" + std::to_string(*restarts_));
    if (ready_) parts.push_back(std::to_string(*ready_) + " ready");
    std::string s;
    for (const auto& part : parts) s += (s.empty() ? "" : ", ") + part;
    return "pods " + selector_ + " in namespace " + namespace_ + ": " + s;
  }

  // The pods just before the fault: timestamps are whole seconds, so a pod or a termination of
  // the fault's second may be older than it; and restarts count from here.
  // A read that fails leaves no baseline: restarts then count from the first poll, never from an
  // earlier fault's.
  void note_baseline(const CheckContext& context) override {
    restart_baseline_.clear();
    pods_before_.clear();
    terminations_before_.clear();
    baseline_error_.clear();
    auto listed = list(context, baseline_error_);
    if (!listed) return;
    for (const auto& pod : *listed) {
      const std::string uid = kube::identity(pod);
      pods_before_.insert(uid);
      for (const auto& cs : pod.value("/status/containerStatuses"_json_pointer, json::array())) {
        const std::string key = uid + "/" + cs.value("name", "");
        restart_baseline_[key] = cs.value("restartCount", static_cast<int64_t>(0));
        for (const char* state : {"/lastState/terminated", "/state/terminated"}) {
          const json t = cs.value(json::json_pointer(state), json::object());
          if (!t.empty()) terminations_before_.insert(key + "/" + t.value("finishedAt", ""));
        }
      }
    }
  }

  Observation observe(const CheckContext& context) override {
    const auto since = alerting::detection_start(context);
    json evidence = {{"namespace", namespace_},
                     {"selector", selector_},
                     {"since", alerting::detection_start_evidence(context)}};
    if (!baseline_error_.empty()) {
      evidence["baseline_error"] = common::excerpt(baseline_error_, 300);
    }
    std::string list_error;
    auto listed = list(context, list_error);
    if (!listed) return alerting::inconclusive(list_error, evidence);
    const std::vector<json>& pods = *listed;

    int64_t terminated_fresh = 0, terminated_old = 0, waiting_fresh = 0, waiting_old = 0;
    int64_t ready = 0, restarts_since = 0;
    std::optional<WallClock::time_point> first_termination;
    json shown = json::array();
    for (const auto& pod : pods) {
      const std::string uid = kube::identity(pod);
      const bool created_since =
          kube::at_or_after(pod.value("/metadata/creationTimestamp"_json_pointer, std::string()),
                            since) &&
          !pods_before_.count(uid);
      if (kube::condition_true(pod, "Ready") &&
          !pod.contains("/metadata/deletionTimestamp"_json_pointer)) {
        ++ready;
      }
      bool pod_terminated_fresh = false, pod_terminated_old = false;
      bool pod_waiting_fresh = false, pod_waiting_old = false;
      json containers = json::array();
      for (const auto& cs : pod.value("/status/containerStatuses"_json_pointer, json::array())) {
        std::string name = cs.value("name", "");
        if (container_ && name != *container_) continue;
        const std::string key = uid + "/" + name;
        auto ended_since = [&](const json& t) {
          const std::string finished = t.value("finishedAt", "");
          return kube::at_or_after(finished, since) &&
                 !terminations_before_.count(key + "/" + finished);
        };
        const json last = cs.value("/lastState/terminated"_json_pointer, json::object());
        const json now_terminated = cs.value("/state/terminated"_json_pointer, json::object());
        std::string waiting = cs.value("/state/waiting/reason"_json_pointer, std::string());
        int64_t restart_count = cs.value("restartCount", static_cast<int64_t>(0));
        const bool crashed_since = !last.empty() && ended_since(last);

        for (const json* t : {&last, &now_terminated}) {
          if (!terminated_ || t->value("reason", "") != *terminated_) continue;
          std::string finished = t->value("finishedAt", "");
          if (ended_since(*t)) {
            pod_terminated_fresh = true;
            auto at = kube::parse_time(finished);
            if (at && (!first_termination || *at < *first_termination)) first_termination = at;
          } else {
            pod_terminated_old = true;
          }
        }
        if (waiting_ && waiting == *waiting_) {
          (created_since || crashed_since ? pod_waiting_fresh : pod_waiting_old) = true;
        }
        // Restarts count from just before the fault; for a container not seen then, from the
        // first poll, plus one that ended after the fault (so the count errs low).
        int64_t baseline =
            created_since ? 0 : std::max<int64_t>(0, restart_count - (crashed_since ? 1 : 0));
        auto it = restart_baseline_.emplace(key, baseline).first;
        restarts_since += std::max<int64_t>(0, restart_count - it->second);

        json c = {{"name", name}, {"restartCount", restart_count}};
        if (cs.contains("state")) c["state"] = cs["state"];
        if (!last.empty()) {
          c["lastTerminated"] = {{"reason", last.value("reason", "")},
                                 {"exitCode", last.value("exitCode", 0)},
                                 {"finishedAt", last.value("finishedAt", "")}};
        }
        containers.push_back(std::move(c));
      }
      terminated_fresh += pod_terminated_fresh;
      terminated_old += pod_terminated_old && !pod_terminated_fresh;
      waiting_fresh += pod_waiting_fresh;
      waiting_old += pod_waiting_old && !pod_waiting_fresh;
      if (shown.size() < kPodsInEvidence) {
        shown.push_back(
            {{"name", pod.value("/metadata/name"_json_pointer, std::string())},
             {"phase", pod.value("/status/phase"_json_pointer, std::string())},
             {"node", pod.value("/spec/nodeName"_json_pointer, std::string())},
             {"created", pod.value("/metadata/creationTimestamp"_json_pointer, std::string())},
             {"ready", kube::condition_true(pod, "Ready")},
             {"containers", containers}});
      }
    }
    evidence["pods"] = shown;
    evidence["matching_pods"] = pods.size();

    std::vector<std::string> failures, passes;
    if (terminated_) {
      evidence["terminated"] = {{"reason", *terminated_},
                                {"pods_since_fault", terminated_fresh},
                                {"pods_before_fault", terminated_old}};
      std::string what = std::to_string(terminated_fresh) + " pod(s) with a container terminated " +
                         *terminated_ + " since " + alerting::detection_start_text(context);
      if (terminated_fresh >= min_pods_) {
        passes.push_back(what);
        if (first_termination) {
          evidence["time_to_terminated_s"] = alerting::seconds_between(since, *first_termination);
        }
      } else {
        failures.push_back(what + (terminated_old ? " (" + std::to_string(terminated_old) +
                                                        " only before: pre-existing)"
                                                  : ""));
      }
    }
    if (waiting_) {
      evidence["waiting"] = {{"reason", *waiting_},
                             {"pods_since_fault", waiting_fresh},
                             {"pods_before_fault", waiting_old}};
      std::string what = std::to_string(waiting_fresh) + " pod(s) created or crashed since " +
                         alerting::detection_start_text(context) + " waiting in " + *waiting_;
      if (waiting_fresh >= min_pods_) {
        passes.push_back(what);
      } else {
        failures.push_back(what + (waiting_old ? " (" + std::to_string(waiting_old) +
                                                     " older pods wait so: pre-existing)"
                                               : ""));
      }
    }
    if (restarts_) {
      evidence["restarts_since_fault"] = restarts_since;
      std::string what = std::to_string(restarts_since) + " restart(s) since the fault, " +
                         std::to_string(*restarts_) + " needed";
      (restarts_since >= *restarts_ ? passes : failures).push_back(what);
    }
    if (ready_) {
      evidence["ready_pods"] = ready;
      std::string what =
          std::to_string(ready) + " pod(s) Ready, " + std::to_string(*ready_) + " needed";
      (ready >= *ready_ ? passes : failures).push_back(what);
    }

    Observation o;
    o.verdict = failures.empty() ? Verdict::Pass : Verdict::Fail;
    const auto& list = failures.empty() ? passes : failures;
    for (const auto& s : list) o.message += (o.message.empty() ? "" : "; ") + s;
    if (pods.empty()) o.message = "no pod matches " + selector_ + " in namespace " + namespace_;
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  std::optional<std::vector<json>> list(const CheckContext& context, std::string& error) {
    clients::KubeClient* client = slot_.get(context, &error);
    if (!client) return std::nullopt;
    return kube::list_or_error(*client, clients::core_resource("pods", namespace_),
                               kube::with_labels(selector_), error);
  }

  std::string namespace_;
  std::string selector_;
  int64_t min_pods_;
  std::optional<std::string> container_;
  std::optional<std::string> terminated_;
  std::optional<std::string> waiting_;
  std::optional<int64_t> restarts_;
  std::optional<int64_t> ready_;
  // Pod (uid, else name)/container -> its restarts just before the fault, or at the first poll.
  std::map<std::string, int64_t> restart_baseline_;
  // Just before the fault: the pods and their terminations (pod/container/finishedAt).
  std::set<std::string> pods_before_;
  std::set<std::string> terminations_before_;
  std::string baseline_error_;  // why the pods could not be read then
  kube::ClientSlot slot_;
};

}  // namespace

CheckKind kube_pod_check_kind() {
  using common::FieldSpec;
  return {
      "kube.pod",
      "Expects pods to show a termination or waiting reason, restarts or a Ready count",
      "a termination counts when its finishedAt is at or after the fault's second (the API "
      "server keeps whole seconds) and it was not there just before the fault; a waiting "
      "reason counts on pods created, or whose container last ended, after the fault; restarts "
      "count from just before the fault (for a container not seen then, from the first poll "
      "plus one that ended after the fault); ready is the current count, a recovery condition",
      {{
          kube::namespace_field(),
          FieldSpec{"selector", FieldType::String, true, "label selector of the pods", {}, {}},
          FieldSpec{
              "container", FieldType::String, false, "only this container; default: all", {}, {}},
          FieldSpec{"terminated",
                    FieldType::String,
                    false,
                    "a container's last termination reason",
                    {"OOMKilled", "Error", "Completed", "ContainerCannotRun", "DeadlineExceeded"},
                    {}},
          FieldSpec{"waiting",
                    FieldType::String,
                    false,
                    "a container's waiting reason",
                    {"ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff",
                     "CreateContainerConfigError", "InvalidImageName", "ContainerCreating"},
                    {}},
          FieldSpec{"restarts",
                    FieldType::Integer,
                    false,
                    "restarts added since the fault, over all matching pods",
                    {},
                    {}},
          FieldSpec{"ready", FieldType::Integer, false, "at least this many pods Ready", {}, {}},
          FieldSpec{"minPods",
                    FieldType::Integer,
                    false,
                    "how many pods must show terminated / waiting",
                    {},
                    1},
      }},
      [](const common::Params& p) { return std::make_unique<KubePodCheck>(p); },
      [](const common::Params& p) -> std::vector<clients::KubeAccess> {
        using clients::KubeVerb;
        return {{"", "pods", {KubeVerb::List}, p.at("namespace").get<std::string>(), {}}};
      }};
}

}  // namespace firedrill::validators
