#pragma once
#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clients/integrations.hpp"
#include "clients/kube_access.hpp"
#include "scenarios/drill.hpp"
#include "scenarios/load_driver.hpp"

namespace firedrill::scenarios {

// A profile's load spread over an Indexed Job of worker pods (WorkerSpec): pod i runs
// `firedrill load --shard i/N --start-at T ... --output -`, every pod from one instant after the
// start-up grace. The load's result is the workers' results, read through the pod log API and
// merged exactly (loadgen/load_result_merge.hpp), so that thresholds judge the whole load. A
// worker that fails, is evicted or deleted, or has not reported a minute after the load should
// have ended makes the load incomplete: never a pass on part of it. The Job goes when run()
// returns; after a crash, `firedrill cleanup` finds it by its labels (`labels`: the run's and the
// drill's), and else it ends by its deadline.
class WorkerJobLoad final : public LoadDriver {
 public:
  // Each worker's result is kept in `reports_dir` as POD.json.
  WorkerJobLoad(loadgen::LoadConfig config, WorkerSpec workers,
                const clients::Integrations& integrations, nlohmann::json labels,
                std::filesystem::path reports_dir);
  loadgen::LoadResult run(const OnSecond& on_second) override;
  void stop() override { stop_requested_.store(true); }
  std::string incomplete() const override { return incomplete_; }

 private:
  // Waits for every worker to succeed; the pod name of each, by index, or empty (incomplete_
  // says why) when one will not.
  std::vector<std::string> wait_for_workers(clients::KubeClient& client, const std::string& job,
                                            common::WallClock::time_point report_by);
  // Sleeps up to `d`, waking for stop(): false when stopped.
  bool sleep_for(common::Duration d) const;

  loadgen::LoadConfig config_;
  WorkerSpec workers_;
  const clients::Integrations& integrations_;
  nlohmann::json labels_;
  std::filesystem::path reports_dir_;
  std::atomic<bool> stop_requested_{false};
  std::string incomplete_;
};

// The `firedrill load` arguments of the workers of `config` (its duration included), split in
// `count` shards that start at `start_at`: `$(JOB_COMPLETION_INDEX)`, which the kubelet expands
// from the variable the Job controller sets, names each one's shard.
std::vector<std::string> worker_arguments(const loadgen::LoadConfig& config, uint32_t count,
                                          common::WallClock::time_point start_at);

// The Indexed Job of `workers` pods named `name` running firedrill with `args`, never retried
// (a shard sent twice would not be the load asked for), ended after `deadline`, its pods
// restricted (non-root, read-only root filesystem, no capabilities, no service account token).
nlohmann::json worker_job(const std::string& name, const WorkerSpec& workers,
                          const std::vector<std::string>& args, const nlohmann::json& labels,
                          common::Duration deadline);

// Where the workers of the `step`-th load step of a run (1-based), of profile `profile`, keep
// their results: WORK_DIR/workers/STEP-PROFILE, the profile's name made safe for a path.
std::filesystem::path worker_results_dir(const std::filesystem::path& work_dir, size_t step,
                                         const std::string& profile);

// The collection of the workers' Jobs in namespace `ns` (batch/v1 jobs).
clients::KubeResource worker_jobs(const std::string& ns, const std::string& name = {});

// What a load with `workers` asks of the Kubernetes API (for `firedrill rbac`): the Runner's
// calls, and jobs list for `firedrill cleanup`.
std::vector<clients::KubeAccess> worker_kube_access(const WorkerSpec& workers);

}  // namespace firedrill::scenarios
