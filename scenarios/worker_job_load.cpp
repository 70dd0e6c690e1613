#include "scenarios/worker_job_load.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "chaos/kube_fault_support.hpp"
#include "common/errors.hpp"
#include "common/secret_values.hpp"
#include "common/units.hpp"
#include "loadgen/load_result_json.hpp"
#include "loadgen/load_result_merge.hpp"
#include "loadgen/load_result_redaction.hpp"

namespace firedrill::scenarios {

namespace {

using clients::KubeVerb;
using nlohmann::json;

// The label that ties a Job's pods to it, whatever the cluster's version calls its own.
constexpr const char* kLoadJobLabel = "firedrill.io/load-job";
constexpr const char* kIndexAnnotation = "batch.kubernetes.io/job-completion-index";
constexpr const char* kContainer = "firedrill";
// After the load should have ended: time for the last worker to finish, print and exit.
constexpr auto kReportGrace = std::chrono::seconds(60);
constexpr auto kPollInterval = std::chrono::seconds(1);

// Why a pod that failed did: its container's termination, or the pod's reason (Evicted).
std::string failure_of(const json& pod) {
  const json& status = pod.value("status", json::object());
  for (const auto& c : status.value("containerStatuses", json::array())) {
    const json terminated = c.value("state", json::object()).value("terminated", json());
    if (terminated.is_object()) {
      return fmt::format("{} (exit code {})", terminated.value("reason", "terminated"),
                         terminated.value("exitCode", -1));
    }
  }
  std::string why = status.value("reason", "failed");
  if (status.contains("message")) why += ": " + status.value("message", "");
  return why;
}

// The one line of a worker's log that is its result (`--output -` prints it as one line; the
// summary beside it goes to standard error, in the same log).
std::optional<loadgen::LoadResult> result_in(const std::string& log) {
  std::istringstream lines(log);
  std::optional<loadgen::LoadResult> found;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with('{')) continue;
    try {
      found = loadgen::load_result_from_json(json::parse(line));
    } catch (const std::exception&) {
      // Not the result: a log line of another kind that starts with a brace.
    }
  }
  return found;
}

// Keeps a worker's result as `dir`/POD.json, the evidence `firedrill merge` can merge again, with
// secrets shown as every report shows them. Best effort: the merged result, not these files, is
// what the drill judges.
void keep_result(const std::filesystem::path& dir, const std::string& pod,
                 loadgen::LoadResult result) {
  const std::string file = chaos::kube::label_value(pod);
  if (file.empty()) return;
  loadgen::redact_load(result, common::secret_values());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream(dir / (file + ".json")) << loadgen::to_json(result).dump() << "\n";
}

// Deletes the Job and its pods when the load is over, however it ended.
class JobDeletion {
 public:
  JobDeletion(clients::KubeClient& client, clients::KubeResource job)
      : client_(client), job_(std::move(job)) {}
  ~JobDeletion() {
    try {
      client_.remove(job_, 0, "Background");
    } catch (const std::exception&) {
      // Its activeDeadlineSeconds and ttlSecondsAfterFinished end it, and `firedrill cleanup`
      // finds it by its labels.
    }
  }
  JobDeletion(const JobDeletion&) = delete;
  JobDeletion& operator=(const JobDeletion&) = delete;

 private:
  clients::KubeClient& client_;
  clients::KubeResource job_;
};

}  // namespace

std::vector<std::string> worker_arguments(const loadgen::LoadConfig& c, uint32_t count,
                                          common::WallClock::time_point start_at) {
  const std::pair<const char*, std::string> flags[] = {
      {"--shard", "$(JOB_COMPLETION_INDEX)/" + std::to_string(count)},
      {"--start-at", common::format_rfc3339(start_at)},
      {"--protocol", loadgen::protocol_name(c.protocol)},
      {"--connections", std::to_string(c.connections)},
      {"--streams", std::to_string(c.streams)},
      {"--duration", common::format_duration(c.duration)},
      {"--warmup", common::format_duration(c.warmup)},
      {"--timeout", common::format_duration(c.timeout)},
      {"--connect-timeout", common::format_duration(c.connect_timeout)},
      {"--seed", std::to_string(c.seed)}};
  std::vector<std::string> args = {"load", "--quiet", "--output", "-"};
  for (const auto& [flag, value] : flags) args.insert(args.end(), {flag, value});
  if (c.threads > 0) args.insert(args.end(), {"--threads", std::to_string(c.threads)});
  if (c.open_loop()) {
    args.insert(args.end(), {"--rate", fmt::format("{}/s", *c.start_rate)});
    if (!c.stages.empty()) {
      std::string stages;
      for (const auto& s : c.stages) {
        stages += (stages.empty() ? "" : ",") + common::format_duration(s.duration) + ":" +
                  fmt::format("{}/s", s.target_rps);
      }
      args.insert(args.end(), {"--stages", stages});
    }
    if (c.max_queue > 0) args.insert(args.end(), {"--max-queue", std::to_string(c.max_queue)});
    args.insert(args.end(), {"--arrival", loadgen::arrival_name(c.arrival), "--pacer",
                             loadgen::pacer_name(c.pacer)});
  }
  if (c.tls.insecure) args.push_back("--insecure");
  if (!c.tls.sni.empty()) args.insert(args.end(), {"--sni", c.tls.sni});
  // The profile's reader allows workers one method and body for every request (an even mix).
  args.insert(args.end(), {"--method", c.requests.front().method});
  if (!c.requests.front().body.empty()) {
    args.insert(args.end(), {"--body", c.requests.front().body});
  }
  for (const auto& r : c.requests) args.push_back(r.url);
  return args;
}

