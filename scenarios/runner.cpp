#include "scenarios/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "chaos/fault.hpp"
#include "chaos/kube_fault_support.hpp"
#include "chaos/revert_journal.hpp"
#include "common/secret_values.hpp"
#include "scenarios/drill_environment.hpp"
#include "scenarios/load_driver.hpp"
#include "scenarios/run_identity.hpp"
#include "scenarios/run_verdict.hpp"
#include "scenarios/threshold_evaluation.hpp"
#include "scenarios/worker_job_load.hpp"
#include "validators/check.hpp"
#include "validators/check_window.hpp"

namespace firedrill::scenarios {

namespace {

using SteadyClock = std::chrono::steady_clock;
using reporters::CheckResult;
using reporters::EventType;
using reporters::TimelineEvent;

constexpr auto kPumpInterval = std::chrono::milliseconds(100);

// A load profile running on its own thread for one load step.
struct RunningLoad {
  std::string profile;
  std::string step;
  double started_s = 0;
  std::unique_ptr<LoadDriver> driver;
  std::thread thread;
  std::atomic<bool> done{false};
  loadgen::LoadResult result;
  bool collected = false;
};

struct CheckSlot {
  std::unique_ptr<validators::Check> check;  // null when it could not be set up
  std::string description;
  std::string setup_error;
};

struct ActiveFault {
  std::string id;
  std::unique_ptr<chaos::Fault> fault;
  size_t result_index = 0;
  std::optional<SteadyClock::time_point> revert_at;
  bool reverted = false;
  std::string description;
};

// The state of one run; Runner::run builds it, drives the steps, and turns it into a RunResult.
class Run {
 public:
  Run(const Drill& drill, const RunOptions& options, std::atomic<bool>& interrupted,
      const std::atomic<int>& interrupt_signal, std::atomic<const char*>& reverting)
      : drill_(drill),
        options_(options),
        interrupted_(interrupted),
        interrupt_signal_(interrupt_signal),
        reverting_(reverting),
        environment_(drill, options.work_dir,
                     [this](EventType type, const std::string& name, const std::string& detail) {
                       event(type, name, detail);
                     }),
        fault_context_(environment_.fault_context(options.run_id, options.dry_run)) {}

  reporters::RunResult execute();

 private:
  double now_s() const {
    return std::chrono::duration<double>(SteadyClock::now() - start_).count();
  }
  void event(EventType type, const std::string& name, const std::string& detail,
             std::optional<double> at_s = std::nullopt);
  bool stopping() const { return interrupted_.load() || !abort_reason_.empty(); }
  // Sleeps until `until`, reverting faults whose `for` ran out and collecting finished loads.
  void pump_until(SteadyClock::time_point until);
  void housekeeping();

  void run_load_step(const Step& step);
  void run_chaos_step(const Step& step);
  void run_validate_step(std::size_t index);
  // Every check of every validate step, made before the first step so that each can note what
  // is already true at the drill start and before each fault (Check::note_baseline).
  void create_checks();
  void note_baselines(std::size_t after_step);
  validators::CheckContext check_context() const;
  void collect(RunningLoad& load);
  void stop_all_loads();
  void revert(ActiveFault& f);
  void check_abort_thresholds(const std::string& profile);
  // integrations.receiver and the `services:` block, before the first step. When one cannot
  // start, the run aborts (an infrastructure error) before any step changes anything.
  void start_local_parts();

  const Drill& drill_;
  const RunOptions& options_;
  std::atomic<bool>& interrupted_;
  const std::atomic<int>& interrupt_signal_;
  std::atomic<const char*>& reverting_;
  // Records one journal entry. When the journal cannot be written the run stops (no fault may
  // be injected unrecorded) and goes on reverting from memory: exit 3, or 4 if a revert fails.
  template <typename Record>
  void journal(Record record);
  void journal_failed(const std::string& why);
  // The interpolated values in the faults' parameters and the integrations: all that a later
  // `firedrill revert` could show, so all the journal keeps beyond what it needs to revert.
  std::vector<common::SecretValues::Secret> secrets_a_revert_can_show() const;

