#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clients/integrations.hpp"
#include "common/param_schema.hpp"
#include "loadgen/load_config.hpp"
#include "local/local_services.hpp"
#include "validators/check_window.hpp"

namespace firedrill::scenarios {

using common::Duration;

// Where something was written: every error about a drill file names it.
struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based
  int column = 0;
};

struct Metadata {
  std::string name;
  std::string description;
  std::map<std::string, std::string> labels;
};

struct Target {
  std::string url;  // base URL; a profile request's `path` is resolved against it
  loadgen::Protocol protocol = loadgen::Protocol::Auto;
  loadgen::TlsOptions tls;
  std::vector<loadgen::Header> headers;
};

// A profile's load spread over an Indexed Job of `count` worker pods on Kubernetes, pod i
// running `firedrill load --shard i/count` (scenarios/worker_job_load.hpp).
struct WorkerSpec {
  uint32_t count = 0;
  std::string namespace_name;
  std::string image = "firedrill:latest";
  // Into the worker pods' spec as written: the container's resources, the pod's nodeSelector and
  // tolerations.
  nlohmann::json resources = nlohmann::json::object();
  nlohmann::json node_selector = nlohmann::json::object();
  nlohmann::json tolerations = nlohmann::json::array();
  // From the Job's creation to the instant every worker starts: time to pull the image and start.
  Duration startup_grace{std::chrono::seconds(60)};
};

// A named load profile: everything `firedrill load` can do except how long (a step says that).
struct LoadProfile {
  std::string name;
  loadgen::LoadConfig config;  // requests have absolute URLs; duration is 0
  SourceLocation at;
  std::optional<WorkerSpec> workers;  // none: the load runs in this process
};

struct CheckSpec {
  std::string kind;
  common::Params params;
  SourceLocation at;
};

struct FaultSpec {
  std::string kind;
  common::Params params;
  std::optional<Duration> for_duration;  // revert after this long instead of at the drill's end
  SourceLocation at;
};

enum class StepType { Load, Wait, Chaos, Validate };
using Window = validators::WindowKind;

struct Step {
  StepType type = StepType::Wait;
  std::string name;  // given, or derived ("load baseline", "validate #3")
  SourceLocation at;
  // load: the profile for `duration`, in the background while later steps run when asked
  std::string profile;
  bool background = false;
  Duration duration{0};  // load and wait
  // chaos
  FaultSpec fault;
  // validate
  Window window = Window::Eventually;
  Duration window_length{0};
  Duration interval{std::chrono::seconds(2)};  // time between polls
  std::vector<CheckSpec> checks;
};

enum class ThresholdOp { Less, LessEqual, Greater, GreaterEqual };

// k6-style: `http.latency.p99: "< 500ms"`, `http.errors.rate: "< 1%"`, `http.rps: ">= 900"`.
struct Threshold {
  std::string metric;
  std::string expression;  // as written
  ThresholdOp op = ThresholdOp::Less;
  double value = 0;     // base unit: seconds, ratio (1% = 0.01), requests/s, count
  std::string profile;  // empty: all load of the drill
  bool abort_on_fail = false;
  SourceLocation at;
};

struct Drill {
  std::string file;
  Metadata metadata;
  Target target;
  // The remote integrations, checked; their block (receiver and serviceMetrics included) as
  // written.
  clients::Integrations integrations;
  std::vector<local::ServiceSpec> services;          // started before the first step, in order
  std::map<std::string, SourceLocation> service_at;  // by service name: where it was declared
  std::map<std::string, LoadProfile> load;
  std::vector<Step> steps;
  std::vector<Threshold> thresholds;
};

}  // namespace firedrill::scenarios