json worker_job(const std::string& name, const WorkerSpec& workers,
                const std::vector<std::string>& args, const json& labels,
                common::Duration deadline) {
  json pod_labels = labels;
  pod_labels[kLoadJobLabel] = name;
  json container = {{"name", kContainer},
                    {"image", workers.image},
                    {"args", args},
                    {"securityContext",
                     {{"allowPrivilegeEscalation", false},
                      {"readOnlyRootFilesystem", true},
                      {"capabilities", {{"drop", {"ALL"}}}}}}};
  if (!workers.resources.empty()) container["resources"] = workers.resources;
  json pod_spec = {{"restartPolicy", "Never"},
                   {"automountServiceAccountToken", false},
                   {"securityContext",
                    {{"runAsNonRoot", true},
                     {"runAsUser", 65532},
                     {"runAsGroup", 65532},
                     {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
                   {"containers", json::array({container})}};
  if (!workers.node_selector.empty()) pod_spec["nodeSelector"] = workers.node_selector;
  if (!workers.tolerations.empty()) pod_spec["tolerations"] = workers.tolerations;
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", name}, {"namespace", workers.namespace_name}, {"labels", labels}}},
          {"spec",
           {{"completionMode", "Indexed"},
            {"completions", workers.count},
            {"parallelism", workers.count},
            {"backoffLimit", 0},
            {"activeDeadlineSeconds", std::chrono::ceil<std::chrono::seconds>(deadline).count()},
            {"ttlSecondsAfterFinished", 600},
            {"template", {{"metadata", {{"labels", pod_labels}}}, {"spec", pod_spec}}}}}};
}

std::filesystem::path worker_results_dir(const std::filesystem::path& work_dir, size_t step,
                                         const std::string& profile) {
  // A label value has no slash and starts with a letter or digit: never a path of its own.
  return work_dir / "workers" / (std::to_string(step) + "-" + chaos::kube::label_value(profile));
}

clients::KubeResource worker_jobs(const std::string& ns, const std::string& name) {
  return {"batch", "v1", "jobs", ns, name, {}};
}

std::vector<clients::KubeAccess> worker_kube_access(const WorkerSpec& workers) {
  const std::string& ns = workers.namespace_name;
  return {{"batch",
           "jobs",
           {KubeVerb::Create, KubeVerb::Get, KubeVerb::List, KubeVerb::Delete},
           ns,
           {}},
          {"", "pods", {KubeVerb::List}, ns, {}},
          {"", "pods/log", {KubeVerb::Get}, ns, {}}};
}

WorkerJobLoad::WorkerJobLoad(loadgen::LoadConfig config, WorkerSpec workers,
                             const clients::Integrations& integrations, json labels,
                             std::filesystem::path reports_dir)
    : config_(std::move(config)),
      workers_(std::move(workers)),
      integrations_(integrations),
      labels_(std::move(labels)),
      reports_dir_(std::move(reports_dir)) {}

bool WorkerJobLoad::sleep_for(common::Duration d) const {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (stop_requested_.load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return !stop_requested_.load();
}

std::vector<std::string> WorkerJobLoad::wait_for_workers(clients::KubeClient& client,
                                                         const std::string& job,
                                                         common::WallClock::time_point report_by) {
  const uint32_t n = workers_.count;
  std::map<uint32_t, std::string> seen;  // the pod of each index, once it has one
  clients::KubeListOptions options;
  options.label_selector = std::string(kLoadJobLabel) + "=" + job;
  for (;;) {
    const auto pods = client.list(clients::core_resource("pods", workers_.namespace_name), options);
    std::map<uint32_t, std::string> present, succeeded;
    for (const auto& pod : pods) {
      const json& meta = pod.at("metadata");
      const std::string name = meta.value("name", "");
      const std::string index_text =
          meta.value("annotations", json::object()).value(kIndexAnnotation, "");
      uint32_t index = 0;
      try {
        index = static_cast<uint32_t>(std::stoul(index_text));
      } catch (const std::exception&) {
        continue;  // not one of the Job's indexed pods
      }
      const std::string shard = fmt::format("{}/{}", index, n);
      const std::string phase = pod.value("status", json::object()).value("phase", "");
      if (phase == "Failed") {
        incomplete_ = fmt::format("worker {} (shard {}) failed: {}", name, shard, failure_of(pod));
        return {};
      }
      present[index] = name;
      seen[index] = name;
      if (phase == "Succeeded") succeeded[index] = name;
    }
    for (const auto& [index, name] : seen) {
      if (!present.contains(index)) {
        incomplete_ = fmt::format(
            "worker {} (shard {}/{}) was deleted or evicted before it "
            "reported",
            name, index, n);
        return {};
      }
    }
    if (succeeded.size() == n) {
      std::vector<std::string> names;
      for (const auto& [index, name] : succeeded) names.push_back(name);
      return names;
    }
    if (common::WallClock::now() > report_by) {
      std::string missing;
      for (uint32_t i = 0; i < n; ++i) {
        if (succeeded.contains(i)) continue;
        missing += (missing.empty() ? "" : ", ") +
                   (present.contains(i) ? present[i] : fmt::format("shard {}/{} (no pod)", i, n));
      }
      incomplete_ = "workers had not reported when the load should have ended: " + missing;
      return {};
    }
    if (!sleep_for(kPollInterval)) {
      incomplete_ = "the load was stopped before its workers reported";
      return {};
    }
  }
}

loadgen::LoadResult WorkerJobLoad::run(const OnSecond&) {
  loadgen::LoadResult result;
  result.config = config_;
  std::unique_ptr<clients::KubeClient> client;
  try {
    // `firedrill cleanup` looks for what a run left in the allowed namespaces only.
    chaos::kube::check_namespace_allowed(workers_.namespace_name, integrations_.kubernetes);
    client = integrations_.kube_client();
  } catch (const std::exception& e) {
    incomplete_ = std::string("no Kubernetes client for the workers: ") + e.what();
    return result;
  }
  const auto start_at = common::WallClock::now() + workers_.startup_grace;
  const common::Duration load_length = config_.warmup + config_.duration;
  const std::string name = chaos::kube::generated_name("firedrill-load");
  const json job = worker_job(name, workers_, worker_arguments(config_, workers_.count, start_at),
                              labels_, workers_.startup_grace + load_length + kReportGrace);
  try {
    client->create(worker_jobs(workers_.namespace_name), job);
  } catch (const std::exception& e) {
    incomplete_ = std::string("cannot create the worker Job: ") + e.what();
    return result;
  }
  JobDeletion deletion(*client, worker_jobs(workers_.namespace_name, name));
  std::vector<loadgen::NamedResult> parts;
  try {
    const std::vector<std::string> pods =
        wait_for_workers(*client, name, start_at + load_length + kReportGrace);
    for (const auto& pod : pods) {
      clients::KubeLogOptions log;
      log.container = kContainer;
      log.limit_bytes = 64 * 1024 * 1024;
      auto part = result_in(client->logs(workers_.namespace_name, pod, log));
      if (!part) {
        incomplete_ = "worker " + pod + " ended without printing its result";
        return result;
      }
      keep_result(reports_dir_, pod, *part);
      parts.push_back({pod, std::move(*part)});
    }
  } catch (const std::exception& e) {
    incomplete_ = std::string("watching the workers: ") + e.what();
    return result;
  }
  if (parts.empty()) return result;
  try {
    loadgen::LoadResult merged = loadgen::merge_results(parts);
    // The intended load as the drill gave it (a worker's result keeps no header or body).
    const uint32_t threads = merged.config.threads;
    merged.config = config_;
    merged.config.threads = threads;
    return merged;
  } catch (const common::ValueError& e) {
    incomplete_ = std::string("the workers' results do not merge: ") + e.what();
    return result;
  }
}

}  // namespace firedrill::scenarios