  std::optional<chaos::RevertJournal> journal_;
  std::string journal_error_;
  DrillEnvironment environment_;
  chaos::FaultContext fault_context_;
  SteadyClock::time_point start_ = SteadyClock::now();
  std::chrono::system_clock::time_point wall_start_ = std::chrono::system_clock::now();
  std::optional<SteadyClock::time_point> last_fault_;
  std::optional<std::chrono::system_clock::time_point> last_fault_wall_;
  std::vector<std::unique_ptr<RunningLoad>> loads_;
  size_t load_steps_started_ = 0;
  std::vector<ActiveFault> faults_;
  std::string abort_reason_;
  bool infrastructure_error_ = false;
  reporters::RunResult result_;
  std::mutex observer_mutex_;  // load observers are called from the loads' threads
  std::map<std::size_t, std::vector<CheckSlot>> checks_;  // by validate step index
  std::size_t step_index_ = 0;
};

void Run::start_local_parts() {
  try {
    environment_.start(&interrupted_);
    fault_context_ = environment_.fault_context(options_.run_id, options_.dry_run);
  } catch (const std::exception& e) {
    abort_reason_ = std::string("could not start the drill's local parts: ") + e.what();
    infrastructure_error_ = true;
    event(EventType::Aborted, drill_.metadata.name, abort_reason_);
  }
}

void Run::event(EventType type, const std::string& name, const std::string& detail,
                std::optional<double> at_s) {
  TimelineEvent e{at_s.value_or(now_s()), type, name, detail};
  // An event dated back (a detection, known once its window settles) keeps the timeline ordered.
  auto later =
      std::upper_bound(result_.timeline.begin(), result_.timeline.end(), e.at_s,
                       [](double t, const TimelineEvent& other) { return t < other.at_s; });
  result_.timeline.insert(later, e);
  std::lock_guard lock(observer_mutex_);
  for (auto* o : options_.observers) o->on_event(e);
}

void Run::housekeeping() {
  auto now = SteadyClock::now();
  for (auto& f : faults_) {
    if (!f.reverted && f.revert_at && now >= *f.revert_at) revert(f);
  }
  for (auto& load : loads_) {
    if (load->done.load() && !load->collected) collect(*load);
  }
}

void Run::pump_until(SteadyClock::time_point until) {
  while (!stopping()) {
    housekeeping();
    auto now = SteadyClock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(std::min<SteadyClock::duration>(kPumpInterval, until - now));
  }
}

void Run::collect(RunningLoad& load) {
  load.thread.join();
  load.collected = true;
  // Thresholds on part of a load would judge a load nobody asked for.
  if (std::string why = load.driver->incomplete(); !why.empty() && abort_reason_.empty()) {
    abort_reason_ = "load profile " + load.profile + " is incomplete: " + why;
    infrastructure_error_ = true;
    event(EventType::LoadEnd, load.step, abort_reason_);
    return;
  }
  result_.loads.push_back({load.profile, load.step, load.started_s, std::move(load.result)});
  const auto& stats = result_.loads.back().result.stats;
  event(EventType::LoadEnd, load.step,
        fmt::format("{}: {} requests, {} errors", load.profile, stats.completed(),
                    stats.failed + stats.errored));
  check_abort_thresholds(load.profile);
}

void Run::check_abort_thresholds(const std::string& profile) {
  for (const auto& t : drill_.thresholds) {
    if (!t.abort_on_fail || (!t.profile.empty() && t.profile != profile)) continue;
    reporters::ThresholdResult r = evaluate_threshold(t, result_.loads);
    if (!r.passed && abort_reason_.empty()) {
      abort_reason_ = fmt::format("threshold {} {} failed (observed {})", t.metric, t.expression,
                                  r.observed_text);
      event(EventType::ThresholdFailed, t.metric, abort_reason_);
    }
  }
}

void Run::run_load_step(const Step& step) {
  const LoadProfile& profile = drill_.load.at(step.profile);
  loadgen::LoadConfig config = profile.config;
  config.duration = step.duration;
  if (profile.workers && options_.dry_run) {
    // Creating the workers' Job would change the cluster, which a dry run never does.
    event(EventType::DryRun, step.name,
          fmt::format("would create an Indexed Job of {} firedrill load workers in namespace {}",
                      profile.workers->count, profile.workers->namespace_name));
    return;
  }
  ++load_steps_started_;
  auto load = std::make_unique<RunningLoad>();
  load->profile = step.profile;
  load->step = step.name;
  load->started_s = now_s();
  try {
    if (profile.workers) {
      load->driver = std::make_unique<WorkerJobLoad>(
          config, *profile.workers, drill_.integrations,
          chaos::kube::created_labels(fault_context_, "load." + step.profile),
          worker_results_dir(options_.work_dir, load_steps_started_, step.profile));
    } else {
      load->driver = std::make_unique<LocalLoad>(config);
    }
  } catch (const std::exception& e) {
    abort_reason_ = "load profile " + step.profile + ": " + e.what();
    infrastructure_error_ = true;
    return;
  }
  RunningLoad* raw = load.get();
  load->thread = std::thread([this, raw] {
    raw->result = raw->driver->run([this, raw](const loadgen::TimeSeriesPoint& p) {
      std::lock_guard lock(observer_mutex_);
      for (auto* o : options_.observers) o->on_load_second(raw->profile, p);
    });
    raw->done.store(true);
  });
  loads_.push_back(std::move(load));
  if (step.background) return;
  const auto step_end = SteadyClock::now() + step.duration;
  while (!raw->done.load() && !stopping()) pump_until(SteadyClock::now() + kPumpInterval);
  if (!raw->done.load()) raw->driver->stop();
  if (!raw->collected) collect(*raw);
  // A load can end early (its target refuses every connection); the step still takes its time,
  // as the drill's schedule says, and a `for:` that fault_overlap allowed counts on it.
  pump_until(step_end);
}

void Run::run_chaos_step(const Step& step) {
  const chaos::FaultKind* kind = chaos::find_fault_kind(step.fault.kind);
  reporters::FaultResult fr;
  fr.step = step.name;
  fr.kind = step.fault.kind;
  // A `for:` that ended during the previous step is reverted before the next fault: faults on
  // one target are right only when reverted last first (see scenarios/fault_overlap.hpp).
  housekeeping();
  ActiveFault active;
  active.id = fmt::format("fault-{}", faults_.size() + 1);
  fault_context_.note = [this, kind = step.fault.kind](const std::string& line) {
    event(EventType::DryRun, kind, line);
  };
  // What is active just before the fault is what no check may count as detected. Taking it can
  // be slow while monitoring is down: a Ctrl-C meanwhile must not be followed by the fault.
  note_baselines(step_index_ + 1);
  if (stopping()) return;
  try {
    active.fault = kind->create(step.fault.params, nullptr);
    fr.description = active.fault->describe();
    // What a signal handler prints while this fault is reverted: nothing secret in it.
    active.description = common::secret_values().redact(fr.description);
    nlohmann::json captured = active.fault->capture(fault_context_);
    journal_->record_intent(active.id, step.fault.kind, step.fault.params, captured);
  } catch (const chaos::JournalError& e) {
    fr.error = std::string("not injected: the revert journal cannot be written: ") + e.what();
    result_.faults.push_back(fr);
    journal_failed(e.what());
    return;
  } catch (const std::exception& e) {
    fr.error = e.what();
    result_.faults.push_back(fr);
    abort_reason_ = "fault " + step.fault.kind + " could not be prepared: " + e.what();
    infrastructure_error_ = true;
    return;
  }
  // The fault's moment is when injecting began, not when it returned: its first effects (a
  // Killing event, a restart) come while inject() still waits on a response or the journal,
  // and a check must not take them for what was already true before.
  const SteadyClock::time_point began = SteadyClock::now();
  const std::chrono::system_clock::time_point began_wall = std::chrono::system_clock::now();
  fr.injected_s = std::chrono::duration<double>(began - start_).count();
  active.result_index = result_.faults.size();
  result_.faults.push_back(fr);
  try {
    active.fault->inject(fault_context_);
  } catch (const std::exception& e) {
    result_.faults[active.result_index].error = e.what();
    event(EventType::FaultFailed, step.fault.kind, e.what());
    abort_reason_ = "fault " + step.fault.kind + " failed: " + e.what();
    infrastructure_error_ = true;
    // A half-applied fault is still reverted: revert() is safe to call on anything inject did.
    faults_.push_back(std::move(active));
    return;
  }
  journal([&] { journal_->record_injected(active.id); });
  last_fault_ = began;
  last_fault_wall_ = began_wall;
  // `for` is how long the fault stands once in place: a drain that took a minute still lasts it.
  if (step.fault.for_duration) active.revert_at = SteadyClock::now() + *step.fault.for_duration;
  event(EventType::FaultInjected, step.fault.kind, fr.description, fr.injected_s);
  faults_.push_back(std::move(active));
}

void Run::revert(ActiveFault& f) {
  f.reverted = true;
  reverting_.store(f.description.c_str());
  reporters::FaultResult& fr = result_.faults[f.result_index];
  try {
    f.fault->revert(fault_context_);
  } catch (const std::exception& e) {
    const std::string error = e.what();
    journal([&] { journal_->record_revert_failed(f.id, error); });
    fr.revert_failed = true;
    fr.error = e.what();
    event(EventType::FaultRevertFailed, fr.kind, e.what());
    reverting_.store(nullptr);
    return;
  }
  journal([&] { journal_->record_reverted(f.id); });
  fr.reverted_s = now_s();
  event(EventType::FaultReverted, fr.kind, fr.description);
  reverting_.store(nullptr);
}

template <typename Record>
void Run::journal(Record record) {
  if (!journal_) return;
  try {
    record();
  } catch (const chaos::JournalError& e) {
    journal_failed(e.what());
  }
}

std::vector<common::SecretValues::Secret> Run::secrets_a_revert_can_show() const {
  auto text = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::string reachable = text(drill_.integrations.block());
  for (const auto& step : drill_.steps) {
    if (step.type == StepType::Chaos) reachable += text(step.fault.params);
  }
  std::vector<common::SecretValues::Secret> kept;
  for (auto& s : common::secret_values().added()) {
    if (reachable.find(common::json_escaped(s.value)) != std::string::npos) {
      kept.push_back(std::move(s));
    }
  }
  return kept;
}

void Run::journal_failed(const std::string& why) {
  if (!journal_error_.empty()) return;
  journal_error_ = why;
  abort_reason_ =
      "the revert journal cannot be written (" + why + "): stopping, and reverting from memory";
  infrastructure_error_ = true;
  event(EventType::JournalFailed, options_.journal_path, abort_reason_);
}

void Run::create_checks() {
  for (std::size_t s = 0; s < drill_.steps.size(); ++s) {
    const Step& step = drill_.steps[s];
    if (step.type != StepType::Validate) continue;
    auto& slots = checks_[s];
    for (const auto& spec : step.checks) {
      CheckSlot slot;
      try {
        slot.check = validators::find_check_kind(spec.kind)->create(spec.params);
        slot.description = slot.check->describe();
      } catch (const std::exception& e) {
        slot.setup_error = std::string("cannot set up the check: ") + e.what();
      }
      slots.push_back(std::move(slot));
    }
  }
}

validators::CheckContext Run::check_context() const {
  return environment_.check_context(wall_start_, last_fault_wall_);
}

void Run::note_baselines(std::size_t after_step) {
  const validators::CheckContext context = check_context();
  for (auto& [step, slots] : checks_) {
    if (step < after_step) continue;
    for (auto& slot : slots) {
      if (!slot.check) continue;
      try {
        slot.check->note_baseline(context);
      } catch (const std::exception&) {
        // A check that cannot take its baseline says so at its polls.
      }
    }
  }
}

void Run::run_validate_step(std::size_t index) {
  const Step& step = drill_.steps[index];
  double window_s = std::chrono::duration<double>(step.window_length).count();
  std::vector<CheckSlot>& slots = checks_[index];
  const size_t first = result_.checks.size();
  for (size_t i = 0; i < slots.size(); ++i) {
    CheckResult r;
    r.step = step.name;
    r.kind = step.checks[i].kind;
    r.window = window_kind(step.window);
    r.window_s = window_s;
    r.started_s = now_s();
    r.description = slots[i].description;
    result_.checks.push_back(r);
  }
  const auto deadline = SteadyClock::now() + step.window_length;
  const validators::CheckContext context = check_context();
  validators::CheckWindow window(step.window, slots.size(), last_fault_);
  auto publish = [&] {
    for (size_t i = 0; i < slots.size(); ++i) {
      record_window_check(window.checks()[i], now_s(), result_.checks[first + i]);
    }
  };
  while (!window.settled() && !stopping()) {
    const auto poll_start = SteadyClock::now();
    std::vector<validators::Observation> poll;
    for (auto& slot : slots) {
      validators::Observation obs;
      if (!slot.check) {
        obs = {validators::Verdict::Inconclusive, slot.setup_error, nlohmann::json::object()};
      } else {
        try {
          obs = slot.check->observe(context);
        } catch (const std::exception& e) {
          obs = {validators::Verdict::Inconclusive, e.what(), nlohmann::json::object()};
        }
      }
      poll.push_back(std::move(obs));
    }
    window.record(poll_start, std::move(poll));
    publish();
    {
      std::lock_guard lock(observer_mutex_);
      for (size_t i = 0; i < slots.size(); ++i) {
        for (auto* o : options_.observers) o->on_check(result_.checks[first + i]);
      }
    }
    if (window.settled() || SteadyClock::now() >= deadline) break;
    pump_until(std::min(poll_start + step.interval, deadline));
  }
  window.close(stopping() && !window.settled(), step.window_length);
  publish();
  for (size_t i = 0; i < slots.size(); ++i) {
    const CheckResult& r = result_.checks[first + i];
    if (r.verdict == reporters::CheckVerdict::Passed) {
      std::optional<double> detected_s;
      if (r.time_to_detect_s && last_fault_) {
        detected_s =
            std::chrono::duration<double>(*last_fault_ - start_).count() + *r.time_to_detect_s;
      }
      event(EventType::CheckPassed, r.kind, r.description, detected_s);
    } else if (r.verdict == reporters::CheckVerdict::Failed ||
               r.verdict == reporters::CheckVerdict::Inconclusive) {
      event(EventType::CheckFailed, r.kind, r.description + ": " + r.message);
    }
  }
}

void Run::stop_all_loads() {
  for (auto& load : loads_) {
    if (!load->collected) load->driver->stop();
  }
  for (auto& load : loads_) {
    if (!load->collected) collect(*load);
  }
}

reporters::RunResult Run::execute() {
  result_.drill_name = drill_.metadata.name;
  result_.drill_file = drill_.file;
  result_.run_id = options_.run_id;
  result_.started_at = iso8601_utc(wall_start_);
  event(EventType::DrillStart, drill_.metadata.name, "run " + options_.run_id);
  // Before anything could change: without a journal there is no revert after a crash.
  try {
    journal_.emplace(options_.journal_path);
    journal_->begin(options_.run_id, drill_.metadata.name, drill_.integrations.block(),
                    options_.dry_run, secrets_a_revert_can_show());
  } catch (const std::exception& e) {
    journal_error_ = e.what();
    abort_reason_ = std::string("cannot write the revert journal: ") + e.what();
    infrastructure_error_ = true;
    event(EventType::Aborted, drill_.metadata.name, abort_reason_);
  }

  create_checks();
  // The drill-start baseline comes before the drill's own services start: whatever they raise
  // once running is the drill's doing; what an outside Prometheus already had active is not.
  if (!stopping()) note_baselines(0);
  if (!stopping()) start_local_parts();
  for (step_index_ = 0; step_index_ < drill_.steps.size(); ++step_index_) {
    const Step& step = drill_.steps[step_index_];
    if (stopping()) break;
    event(EventType::StepStart, step.name, "");
    switch (step.type) {
      case StepType::Load:
        run_load_step(step);
        break;
      case StepType::Wait:
        pump_until(SteadyClock::now() + step.duration);
        break;
      case StepType::Chaos:
        run_chaos_step(step);
        break;
      case StepType::Validate:
        run_validate_step(step_index_);
        break;
    }
    housekeeping();
    event(EventType::StepEnd, step.name, "");
  }
  if (interrupted_.load()) {
    const char* name = sigabbrev_np(interrupt_signal_.load());
    abort_reason_ = std::string("interrupted by SIG") + (name ? name : "?");
    event(EventType::Aborted, drill_.metadata.name,
          abort_reason_ + ": stopping load, reverting faults");
  }
  stop_all_loads();
  for (auto it = faults_.rbegin(); it != faults_.rend(); ++it) {
    if (!it->reverted) revert(*it);
  }
  environment_.stop();
  for (const auto& t : drill_.thresholds) {
    result_.thresholds.push_back(evaluate_threshold(t, result_.loads));
    if (!result_.thresholds.back().passed) {
      event(EventType::ThresholdFailed, t.metric,
            t.expression + ", observed " + result_.thresholds.back().observed_text);
    }
  }
  decide_run_verdict({interrupted_.load(), infrastructure_error_, abort_reason_}, result_);
  result_.duration_s = now_s();
  event(EventType::DrillEnd, drill_.metadata.name, reporters::to_string(result_.verdict));
  for (auto* o : options_.observers) o->on_finish(result_);
  return result_;
}

}  // namespace

Runner::Runner(const Drill& drill, RunOptions options)
    : drill_(drill), options_(std::move(options)) {
  if (options_.run_id.empty()) options_.run_id = generate_run_id(drill.metadata.name);
}

reporters::RunResult Runner::run() {
  Run run(drill_, options_, interrupted_, interrupt_signal_, reverting_);
  return run.execute();
}

}  // namespace firedrill::scenarios
